/**
 * The process's one HTTP server (node:http): health, readiness, the sandbox, webhooks.
 * A tiny router — exact paths, and prefixes for files — with body-size limits and JSON
 * helpers. Handlers never leak stack traces: an unexpected error is a bare 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../core/ports.js";

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Route {
  method: string;
  path: string;
  prefix: boolean;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, path, prefix: false, handler });
    return this;
  }

  /** Match every path that starts with `path`. */
  onPrefix(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, path, prefix: true, handler });
    return this;
  }

  find(method: string, pathname: string): { route?: Route; allowed: string[] } {
    const matching = this.routes.filter((r) => (r.prefix ? pathname.startsWith(r.path) : pathname === r.path));
    const method2 = method === "HEAD" ? "GET" : method;
    return { route: matching.find((r) => r.method === method2), allowed: [...new Set(matching.map((r) => r.method))] };
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new HttpError(413, "body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, "body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parse a JSON body; malformed JSON is a 400. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "malformed JSON");
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(data) });
  res.end(data);
}

export function startHttp(router: Router, opts: { port: number; host: string }, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const { route, allowed } = router.find(req.method ?? "GET", url.pathname);
    if (!route) {
      if (allowed.length) {
        res.writeHead(405, { allow: allowed.join(", ") }).end();
        return;
      }
      sendJson(res, 404, { error: "not found" });
      return;
    }
    Promise.resolve()
      .then(() => route.handler(req, res, url))
      .catch((e: unknown) => {
        if (e instanceof HttpError) {
          if (!res.headersSent) sendJson(res, e.status, { error: e.message });
          return;
        }
        log.error("http handler failed", { path: url.pathname, error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
