import { describe, it, expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz0123456";

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(Object.keys(env))}, but the configuration was accepted`);
}

describe("configuration defaults", () => {
  it("with nothing set: the sandbox on loopback, port 3000, Vietnamese, Vietnam time, PGlite in ./data", () => {
    expect(loadConfig({})).toEqual({
      telegram: undefined,
      zalo: undefined,
      publicUrl: undefined,
      database: { kind: "pglite", dataDir: "./data" },
      http: { port: 3000, host: "127.0.0.1" },
      timeZone: "Asia/Ho_Chi_Minh",
      defaultLocale: "vi",
      sandbox: true,
      sandboxStreams: { total: 100, perChat: 10, maxUnsentBytes: 256 * 1024 },
      demoSeed: true,
      workers: true,
      logLevel: "info",
      delivery: { zaloPerSecond: 5, rateScale: 1, staleClaimMs: 120_000 },
      scheduler: { graceMs: 12 * 3_600_000 },
      platformWaitMs: 10_000,
    });
  });

  it("PLATFORM_WAIT_SECONDS bounds the start-up wait for a platform, and refuses nonsense naming itself", () => {
    expect(loadConfig({ PLATFORM_WAIT_SECONDS: "3" }).platformWaitMs).toBe(3000);
    for (const v of ["0", "abc", "301"]) expect(configError({ PLATFORM_WAIT_SECONDS: v }).message).toMatch(/^config error: PLATFORM_WAIT_SECONDS /);
  });

  it("reads the delivery and scheduler settings, and refuses nonsense", () => {
    expect(loadConfig({ ZALO_RATE_PER_SECOND: "2.5", OUTBOX_RATE_SCALE: "10", OUTBOX_STALE_CLAIM_SECONDS: "5", SCHEDULER_GRACE_HOURS: "3" })).toMatchObject({
      delivery: { zaloPerSecond: 2.5, rateScale: 10, staleClaimMs: 5000 },
      scheduler: { graceMs: 3 * 3_600_000 },
    });
    expect(() => loadConfig({ ZALO_RATE_PER_SECOND: "fast" })).toThrow(/^config error: ZALO_RATE_PER_SECOND/);
    expect(() => loadConfig({ OUTBOX_RATE_SCALE: "0" })).toThrow(/^config error: OUTBOX_RATE_SCALE/);
    expect(() => loadConfig({ SCHEDULER_GRACE_HOURS: "100" })).toThrow(/^config error: SCHEDULER_GRACE_HOURS must be at most 72/);
  });

  it("reads the sandbox's stream bounds, and refuses nonsense", () => {
    expect(loadConfig({ SANDBOX_STREAMS_MAX: "40", SANDBOX_STREAMS_PER_CHAT: "4", SANDBOX_STREAM_BUFFER_KB: "64" }).sandboxStreams).toEqual({ total: 40, perChat: 4, maxUnsentBytes: 64 * 1024 });
    expect(() => loadConfig({ SANDBOX_STREAMS_MAX: "0" })).toThrow(/^config error: SANDBOX_STREAMS_MAX/);
    expect(() => loadConfig({ SANDBOX_STREAM_BUFFER_KB: "lots" })).toThrow(/^config error: SANDBOX_STREAM_BUFFER_KB/);
  });

  it("empty strings count as unset", () => {
    expect(loadConfig({ PORT: "", TELEGRAM_BOT_TOKEN: "", TZ_NAME: "" })).toMatchObject({ http: { port: 3000 }, sandbox: true, timeZone: "Asia/Ho_Chi_Minh" });
  });

  it("reads a port number", () => {
    expect(loadConfig({ PORT: "8080" }).http.port).toBe(8080);
  });

  it("DATABASE_URL switches to PostgreSQL", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u:p@db:5432/thidua" }).database).toEqual({ kind: "postgres", url: "postgresql://u:p@db:5432/thidua" });
    expect(loadConfig({ DATABASE_URL: "postgres://db/thidua" }).database.kind).toBe("postgres");
  });

  it("DATA_DIR moves the PGlite files", () => {
    expect(loadConfig({ DATA_DIR: "/var/lib/thidua" }).database).toEqual({ kind: "pglite", dataDir: "/var/lib/thidua" });
  });
});

describe("platform tokens and the sandbox", () => {
  it("a Telegram token turns the sandbox (and its demo data) off", () => {
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN });
    expect(c.sandbox).toBe(false);
    expect(c.demoSeed).toBe(false);
    expect(c.telegram).toEqual({ token: TOKEN, apiRoot: "https://api.telegram.org", mode: "polling", webhookSecret: undefined });
  });

  it("a Zalo token turns the sandbox off too", () => {
    expect(loadConfig({ ZALO_BOT_TOKEN: "1234567890:zalo-token-value" }).sandbox).toBe(false);
  });

  it("SANDBOX=on keeps the sandbox next to a platform", () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, SANDBOX: "on" }).sandbox).toBe(true);
  });

  it("SANDBOX=off turns it off without any platform", () => {
    expect(loadConfig({ SANDBOX: "off" }).sandbox).toBe(false);
  });

  it("the sandbox refuses a non-loopback HOST, naming HOST", () => {
    const e = configError({ HOST: "0.0.0.0" });
    expect(e.message.startsWith("config error: HOST ")).toBe(true);
    expect(e.message).not.toContain("\n");
  });

  it("SANDBOX_ALLOW_REMOTE=yes accepts a non-loopback HOST for the sandbox", () => {
    expect(loadConfig({ HOST: "0.0.0.0", SANDBOX_ALLOW_REMOTE: "yes" }).http.host).toBe("0.0.0.0");
  });

  it("without the sandbox, any HOST is fine", () => {
    expect(loadConfig({ HOST: "0.0.0.0", TELEGRAM_BOT_TOKEN: TOKEN }).http.host).toBe("0.0.0.0");
  });

  it.each(["127.0.0.1", "::1", "localhost"])("the sandbox may listen on the loopback %s", (host) => {
    expect(loadConfig({ HOST: host }).http.host).toBe(host);
  });
});

describe("configuration errors are one line naming the variable", () => {
  it("PORT=abc", () => {
    const e = configError({ PORT: "abc" });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.name).toBe("ConfigError");
    expect(e.message.startsWith("config error: PORT ")).toBe(true);
    expect(e.message.split("\n")).toHaveLength(1);
  });

  it.each(["256.1.1.1", "1.2.3", "bad host", "-x.example"])("HOST=%s names HOST, with or without the sandbox", (host) => {
    for (const env of [{ HOST: host }, { HOST: host, TELEGRAM_BOT_TOKEN: TOKEN }, { HOST: host, SANDBOX: "off" }]) {
      const e = configError(env);
      expect(e.message).toMatch(/^config error: HOST must be an IP address or a host name/);
      expect(e.message).not.toContain("\n");
    }
  });

  it.each(["0.0.0.0", "::", "192.168.1.10", "bot.example.org", "my-host"])("HOST=%s is accepted without the sandbox", (host) => {
    expect(loadConfig({ HOST: host, SANDBOX: "off" }).http.host).toBe(host);
  });

  it.each(["70000", "3000.5", "-1"])("PORT=%s", (port) => {
    const e = configError({ PORT: port });
    expect(e.message.startsWith("config error: PORT ")).toBe(true);
    expect(e.message).not.toContain("\n");
  });

  it("TZ_NAME=Mars/Base", () => {
    const e = configError({ TZ_NAME: "Mars/Base" });
    expect(e.message).toBe("config error: TZ_NAME is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)");
  });

  it("TELEGRAM_MODE=webhook without a secret names TELEGRAM_WEBHOOK_SECRET", () => {
    const e = configError({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: "webhook", PUBLIC_URL: "https://thidua.example.vn" });
    expect(e.message).toBe("config error: TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook");
  });

  it("TELEGRAM_MODE=webhook with a secret and a public URL is accepted", () => {
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "s3cret_value", PUBLIC_URL: "https://thidua.example.vn/" });
    expect(c.telegram).toMatchObject({ mode: "webhook", webhookSecret: "s3cret_value" });
    expect(c.publicUrl).toBe("https://thidua.example.vn");
  });

  it("ZALO_MODE=webhook without a secret names ZALO_WEBHOOK_SECRET", () => {
    const e = configError({ ZALO_BOT_TOKEN: "1234567890:zalo-token-value", ZALO_MODE: "webhook", PUBLIC_URL: "https://thidua.example.vn" });
    expect(e.message.startsWith("config error: ZALO_WEBHOOK_SECRET ")).toBe(true);
  });

  it("a DATABASE_URL that is not PostgreSQL names DATABASE_URL", () => {
    expect(configError({ DATABASE_URL: "mysql://u:p@h/db" }).message).toBe("config error: DATABASE_URL must be a postgresql:// URL");
  });

  it("an unknown DEFAULT_LOCALE names DEFAULT_LOCALE", () => {
    expect(configError({ DEFAULT_LOCALE: "fr" }).message.startsWith("config error: DEFAULT_LOCALE ")).toBe(true);
  });

  it("a malformed Telegram token is named but its value never appears", () => {
    const e = configError({ TELEGRAM_BOT_TOKEN: "abc:secretvalue123" });
    expect(e.message.startsWith("config error: TELEGRAM_BOT_TOKEN ")).toBe(true);
    expect(e.message).not.toContain("secretvalue123");
    expect(e.message).not.toContain("abc:");
    expect(String(e.stack)).not.toContain("secretvalue123");
  });

  it("a malformed webhook secret is named but its value never appears", () => {
    const e = configError({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: "has spaces and secretvalue123!" });
    expect(e.message.startsWith("config error: TELEGRAM_WEBHOOK_SECRET ")).toBe(true);
    expect(e.message).not.toContain("secretvalue123");
  });

  it("a good token does not appear in the message of an unrelated error", () => {
    const e = configError({ TELEGRAM_BOT_TOKEN: TOKEN, PORT: "abc" });
    expect(e.message).not.toContain("AAH-abcdefghijklmnopqrstuvwxyz0123456");
  });
});
