/**
 * Start-up as an operator meets it: a bad environment variable stops the bot with one
 * clear line and a non-zero exit code; the sandbox refuses to listen beyond loopback.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
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
    [{ HOST: "256.1.1.1", SANDBOX: "off" }, /^config error: HOST must be an IP address or a host name/],
  ])("refuses %o with one line naming the variable", async (env, line) => {
    const r = await runBotExpectingExit({ DATA_DIR: "memory://", ...env });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(r.stdout).toBe("");
  });

  it("stops with one line naming DATA_DIR when the directory cannot be created", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "thidua-datadir-"));
    try {
      const file = path.join(dir, "a-file");
      await writeFile(file, "");
      const r = await runBotExpectingExit({ DATA_DIR: path.join(file, "data") });
      expect(r.code).toBe(3);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^DATA_DIR .*a-file\/data cannot be created or written \(ENOTDIR\)/);
      expect(r.stdout).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops with one line naming HOST when it is not an address of this machine", async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never this machine's.
    const r = await runBotExpectingExit({ DATA_DIR: "memory://", SANDBOX: "off", HOST: "192.0.2.1" }, 110_000);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("{"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe("HOST 192.0.2.1 cannot be listened on (EADDRNOTAVAIL): not an address of this machine (set HOST)");
  }, 120_000); // the database is migrated before the server listens

  it("never prints a token it refuses", async () => {
    const r = await runBotExpectingExit({ DATA_DIR: "memory://", TELEGRAM_BOT_TOKEN: "not-a-token-but-secret-XYZ" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("config error: TELEGRAM_BOT_TOKEN");
    expect(r.stderr).not.toContain("secret-XYZ");
  });
});
