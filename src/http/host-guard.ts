/**
 * Which Host headers a page of ours answers (against DNS rebinding: a hostile site whose
 * name is made to point at 127.0.0.1 reaches the server with its own name in Host, and a
 * browser then treats our answers as that site's). Only names we are known by pass: the
 * loopback names, the HOST we listen on and PUBLIC_URL's host. Any port: the name is what
 * rebinding cannot fake, and a port mapping (Docker's -p 8080:3000) changes the port.
 * Platform webhooks and health checks do not use this: proxies reach them under any name,
 * and a webhook is proven by its secret.
 */
import type { IncomingMessage } from "node:http";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** The bare host name of a Host header value (lower case, port removed; IPv6 kept in brackets). */
export function hostName(header: string): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(header.trim());
  return m ? m[1]!.toLowerCase().replace(/\.$/, "") : null;
}

export function hostGuard(opts: { host: string; publicUrl?: string }): (req: IncomingMessage) => boolean {
  const names = new Set(LOOPBACK_NAMES);
  names.add(opts.host.includes(":") && !opts.host.startsWith("[") ? `[${opts.host.toLowerCase()}]` : opts.host.toLowerCase());
  if (opts.publicUrl) names.add(new URL(opts.publicUrl).hostname.toLowerCase());
  return (req) => {
    const header = req.headers.host;
    const name = header ? hostName(header) : null;
    return name !== null && names.has(name);
  };
}
