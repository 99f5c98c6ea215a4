/**
 * The web sandbox as a door for the load (load.ts). Each officer has one server-sent-events
 * stream on its private chat, opened before the clock starts; an input is one POST to
 * /sandbox/api/messages, and the bot's answer is the bot message that arrives on the
 * stream after the posted one.
 */
import http, { type ClientRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { ReplyBuffer, type Conversation, type Door, type Input, type Msg } from "./load.js";
import { officersFor, webSeat, type Officer } from "./setup.js";

/**
 * The SSE stream of one chat: buffers recent bot messages and wakes whoever waits.
 *
 * The server writes the response headers only with the first event (or the 15 s ping), so
 * a chat with no messages yet gives no sign that its stream is open. `open` therefore
 * resolves once the request has been sent; the caller lets the server settle before it
 * starts the clock. No message can be missed either way: the stream starts from `after`.
 */
export class ChatStream extends ReplyBuffer {
  private req: ClientRequest | null = null;
  private closed = false;
  reconnects = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly chatId: string,
  ) {
    super();
  }

  open(): Promise<void> {
    const url = `${this.baseUrl}/sandbox/api/stream?chatId=${encodeURIComponent(this.chatId)}&after=${this.lastSeq}`;
    return new Promise((resolve, reject) => {
      const req = http.get(url, { headers: { accept: "text/event-stream" } });
      this.req = req;
      let sent = false;
      let ended = false;
      const retry = () => {
        if (ended) return;
        ended = true;
        if (sent) this.reconnect();
      };
      req.once("finish", () => {
        sent = true;
        resolve();
      });
      req.once("error", (e) => {
        if (!sent) reject(e);
        retry();
      });
      req.once("response", (res) => {
        res.on("error", retry);
        if (res.statusCode !== 200) {
          res.resume();
          res.once("end", retry);
          return;
        }
        res.setEncoding("utf8");
        let buf = "";
        res.on("data", (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf("\n\n")) >= 0) {
            const event = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = event
              .split("\n")
              .filter((l) => l.startsWith("data:"))
              .map((l) => l.slice(5).trimStart())
              .join("\n");
            if (data) this.deliver(JSON.parse(data) as Msg, at);
          }
        });
        res.once("close", retry);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }

  /** The connection ended while the load runs: open it again from the last message seen. */
  private reconnect(): void {
    if (this.closed) return;
    this.reconnects++;
    this.req?.destroy();
    setTimeout(() => {
      if (!this.closed) this.open().catch(() => {});
    }, 200);
  }
}

/** An officer in the sandbox: POSTs its inputs, reads the answers on its chat's stream. */
class SandboxChat extends ChatStream implements Conversation {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly officer: Officer,
  ) {
    super(url, officer.chatId);
    this.name = officer.userId;
  }

  /** One POST; resolves with the seq of the stored message when the server answers 202. */
  async send(input: Input): Promise<number> {
    const o = this.officer;
    const res = await fetch(`${this.url}/sandbox/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chatId: o.chatId, chatKind: "private", userId: o.userId, userName: o.userName, ...input }),
    });
    const body = await res.text();
    if (res.status !== 202) throw new Error(`POST → HTTP ${res.status}: ${body.slice(0, 120)}`);
    return (JSON.parse(body) as { seq: number }).seq;
  }
}

function sandboxChats(baseUrl: string, officers: Officer[]): Conversation[] {
  return officers.map((o) => new SandboxChat(baseUrl, o));
}

/** The sandbox for `count` officers (web identities on demo units), and `warmupCount` more for the warm-up. */
export function sandboxDoor(count: number, warmupCount: number): Door {
  const { officers, warmup } = officersFor(count, warmupCount);
  return {
    world: "demo",
    seats: [...officers, ...warmup].map(webSeat),
    // One stream per officer, warm-up included: room for all of them (the default cap is 100).
    env: { SANDBOX_STREAMS_MAX: String(Math.max(100, count + warmupCount)) },
    // The streams give no sign of being open: leave them time to connect before the clock starts.
    settleMs: 1500,
    chats: (url) => ({ load: sandboxChats(url, officers), warmup: sandboxChats(url, warmup) }),
  };
}
