/**
 * The sandbox stays on its own host: a request under a name that is not ours (DNS
 * rebinding) is refused with 421 and changes nothing, while our own names, PUBLIC_URL's
 * host and the health checks keep working; the page is sent with a Content-Security-Policy
 * and may not be framed.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with a Host header of our choosing (fetch would not let us set it). */
function send(base: string, method: string, path: string, host: string, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers: { host, ...(body !== undefined && { "content-type": "application/json", "content-length": Buffer.byteLength(body) }) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const message = JSON.stringify({ chatId: "host-check", chatKind: "private", userId: "host-check", userName: "Khách", text: "/help" });

describe("the sandbox and the Host header", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { config: { publicUrl: "https://thidua.example.org" } });
  });
  afterAll(async () => t?.stop());

  it("refuses the page, the API and the stream under a foreign name (421), and such a post stores nothing", async () => {
    const port = new URL(t.app.url).port;
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, "localhost.:1@evil"]) {
      for (const path of ["/", "/sandbox/app.js", "/sandbox/api/personas", "/sandbox/api/messages?chatId=host-check", "/sandbox/api/stream?chatId=host-check", "/sandbox/files/abcdefghijkl"]) {
        const answer = await send(t.app.url, "GET", path, host);
        expect({ host, path, status: answer.status }).toEqual({ host, path, status: 421 });
        expect(JSON.parse(answer.body)).toEqual({ error: "misdirected request: the sandbox answers only at its own address (e.g. http://127.0.0.1:3000)" });
      }
      expect((await send(t.app.url, "POST", "/sandbox/api/messages", host, message)).status).toBe(421);
    }
    await t.app.idle();
    const stored = await send(t.app.url, "GET", "/sandbox/api/messages?chatId=host-check", `127.0.0.1:${port}`);
    expect(stored.status).toBe(200);
    expect(JSON.parse(stored.body)).toEqual({ messages: [] });
    expect(await t.app.db.prisma.sandboxMessage.count({ where: { chatKey: "web:host-check" } })).toBe(0);
  });

  it("answers under its own names: loopback, HOST, PUBLIC_URL's host (any port)", async () => {
    const port = new URL(t.app.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, "thidua.example.org", "thidua.example.org:443"]) {
      const answer = await send(t.app.url, "GET", "/sandbox/api/personas", host);
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
    expect((await send(t.app.url, "POST", "/sandbox/api/messages", `localhost:${port}`, message)).status).toBe(202);
  });

  it("health and readiness answer under any name (load balancers and proxies use their own)", async () => {
    for (const path of ["/healthz", "/readyz"]) expect((await send(t.app.url, "GET", path, "10.0.0.7:8080")).status).toBe(200);
  });

  it("sends the page with a Content-Security-Policy that allows only our own resources, and forbids framing", async () => {
    const page = await send(t.app.url, "GET", "/", `127.0.0.1:${new URL(t.app.url).port}`);
    expect(page.status).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });
});
