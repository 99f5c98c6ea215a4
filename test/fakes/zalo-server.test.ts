/**
 * Tests of the fake Zalo Bot API server, driven with plain fetch as the adapter would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FakeZalo,
  ZALO_BAD_GATEWAY_BODY,
  ZALO_EMPTY_POLL,
  ZALO_ERRORS,
  ZALO_EVENTS,
  ZALO_MAX_TEXT,
  ZALO_SECRET_HEADER,
  type ZaloEnvelope,
  type ZaloEvent,
} from "./zalo-server.js";

interface Answer<T = unknown> {
  status: number;
  body: ZaloEnvelope<T>;
}

async function call<T = unknown>(zl: FakeZalo, method: string, params?: Record<string, unknown>, token = zl.token): Promise<Answer<T>> {
  const res = await fetch(`${zl.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params ?? {}),
  });
  return { status: res.status, body: (await res.json()) as ZaloEnvelope<T> };
}

/** A webhook receiver on loopback that records requests and answers with `statuses` in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const got: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      got.push({ headers: req.headers, body: JSON.parse(raw) as unknown });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zalo/webhook`;
  const close = () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return { url, got, close };
}

let zl: FakeZalo;
beforeEach(async () => {
  zl = await FakeZalo.start();
});
afterEach(async () => {
  await zl.stop();
});

describe("FakeZalo: API basics", () => {
  it("answers getMe with the envelope; bad token 401, unknown or mis-cased method 404", async () => {
    const me = await call(zl, "getMe");
    expect(me).toEqual({ status: 200, body: { ok: true, result: zl.bot } });
    expect(Object.keys(zl.bot).sort()).toEqual(["account_name", "account_type", "can_join_groups", "id"]);

    const bad = await call(zl, "getMe", {}, "123:wrong");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });

    expect((await call(zl, "getme")).body).toMatchObject({ ok: false, error_code: ZALO_ERRORS.unknownMethod.error_code });
    expect(JSON.stringify(zl.calls)).not.toContain(zl.token);
  });

  it("keeps the token out of calls even when a client puts it in the body", async () => {
    await call(zl, "getMe", { note: `token=${zl.token}` });
    expect(JSON.stringify(zl.calls)).not.toContain(zl.token);
    expect(zl.calls[0]).toMatchObject({ method: "getMe", status: 200, ok: true });
  });
});

describe("FakeZalo: getUpdates", () => {
  it("holds the poll and returns an event sent after it started, one event per call", async () => {
    const an = zl.user({ displayName: "Nguyễn Văn An" });
    const chat = zl.privateChat(an);
    const poll = call<ZaloEvent>(zl, "getUpdates", { timeout: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const first = zl.sendText(an, chat, "xin chào");
    const second = zl.sendText(an, chat, "lần hai");
    expect(await poll).toEqual({ status: 200, body: { ok: true, result: first } });
    expect((await call(zl, "getUpdates", { timeout: 5 })).body.result).toEqual(second);
    expect(first.message.chat.id).not.toBe(an.id);
    expect(Number.isSafeInteger(Number(an.id))).toBe(false);
    expect(Math.abs(first.message.date - Date.now())).toBeLessThan(5000); // milliseconds
  });

  it("does not hand an event to a long poll the client abandoned", async () => {
    const signal = AbortSignal.timeout(50);
    const abandoned = fetch(`${zl.apiRoot}/bot${zl.token}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeout: 5 }),
      signal,
    });
    await expect(abandoned).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    const u = zl.user({ displayName: "Phúc" });
    const ev = zl.sendText(u, zl.privateChat(u), "still here");
    expect((await call(zl, "getUpdates", { timeout: 1 })).body.result).toEqual(ev);
    expect(zl.calls[0]).toMatchObject({ method: "getUpdates", status: null });
  });

  it("returns the empty-poll result after `timeout` (also given as a string)", async () => {
    const t0 = Date.now();
    const empty = await call(zl, "getUpdates", { timeout: "1" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(empty).toEqual({ status: 200, body: ZALO_EMPTY_POLL });
  });

  it("is refused while a webhook is set and works again after deleteWebhook", async () => {
    const set = await call(zl, "setWebhook", { url: "https://bot.example.org/zalo", secret_token: "s3cret-token" });
    expect(set.body).toMatchObject({ ok: true, result: { url: "https://bot.example.org/zalo" } });
    expect((await call(zl, "getWebhookInfo")).body.result).toMatchObject({ url: "https://bot.example.org/zalo" });

    const refused = await call(zl, "getUpdates", { timeout: 0 });
    expect(refused.status).toBe(ZALO_ERRORS.webhookActive.status);
    expect(refused.body).toMatchObject({ ok: false, error_code: ZALO_ERRORS.webhookActive.error_code });
    expect(refused.body.description).toMatch(/webhook is active/);

    expect((await call(zl, "deleteWebhook")).body).toMatchObject({ ok: true, result: { url: "" } });
    expect(zl.webhook).toBeNull();
    expect((await call(zl, "getUpdates", { timeout: 0 })).body).toEqual(ZALO_EMPTY_POLL);
  });

  it("deliverAgain hands out the same message_id again", async () => {
    const u = zl.user({ displayName: "Bình" });
    const ev = zl.sendText(u, zl.privateChat(u), "/start");
    zl.deliverAgain(ev);
    const a = await call<ZaloEvent>(zl, "getUpdates", { timeout: 0 });
    const b = await call<ZaloEvent>(zl, "getUpdates", { timeout: 0 });
    expect(a.body.result?.message.message_id).toBe(ev.message.message_id);
    expect(b.body.result).toEqual(a.body.result);
  });

  it("gives unsupported and unknown events their documented shapes", async () => {
    const u = zl.user({ displayName: "Chi" });
    const g = zl.group({ name: "Công đoàn" });
    const unsupported = zl.sendUnsupported(u, g);
    const unknown = zl.sendUnknownEvent(u, g, "message.reaction.received", { reaction: "like" });
    expect(unsupported.event_name).toBe(ZALO_EVENTS.unsupported);
    expect(Object.keys(unsupported.message).sort()).toEqual(["chat", "date", "from", "message_id"]);
    expect(unsupported.message.chat).toEqual({ id: g.id, chat_type: "GROUP" });
    expect(unsupported.message.from).toEqual({ id: u.id, display_name: "Chi", is_bot: false });
    expect(unknown).toMatchObject({ event_name: "message.reaction.received", message: { reaction: "like", chat: g } });
    expect((await call(zl, "getUpdates", { timeout: 0 })).body.result).toEqual(unsupported);
    expect((await call(zl, "getUpdates", { timeout: 0 })).body.result).toEqual(unknown);
  });
});

describe("FakeZalo: webhook", () => {
  it("validates the secret length and the URL scheme", async () => {
    const url = "https://bot.example.org/zalo";
    for (const params of [
      { url, secret_token: "1234567" },
      { url, secret_token: "x".repeat(257) },
      { url: "http://bot.example.org/zalo", secret_token: "12345678" },
      { url: "ftp://127.0.0.1/zalo", secret_token: "12345678" },
    ]) {
      const r = await call(zl, "setWebhook", params);
      expect(r.status, JSON.stringify(params).slice(0, 80)).toBe(400);
      expect(r.body).toMatchObject({ ok: false, error_code: 400 });
    }
    expect(zl.webhook).toBeNull();
    expect((await call(zl, "setWebhook", { url: "http://127.0.0.1:9/zalo", secret_token: "x".repeat(256) })).body.ok).toBe(true);
  });

  it("POSTs one object per event with the secret header, retrying a 500 with backoff", async () => {
    const rx = await receiver([500, 500]);
    try {
      const u = zl.user({ displayName: "Dũng" });
      const queued = zl.sendText(u, zl.privateChat(u), "sent before the webhook"); // flushed to it
      await call(zl, "setWebhook", { url: rx.url, secret_token: "secret-token-1" });
      const later = zl.sendImage(u, zl.privateChat(u), { url: "https://img.example.org/a.jpg", caption: "ảnh" });
      await zl.settled();

      expect(rx.got.map((r) => r.headers[ZALO_SECRET_HEADER.toLowerCase()])).toEqual(Array(4).fill("secret-token-1"));
      for (const r of rx.got) expect(Array.isArray(r.body)).toBe(false);
      expect(rx.got.map((r) => r.body)).toEqual([
        { ok: true, result: queued },
        { ok: true, result: queued },
        { ok: true, result: queued },
        { ok: true, result: later },
      ]);
      expect(later.message).toMatchObject({ photo: "https://img.example.org/a.jpg", caption: "ảnh" });
      expect(zl.deliveries.map((d) => [d.attempt, d.status, d.outcome])).toEqual([
        [1, 500, "retry"],
        [2, 500, "retry"],
        [3, 200, "delivered"],
        [1, 200, "delivered"],
      ]);
      expect(zl.deliveries[2]!.at - zl.deliveries[0]!.at).toBeGreaterThanOrEqual(290); // 100 + 200 ms
    } finally {
      await rx.close();
    }
  });

  it("records a connection error as a failed attempt and gives up after maxAttempts", async () => {
    await zl.stop();
    zl = await FakeZalo.start({ webhookRetry: { initialDelayMs: 10, maxAttempts: 3 } });
    const rx = await receiver();
    await rx.close(); // nothing listens there any more
    await call(zl, "setWebhook", { url: rx.url, secret_token: "secret-token-1" });
    const u = zl.user({ displayName: "Em" });
    zl.sendText(u, zl.privateChat(u), "lost");
    await zl.settled();
    expect(zl.deliveries.map((d) => [d.status, d.outcome])).toEqual([
      [null, "retry"],
      [null, "retry"],
      [null, "gave-up"],
    ]);
    expect(zl.deliveries[0]!.error).toBeTruthy();
  });
});

describe("FakeZalo: sending", () => {
  it("sendMessage refuses unknown chats, empty and over-long text; records what it accepts", async () => {
    const u = zl.user({ displayName: "Giang" });
    const chat = zl.privateChat(u);
    const unknown = await call(zl, "sendMessage", { chat_id: chat.id, text: "hello" });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ ok: false, error_code: ZALO_ERRORS.forbidden.error_code });

    zl.sendText(u, chat, "mã 1234");
    for (const text of ["", "a".repeat(ZALO_MAX_TEXT + 1)]) {
      const r = await call(zl, "sendMessage", { chat_id: chat.id, text });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ ok: false, error_code: 400 });
      expect(r.body.description).toMatch(/text must be 1–2000 characters/);
    }
    expect(zl.sent()).toEqual([]);

    const ok = await call<{ message_id: string; date: number }>(zl, "sendMessage", { chat_id: chat.id, text: "a".repeat(ZALO_MAX_TEXT) });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.result?.message_id).toBe("string");
    expect(Math.abs(ok.body.result!.date - Date.now())).toBeLessThan(5000);
    const [sent] = await zl.waitForSent(chat.id, 1);
    expect(sent).toMatchObject({ chat_id: chat.id, method: "sendMessage", message_id: ok.body.result?.message_id, date: ok.body.result?.date });
  });

  it("waitForSent rejects with a listing of what was sent and refused", async () => {
    const u = zl.user({ displayName: "Hà" });
    const chat = zl.privateChat(u);
    zl.sendText(u, chat, "hi");
    await call(zl, "sendMessage", { chat_id: chat.id, text: "first reply" });
    await call(zl, "sendMessage", { chat_id: "999", text: "nowhere" });
    await expect(zl.waitForSent(chat.id, (m) => m.text.includes("never"), 100)).rejects.toThrow(/first reply[\s\S]*sendMessage chat_id=999 → HTTP 403/);
  });

  it("sendChatAction answers {ok:true} only; sendVoice works in private chats only", async () => {
    const u = zl.user({ displayName: "Khánh" });
    const chat = zl.privateChat(u);
    const group = zl.group();
    zl.sendText(u, chat, "hi");
    zl.sendText(u, group, "hi all");
    expect((await call(zl, "sendChatAction", { chat_id: chat.id, action: "typing" })).body).toEqual({ ok: true });
    expect((await call(zl, "sendVoice", { chat_id: chat.id, voice_url: "https://cdn.example.org/v.aac" })).body.ok).toBe(true);
    expect((await call(zl, "sendVoice", { chat_id: group.id, voice_url: "https://cdn.example.org/v.aac" })).status).toBe(400);
    expect((await call(zl, "sendVoice", { chat_id: chat.id, voice_url: "https://cdn.example.org/v.mp3" })).status).toBe(400);
    expect(zl.sent().map((m) => m.method)).toEqual(["sendVoice"]);
  });
});

describe("FakeZalo: faults", () => {
  it("failNext 429, okFalse and auth affect only the next matching call", async () => {
    const u = zl.user({ displayName: "Lan" });
    const chat = zl.privateChat(u);
    zl.sendText(u, chat, "hi");
    zl.failNext("sendMessage", { status: 429 });
    zl.failNext("sendMessage", { okFalse: { error_code: -201, description: "Message too fast" } });
    zl.failNext("getMe", { auth: true });

    const limited = await call(zl, "sendMessage", { chat_id: chat.id, text: "1" });
    expect(limited).toEqual({ status: 429, body: { ok: false, error_code: 429, description: "Too many requests" } });
    expect(await call(zl, "sendMessage", { chat_id: chat.id, text: "2" })).toEqual({
      status: 200,
      body: { ok: false, error_code: -201, description: "Message too fast" },
    });
    expect((await call(zl, "getMe")).status).toBe(401);
    expect((await call(zl, "getMe")).status).toBe(200);
    expect((await call(zl, "sendMessage", { chat_id: chat.id, text: "3" })).body.ok).toBe(true);
    expect(zl.sent().map((m) => m.text)).toEqual(["3"]);
    expect(zl.calls.map((c) => c.fault ?? "-")).toEqual(["status 429", "okFalse -201", "auth", "-", "-"]);
  });

  it("failNext by chatId, reset, and down() answering HTML 502", async () => {
    const u = zl.user({ displayName: "Minh" });
    const a = zl.privateChat(u);
    const g = zl.group();
    zl.sendText(u, a, "hi");
    zl.sendText(u, g, "hi");
    zl.failNext("sendMessage", { status: 500 }, 1, { chatId: g.id });
    expect((await call(zl, "sendMessage", { chat_id: a.id, text: "ok" })).status).toBe(200);
    expect((await call(zl, "sendMessage", { chat_id: g.id, text: "x" })).status).toBe(500);

    zl.failNext("sendMessage", { reset: true, afterEffect: true });
    await expect(call(zl, "sendMessage", { chat_id: a.id, text: "ambiguous" })).rejects.toThrow();
    expect(zl.sent(a.id).map((m) => m.text)).toEqual(["ok", "ambiguous"]);

    zl.down(true);
    const res = await fetch(`${zl.apiRoot}/bot${zl.token}/getMe`, { method: "POST" });
    expect([res.status, await res.text()]).toEqual([502, ZALO_BAD_GATEWAY_BODY]);
    zl.down(false);
    expect((await call(zl, "getMe")).status).toBe(200);
  });

  it("hangMs holds the call; a client that gives up gets nothing, and the call is recorded without status", async () => {
    zl.failNext("getMe", { hangMs: 300 });
    const signal = AbortSignal.timeout(50);
    await expect(fetch(`${zl.apiRoot}/bot${zl.token}/getMe`, { method: "POST", signal })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 350));
    expect(zl.calls).toMatchObject([{ method: "getMe", status: null, ok: null, fault: "hang 300ms" }]);
    expect((await call(zl, "getMe")).status).toBe(200);
  });

  it("revokeToken makes every call 401 from then on", async () => {
    zl.revokeToken();
    for (const m of ["getMe", "getUpdates", "sendMessage"]) {
      expect(await call(zl, m, { timeout: 0 })).toEqual({ status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } });
    }
  });

  it("enforceLimits answers 429 beyond perSecond; stop() releases pending long polls", async () => {
    zl.enforceLimits({ perSecond: 3, scale: 1 });
    const statuses = await Promise.all(Array.from({ length: 5 }, () => call(zl, "getMe").then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 200, 200, 429, 429]);
    expect(zl.stats()).toMatchObject({ rateLimited: 2, peakPerWindow: 3 });

    const poll = call(zl, "getUpdates", { timeout: 30 });
    await new Promise((r) => setTimeout(r, 50));
    await zl.stop();
    expect((await poll).body).toEqual(ZALO_EMPTY_POLL);
  });
});
