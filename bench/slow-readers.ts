/**
 * `npx tsx bench/slow-readers.ts`: the outside probe of issue 9, item 1, against a server
 * process. Posts a backlog of 9 KB messages in one sandbox chat, opens many event streams
 * on raw sockets that never read, posts more 9 KB messages, and reports the server's RSS
 * before, at its peak and after the sockets are gone, with how many streams were accepted.
 * One JSON document on stdout.
 *
 * Env: SLOW_STREAMS (default 200), SLOW_BACKLOG (messages before, default 300), SLOW_LIVE
 * (messages after, default 100), SLOW_SERVER_ENV (extra server variables, e.g.
 * "SANDBOX_STREAMS_MAX=200,SANDBOX_STREAMS_PER_CHAT=200" to let every stream in and see
 * the unsent-data bound alone).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { RssSampler, startServer } from "./server.js";

const STREAMS = Number(process.env.SLOW_STREAMS ?? 200);
const BACKLOG = Number(process.env.SLOW_BACKLOG ?? 300);
const LIVE = Number(process.env.SLOW_LIVE ?? 100);
const extra = Object.fromEntries(
  (process.env.SLOW_SERVER_ENV ?? "")
    .split(",")
    .filter(Boolean)
    .map((kv) => kv.split("=") as [string, string]),
);
const CHAT = "slow-probe";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let failedPosts = 0;
async function post(url: string, i: number): Promise<void> {
  const res = await fetch(`${url}/sandbox/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chatId: CHAT, chatKind: "group", chatTitle: "Probe", userId: "probe", userName: "Probe", text: `${i} ${"x".repeat(9 * 1024)}` }),
  });
  if (res.status !== 202) throw new Error(`post → ${res.status}`);
}

/** A post the server could not take is counted, not fatal: what the server did is the measure. */
async function tryPost(url: string, i: number): Promise<void> {
  await post(url, i).catch(() => failedPosts++);
}

/** A stream that is never read; resolves with the status line's code. */
function nonReader(url: string): Promise<{ socket: Socket; status: number }> {
  const { hostname, port } = new URL(url);
  return new Promise<{ socket: Socket; status: number }>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.on("error", () => undefined);
    socket.once("connect", () => socket.write(`GET /sandbox/api/stream?chatId=${CHAT} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`));
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      resolve({ socket, status: Number(chunk.toString("latin1").split(" ")[1]) });
    });
    socket.once("error", reject);
  }).catch(() => ({ socket: new Socket(), status: 0 }));
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "slow-readers-"));
const server = await startServer({ DATA_DIR: dataDir, ...extra }, { label: "slow-readers", readyTimeoutMs: 300_000 });
try {
  await sleep(2000);
  const idle = server.rssMB();
  for (let i = 0; i < BACKLOG; i++) await post(server.url, i);
  await sleep(2000);
  const withBacklog = server.rssMB();
  const sampler = new RssSampler(server.pid);
  sampler.start();
  const opened = await Promise.all(Array.from({ length: STREAMS }, () => nonReader(server.url)));
  for (let i = 0; i < LIVE; i++) await tryPost(server.url, BACKLOG + i);
  await sleep(5000);
  const peak = sampler.stop().peakMB;
  const underProbe = server.rssMB();
  for (const o of opened) o.socket.destroy();
  await sleep(10_000);
  const statuses: Record<string, number> = {};
  for (const o of opened) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify({ streams: STREAMS, backlog: BACKLOG, live: LIVE, messageKB: 9, serverEnv: extra, statuses, failedPosts, rssMB: { idle, withBacklog, peak, underProbe, afterClose: server.rssMB() } }, (_k, v) => (typeof v === "number" ? Math.round(v) : v))}\n`,
  );
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
