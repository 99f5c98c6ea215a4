/**
 * The sandbox's event streams against slow readers, over real sockets: clients that never
 * read are cut off once the server holds a small bound of unsent data for them (the
 * server's own accounting stays bounded all along), a reading client keeps its stream and
 * gets everything, a new stream replays a bounded backlog, and open streams are capped per
 * chat and in all with a clear refusal.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { group } from "../support/sandbox-client.js";

const probe = group("probe-streams", "Nhóm thử");
const writer = { userId: "probe-writer", userName: "Người thử" };
/** A 9 KB message, as in the outside probe. */
const big = (i: number, kb = 9) => `${i} ${"x".repeat(kb * 1024)}`;

/** Opens a stream on a raw socket, waits for its 200, then stops reading for good. */
async function nonReader(url: string, chatId: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => socket.write(`GET /sandbox/api/stream?chatId=${chatId} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`));
    socket.once("data", (chunk: Buffer) => {
      const head = chunk.toString("latin1");
      if (!head.startsWith("HTTP/1.1 200")) reject(new Error(`stream refused: ${head.split("\r\n")[0]}`));
      // Never read again: the kernel's buffers fill, then the server's.
      socket.pause();
      resolve();
    });
    socket.once("error", reject);
  });
  return socket;
}

/** A client that reads: collects the seq of every event it receives. */
function reader(url: string, chatId: string, after = 0): { seqs: number[]; response: Promise<Response>; close(): void } {
  const controller = new AbortController();
  const seqs: number[] = [];
  const response = fetch(`${url}/sandbox/api/stream?chatId=${chatId}&after=${after}`, { signal: controller.signal });
  void response.then(async (res) => {
    if (!res.ok || !res.body) return;
    let text = "";
    const decoder = new TextDecoder();
    try {
      const body = res.body.getReader();
      for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
        text += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const id = /^id: (\d+)$/m.exec(text.slice(0, end));
          if (id) seqs.push(Number(id[1]));
          text = text.slice(end + 2);
        }
      }
    } catch {
      // aborted
    }
  });
  return { seqs, response, close: () => controller.abort() };
}

async function post(t: TestApp, chatId: string, text: string): Promise<number> {
  const res = await t.client.post({ chatId, chatKind: "group", chatTitle: probe.chatTitle, ...writer, text });
  expect(res.status).toBe(202);
  return ((await res.json()) as { seq: number }).seq;
}

/** What the bot sends on its own (an announcement) lands in the chat's transcript: fast, no dialog. */
function announce(t: TestApp, chatId: string, text: string): Promise<number> {
  return t.app.sandbox!.transcript.addBotMessage(`web:${chatId}`, { text });
}

describe("sandbox event streams and slow readers", () => {
  let t: TestApp | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await t?.stop();
    t = undefined;
  });

  it("cuts off clients that never read once a small bound is unsent, keeps the server's buffers bounded, and a reading client gets every message", { timeout: 240_000 }, async () => {
    const bound = 64 * 1024;
    t = await startTestApp("pglite", { config: { sandboxStreams: { maxUnsentBytes: bound, perChat: 50, total: 50 } } });
    const streams = t.app.sandbox!;
    await post(t, probe.chatId, "mở đầu");
    await t.app.idle();
    const slow = 10;
    for (let i = 0; i < slow; i++) sockets.push(await nonReader(t.app.url, probe.chatId));
    const healthy = reader(t.app.url, probe.chatId);
    expect((await healthy.response).status).toBe(200);
    await expect.poll(() => streams.streamStats().open).toBe(slow + 1);

    // Send 32 KB messages until every non-reader is cut off (on loopback the kernel's own
    // buffers take a few MB per socket first); the server's unsent bytes never pass the
    // bound (plus the one message that crossed it) for any stream.
    const frameMax = 32 * 1024 + 200;
    let most = 0;
    const posted: number[] = [];
    for (let i = 0; i < 400 && streams.streamStats().closedSlow < slow; i++) {
      posted.push(await announce(t, probe.chatId, big(i, 32)));
      const s = streams.streamStats();
      most = Math.max(most, s.maxUnsentBytes);
      expect(s.unsentBytes).toBeLessThanOrEqual(s.open * (bound + frameMax));
    }
    await expect.poll(() => streams.streamStats().closedSlow).toBe(slow);
    const after = streams.streamStats();
    expect(after.open).toBe(1);
    expect(most).toBeLessThanOrEqual(bound + frameMax);
    // The reader that reads was never cut off and got every message, in order.
    // (Its first messages came before the posts: wait for the last post itself, which a busy machine may still be writing.)
    await expect.poll(() => healthy.seqs.includes(posted.at(-1)!), { timeout: 60_000 }).toBe(true);
    expect(healthy.seqs.filter((s) => posted.includes(s))).toEqual(posted);
    healthy.close();
    await expect.poll(() => streams.streamStats().open).toBe(0);
  });

  it("a new stream replays only the newest messages, within a count and a size", async () => {
    t = await startTestApp("pglite", { config: { sandboxStreams: { replayMessages: 5, replayBytes: 30 * 1024 } } });
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) seqs.push(await announce(t, probe.chatId, `tin ${i}`));
    const newest = seqs.slice(-5);

    const short = reader(t.app.url, probe.chatId);
    await expect.poll(() => short.seqs.length).toBe(5);
    expect(short.seqs).toEqual(newest);
    short.close();

    // Large messages: the size bound keeps fewer (three 9 KB messages fit in 30 KB).
    const bigSeqs: number[] = [];
    for (let i = 0; i < 6; i++) bigSeqs.push(await announce(t, probe.chatId, big(i)));
    const sized = reader(t.app.url, probe.chatId, Math.max(...newest));
    await expect.poll(() => sized.seqs.length).toBe(3);
    expect(sized.seqs).toEqual(bigSeqs.slice(-3));
    sized.close();
  });

  it("caps open streams per chat (429) and in all (503) with a clear JSON refusal; a closed stream frees its place", async () => {
    t = await startTestApp("pglite", { config: { sandboxStreams: { perChat: 2, total: 3 } } });
    const open = [reader(t.app.url, "cap-a"), reader(t.app.url, "cap-a")];
    for (const r of open) expect((await r.response).status).toBe(200);

    const third = await fetch(`${t.app.url}/sandbox/api/stream?chatId=cap-a`);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("30");
    expect(await third.json()).toEqual({ error: "too many open streams for this chat: read it with GET /sandbox/api/messages" });

    const other = reader(t.app.url, "cap-b");
    expect((await other.response).status).toBe(200);
    const beyond = await fetch(`${t.app.url}/sandbox/api/stream?chatId=cap-c`);
    expect(beyond.status).toBe(503);
    expect(await beyond.json()).toEqual({ error: "too many open streams: read the transcript with GET /sandbox/api/messages for now" });
    expect(t.app.sandbox!.streamStats()).toMatchObject({ open: 3, refused: 2 });

    open[0]!.close();
    await expect.poll(() => t!.app.sandbox!.streamStats().open).toBe(2);
    const again = reader(t.app.url, "cap-a");
    expect((await again.response).status).toBe(200);
    for (const r of [open[1]!, other, again]) r.close();
  });
});
