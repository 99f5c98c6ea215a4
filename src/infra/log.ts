/**
 * A small structured logger: one JSON object per line on stderr. It never receives message
 * texts or tokens — callers pass ids and counts — and it masks anything that looks like a
 * bot token in case one slips into an error message.
 */
import type { Logger } from "../core/ports.js";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** Telegram tokens (digits:secret) and the /bot<token>/ segment of Bot API URLs. */
const SECRET_PATTERNS = [/\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g, /\/bot[^/\s]+\//g];

export function redact(s: string): string {
  return SECRET_PATTERNS.reduce((acc, re) => acc.replace(re, (m) => (m.startsWith("/bot") ? "/bot***/" : "***")), s);
}

export function createLogger(level: LogLevel = "info", sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`), secrets: string[] = []): Logger {
  const min = LEVELS[level];
  const scrub = (s: string) => secrets.reduce((acc, secret) => (secret ? acc.split(secret).join("***") : acc), redact(s));
  const write = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    sink(scrub(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields })));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
