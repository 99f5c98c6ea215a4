import { describe, it, expect } from "vitest";
import { createLogger, redact, type LogLevel } from "../../src/infra/log.js";

const TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz0123456";
const TOKEN_SECRET = "AAH-abcdefghijklmnopqrstuvwxyz0123456";

function capture(level: LogLevel = "debug", secrets: string[] = []) {
  const lines: string[] = [];
  const log = createLogger(level, (l) => lines.push(l), secrets);
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("log lines", () => {
  it("are one JSON object per line with time, level, message and fields", () => {
    const { log, lines, parsed } = capture("info");
    log.info("database migrated", { applied: 3, kind: "pglite" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [entry] = parsed();
    expect(entry).toMatchObject({ level: "info", msg: "database migrated", applied: 3, kind: "pglite" });
    expect(typeof entry?.t).toBe("string");
    expect(Number.isNaN(Date.parse(String(entry?.t)))).toBe(false);
  });

  it("at level info, debug lines are dropped and the others kept", () => {
    const { log, parsed } = capture("info");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(parsed().map((e) => e.level)).toEqual(["info", "warn", "error"]);
  });

  it("at level warn, only warnings and errors are kept", () => {
    const { log, parsed } = capture("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(parsed().map((e) => e.msg)).toEqual(["w", "e"]);
  });

  it("at level debug, everything is kept", () => {
    const { log, parsed } = capture("debug");
    log.debug("d");
    log.error("e");
    expect(parsed().map((e) => e.level)).toEqual(["debug", "error"]);
  });

  it("at level silent, nothing is written", () => {
    const { log, lines } = capture("silent");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines).toEqual([]);
  });
});

describe("secrets never reach the log", () => {
  it("a Telegram token inside a message is masked", () => {
    const { log, lines, parsed } = capture();
    log.error(`request failed for token ${TOKEN} at startup`);
    expect(lines[0]).not.toContain(TOKEN_SECRET);
    expect(parsed()[0]?.msg).toBe("request failed for token *** at startup");
  });

  it("a Telegram token inside a field is masked", () => {
    const { log, lines, parsed } = capture();
    log.error("update failed", { error: `bad token ${TOKEN}`, nested: { token: TOKEN } });
    expect(lines[0]).not.toContain(TOKEN_SECRET);
    expect(parsed()[0]).toMatchObject({ error: "bad token ***", nested: { token: "***" } });
  });

  it("the /bot<token>/ segment of a Bot API URL is masked", () => {
    const { log, lines, parsed } = capture();
    log.warn("retrying", { url: "https://api.telegram.org/bot123:abc/sendMessage" });
    expect(lines[0]).not.toContain("123:abc");
    expect(parsed()[0]?.url).toBe("https://api.telegram.org/bot***/sendMessage");
  });

  it("a full-length token in a Bot API URL is masked", () => {
    const { log, lines } = capture();
    log.warn(`GET https://api.telegram.org/bot${TOKEN}/getUpdates failed`);
    expect(lines[0]).not.toContain(TOKEN_SECRET);
  });

  it("a token right after 'bot' at the end of a URL is masked", () => {
    // e.g. an error quoting the base URL, without the method after it
    const { log, lines } = capture();
    log.error(`cannot reach https://api.telegram.org/bot${TOKEN}`);
    expect(lines[0]).not.toContain(TOKEN_SECRET);
  });

  it("explicit secrets given to the logger are masked wherever they appear", () => {
    const { log, lines, parsed } = capture("debug", ["zalo-webhook-secret-42", "another.Secret"]);
    log.info("got zalo-webhook-secret-42", { header: "x another.Secret y" });
    expect(lines[0]).not.toContain("zalo-webhook-secret-42");
    expect(lines[0]).not.toContain("another.Secret");
    expect(parsed()[0]).toMatchObject({ msg: "got ***", header: "x *** y" });
  });

  it("an empty explicit secret masks nothing", () => {
    const { log, parsed } = capture("debug", [""]);
    log.info("plain text");
    expect(parsed()[0]?.msg).toBe("plain text");
  });

  it("an explicit secret containing a quote or a backslash is masked too", () => {
    // ZALO_WEBHOOK_SECRET accepts any 8–256 characters, so it may contain " or \.
    const secret = 'pa"ss\\word-42';
    const { log, parsed } = capture("debug", [secret]);
    log.info(`header was ${secret}`);
    expect(String(parsed()[0]?.msg)).not.toContain(secret);
  });

  it("redact leaves ordinary text, ids and times alone", () => {
    expect(redact("chat 123456 at 12:30, update tg:upd:42")).toBe("chat 123456 at 12:30, update tg:upd:42");
  });
});
