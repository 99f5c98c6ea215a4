/**
 * What grammY needs of `fetch`, on Node's own HTTP client: one request on the keep-alive
 * agent grammY gives, its body a JSON text or the multipart stream of an upload, and the
 * answer read as JSON. grammY's default (node-fetch) builds WHATWG Request, Headers and
 * Response objects around the same client for every call; at hundreds of replies a second
 * that was about a twentieth of the bot's time, here it is only the request.
 */
import http from "node:http";
import https from "node:https";

interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string | NodeJS.ReadableStream;
  signal?: AbortSignal;
  agent?: http.Agent;
}

export async function telegramFetch(url: string, init: Init = {}): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }> {
  const client = url.startsWith("https:") ? https : http;
  const body = init.body;
  const headers = { ...init.headers, ...(typeof body === "string" && { "content-length": String(Buffer.byteLength(body)) }) };
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = client.request(url, { method: init.method ?? "GET", headers, agent: init.agent, signal: init.signal }, resolve);
    req.on("error", reject);
    if (body === undefined || typeof body === "string") req.end(body);
    else {
      body.on("error", (e: Error) => req.destroy(e));
      body.pipe(req);
    }
  });
  const chunks: Buffer[] = [];
  const text = new Promise<string>((resolve, reject) => {
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("aborted", () => reject(new Error("response aborted")));
  });
  const status = res.statusCode ?? 0;
  return { ok: status >= 200 && status < 300, status, json: async () => JSON.parse(await text) as unknown };
}
