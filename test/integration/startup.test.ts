/**
 * Start-up as an operator meets it: a bad environment variable stops the bot with one
 * clear line and a non-zero exit code; the sandbox refuses to listen beyond loopback.
 */
import { describe, expect, it } from "vitest";
import { runBotExpectingExit } from "../support/process.js";

describe("start-up configuration", () => {
  it.each([
    [{ PORT: "abc" }, /^config error: PORT /],
    [{ PORT: "70000" }, /^config error: PORT must be at most 65535/],
    [{ TZ_NAME: "Mars/Olympus" }, /^config error: TZ_NAME is not an IANA time zone/],
    [{ DEFAULT_LOCALE: "fr" }, /^config error: DEFAULT_LOCALE /],
    [{ DATABASE_URL: "mysql://x" }, /^config error: DATABASE_URL must be a postgresql:\/\/ URL/],
    [{ TELEGRAM_BOT_TOKEN: "123:abc", TELEGRAM_MODE: "webhook" }, /^config error: TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook/],
    [{ HOST: "0.0.0.0" }, /^config error: HOST 0\.0\.0\.0 is not a loopback address/],
  ])("refuses %o with one line naming the variable", async (env, line) => {
    const r = await runBotExpectingExit({ DATA_DIR: "memory://", ...env });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(r.stdout).toBe("");
  });

  it("never prints a token it refuses", async () => {
    const r = await runBotExpectingExit({ DATA_DIR: "memory://", TELEGRAM_BOT_TOKEN: "not-a-token-but-secret-XYZ" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("config error: TELEGRAM_BOT_TOKEN");
    expect(r.stderr).not.toContain("secret-XYZ");
  });
});
