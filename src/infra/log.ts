/**
 * A small structured logger: one JSON object per line on stderr. It never receives message
 * texts or tokens — callers pass ids and counts — and, in case one slips into an error
 * message, it masks anything that looks like a bot token and every configured secret in
 * each string before the line is serialised.
 */
import type { Logger } from "../core/ports.js";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** Telegram-style tokens (digits:secret), wherever they stand. */
const TOKEN = /\d{5,}:[A-Za-z0-9_-]{20,}/g;
/** Whatever follows "/bot" in a Bot API URL (Telegram and Zalo put the token there). */
const URL_TOKEN = /\/bot[^/\s"]+/g;

export function redact(s: string): string {
  return s.replace(URL_TOKEN, "/bot***").replace(TOKEN, "***");
}

export function createLogger(level: LogLevel = "info", sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`), secrets: string[] = []): Logger {
  const min = LEVELS[level];
  const known = secrets.filter((x) => x.length >= 4);
  const scrub = (s: string) => known.reduce((acc, secret) => acc.split(secret).join("***"), redact(s));
  const write = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    // The line's own keys come last: fields cannot overwrite them.
    const line = { ...fields, t: new Date().toISOString(), level: lvl, msg };
    sink(JSON.stringify(line, (_k, v: unknown) => (typeof v === "string" ? scrub(v) : typeof v === "bigint" ? v.toString() : v)));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
