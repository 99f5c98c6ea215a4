/**
 * The only place that reads process.env. Parsed once by zod; a bad value stops start-up
 * with one line that names the variable (never its value when it is a secret).
 */
import { isIP } from "node:net";
import { z } from "zod";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

const onOff = z.enum(["on", "off"]);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://")
  .transform((u) => u.replace(/\/+$/, ""));
/** Telegram: 1–256 of A–Z a–z 0–9 _ -. Zalo asks for 8–256 characters. */
const telegramSecret = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1–256 characters of A–Z a–z 0–9 _ -");
const zaloSecret = z.string().min(8, "must be at least 8 characters").max(256, "must be at most 256 characters");

/** An IP address (each IPv4 part at most 255) or a host name; dotted digits must be an IPv4 address. */
const hostName = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const host = z.string().refine((h) => isIP(h) !== 0 || (!/^[\d.]+$/.test(h) && hostName.test(h)), "must be an IP address or a host name (e.g. 127.0.0.1, ::1, 0.0.0.0, localhost)");

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)");

const schema = z
  .object({
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, "does not look like a bot token (digits:letters)").optional(),
    TELEGRAM_API_ROOT: httpUrl.default("https://api.telegram.org"),
    TELEGRAM_MODE: z.enum(["polling", "webhook"]).default("polling"),
    TELEGRAM_WEBHOOK_SECRET: telegramSecret.optional(),
    ZALO_BOT_TOKEN: z.string().min(10, "is too short to be a Zalo bot token").optional(),
    ZALO_API_ROOT: httpUrl.default("https://bot-api.zaloplatforms.com"),
    ZALO_MODE: z.enum(["polling", "webhook"]).default("polling"),
    ZALO_WEBHOOK_SECRET: zaloSecret.optional(),
    PUBLIC_URL: httpUrl.optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
      .optional(),
    DATA_DIR: z.string().min(1).default("./data"),
    PORT: z
      .string()
      .regex(/^\d{1,5}$/, "must be a whole number between 0 and 65535")
      .transform(Number)
      .refine((n) => n <= 65535, "must be at most 65535")
      .default(3000),
    HOST: host.default("127.0.0.1"),
    TZ_NAME: timeZone.default("Asia/Ho_Chi_Minh"),
    DEFAULT_LOCALE: z.enum(["vi", "en"]).default("vi"),
    SANDBOX: onOff.optional(),
    /** The sandbox hands out made-up identities: it listens on loopback only unless this is "yes". */
    SANDBOX_ALLOW_REMOTE: z.enum(["yes", "no"]).default("no"),
    /** Open sandbox event streams, in all and per chat; a client that reads nothing is cut off past this many KB unsent. */
    SANDBOX_STREAMS_MAX: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 1 && n <= 10_000, "must be between 1 and 10000").default(100),
    SANDBOX_STREAMS_PER_CHAT: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 1 && n <= 1000, "must be between 1 and 1000").default(10),
    SANDBOX_STREAM_BUFFER_KB: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 16 && n <= 65_536, "must be between 16 and 65536").default(256),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Seed the demo unit tree and personas (sandbox only). */
    DEMO_SEED: onOff.default("on"),
    /** Run cron jobs and the delivery worker in this instance. */
    WORKERS: onOff.default("on"),
    /** Zalo publishes no rate limit: messages per second per token. */
    ZALO_RATE_PER_SECOND: z.string().regex(/^\d+(\.\d+)?$/, "must be a number").transform(Number).refine((n) => n > 0 && n <= 30, "must be between 0 and 30").default(5),
    /** Multiplies every delivery rate: for tests and benchmarks against fake servers only. */
    OUTBOX_RATE_SCALE: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 1 && n <= 1000, "must be between 1 and 1000").default(1),
    /** A delivery claimed by a process that died is taken again after this many seconds. */
    OUTBOX_STALE_CLAIM_SECONDS: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 1, "must be at least 1").default(120),
    /** Start-up waits this many seconds for each platform to answer, then goes on and keeps trying in the background. */
    PLATFORM_WAIT_SECONDS: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n >= 1 && n <= 300, "must be between 1 and 300").default(10),
    /** Scheduled posts missed during downtime are still sent within this many hours. */
    SCHEDULER_GRACE_HOURS: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).refine((n) => n <= 72, "must be at most 72").default(12),
  })
  .superRefine((c, ctx) => {
    const need = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === "webhook") {
      if (!c.TELEGRAM_WEBHOOK_SECRET) need("TELEGRAM_WEBHOOK_SECRET", "is required when TELEGRAM_MODE=webhook");
      if (!c.PUBLIC_URL) need("PUBLIC_URL", "is required when TELEGRAM_MODE=webhook");
    }
    if (c.ZALO_BOT_TOKEN && c.ZALO_MODE === "webhook") {
      if (!c.ZALO_WEBHOOK_SECRET) need("ZALO_WEBHOOK_SECRET", "is required when ZALO_MODE=webhook");
      if (!c.PUBLIC_URL) need("PUBLIC_URL", "is required when ZALO_MODE=webhook");
    }
  });

export type Env = z.infer<typeof schema>;

export interface Config {
  telegram?: { token: string; apiRoot: string; mode: "polling" | "webhook"; webhookSecret?: string };
  zalo?: { token: string; apiRoot: string; mode: "polling" | "webhook"; webhookSecret?: string };
  publicUrl?: string;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  http: { port: number; host: string };
  timeZone: string;
  defaultLocale: "vi" | "en";
  sandbox: boolean;
  /** Bounds on the sandbox's event streams; unset fields take the defaults in adapters/sandbox/streams.ts. */
  sandboxStreams?: { total?: number; perChat?: number; maxUnsentBytes?: number; replayMessages?: number; replayBytes?: number };
  demoSeed: boolean;
  workers: boolean;
  logLevel: Env["LOG_LEVEL"];
  delivery: { zaloPerSecond: number; rateScale: number; staleClaimMs: number };
  scheduler: { graceMs: number };
  /** How long start-up waits for each platform before going on without it (default 10 s). */
  platformWaitMs?: number;
}

/** A configuration problem, already phrased as the one line an operator should read. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parse the environment. Throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`config error: ${name} ${issue.message}`);
  }
  const e = parsed.data;
  const anyPlatform = Boolean(e.TELEGRAM_BOT_TOKEN || e.ZALO_BOT_TOKEN);
  const sandbox = e.SANDBOX ? e.SANDBOX === "on" : !anyPlatform;
  if (sandbox && !LOOPBACK.has(e.HOST) && e.SANDBOX_ALLOW_REMOTE !== "yes") {
    throw new ConfigError(
      `config error: HOST ${e.HOST} is not a loopback address; the sandbox hands out made-up identities and only listens on loopback (set SANDBOX=off, or SANDBOX_ALLOW_REMOTE=yes to accept the risk)`,
    );
  }
  return {
    telegram: e.TELEGRAM_BOT_TOKEN
      ? { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, mode: e.TELEGRAM_MODE, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET }
      : undefined,
    zalo: e.ZALO_BOT_TOKEN
      ? { token: e.ZALO_BOT_TOKEN, apiRoot: e.ZALO_API_ROOT, mode: e.ZALO_MODE, webhookSecret: e.ZALO_WEBHOOK_SECRET }
      : undefined,
    publicUrl: e.PUBLIC_URL,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dataDir: e.DATA_DIR },
    http: { port: e.PORT, host: e.HOST },
    timeZone: e.TZ_NAME,
    defaultLocale: e.DEFAULT_LOCALE,
    sandbox,
    sandboxStreams: { total: e.SANDBOX_STREAMS_MAX, perChat: e.SANDBOX_STREAMS_PER_CHAT, maxUnsentBytes: e.SANDBOX_STREAM_BUFFER_KB * 1024 },
    demoSeed: sandbox && e.DEMO_SEED === "on",
    workers: e.WORKERS === "on",
    logLevel: e.LOG_LEVEL,
    delivery: { zaloPerSecond: e.ZALO_RATE_PER_SECOND, rateScale: e.OUTBOX_RATE_SCALE, staleClaimMs: e.OUTBOX_STALE_CLAIM_SECONDS * 1000 },
    scheduler: { graceMs: e.SCHEDULER_GRACE_HOURS * 3_600_000 },
    platformWaitMs: e.PLATFORM_WAIT_SECONDS * 1000,
  };
}
