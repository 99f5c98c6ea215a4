/**
 * The sandbox's server-sent event streams, kept from exhausting memory: a stream whose
 * client does not read is closed once the data Node holds for it passes a small bound
 * (its `writableLength`), a new stream replays only a bounded backlog, and the number of
 * open streams is capped per chat and in all. A closed or refused stream loses nothing:
 * the transcript is in the database, and the page reads it again (polling) and reconnects.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "../../http/server.js";
import type { Transcript, TranscriptMessage } from "./transcript.js";

export interface StreamLimits {
  /** Bytes Node may hold unsent for one stream; past this the stream is closed. */
  maxUnsentBytes: number;
  /** A new stream replays at most this many of the newest messages after `after`… */
  replayMessages: number;
  /** …and at most this many bytes of them (the newest first; at least one message). */
  replayBytes: number;
  /** Open streams per sandbox chat. */
  perChat: number;
  /** Open streams in all, in this process. */
  total: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxUnsentBytes: 256 * 1024,
  replayMessages: 100,
  replayBytes: 128 * 1024,
  perChat: 10,
  total: 100,
};

/** What the streams hold now, and what was closed or refused since start: for operators and tests. */
export interface StreamStats {
  open: number;
  /** Bytes written to open streams that their clients have not taken yet (Node's own count). */
  unsentBytes: number;
  /** The most any one open stream holds unsent. */
  maxUnsentBytes: number;
  /** Streams closed because their clients did not read. */
  closedSlow: number;
  /** Streams refused because a cap was reached. */
  refused: number;
}

interface OpenStream {
  chatKey: string;
  res: ServerResponse;
}

const PING_MS = 15_000;

function frame(m: TranscriptMessage): string {
  return `id: ${m.seq}\ndata: ${JSON.stringify(m)}\n\n`;
}

export class SandboxStreams {
  readonly limits: StreamLimits;
  private readonly open = new Set<OpenStream>();
  private closedSlow = 0;
  private refused = 0;

  constructor(
    private readonly transcript: Transcript,
    /** How often an open stream also looks in the database (another instance's messages); null: never. */
    private readonly pollMs: number | null,
    limits: Partial<StreamLimits> = {},
  ) {
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...limits };
  }

  stats(): StreamStats {
    let unsent = 0;
    let most = 0;
    for (const s of this.open) {
      unsent += s.res.writableLength;
      most = Math.max(most, s.res.writableLength);
    }
    return { open: this.open.size, unsentBytes: unsent, maxUnsentBytes: most, closedSlow: this.closedSlow, refused: this.refused };
  }

  private countFor(chatKey: string): number {
    let n = 0;
    for (const s of this.open) if (s.chatKey === chatKey) n++;
    return n;
  }

  /** Opens a stream of `chatKey` after `after`, or refuses it (429 for the chat, 503 in all). */
  async serve(req: IncomingMessage, res: ServerResponse, chatKey: string, after: number): Promise<void> {
    if (this.open.size >= this.limits.total) {
      this.refused++;
      res.setHeader("retry-after", "30");
      throw new HttpError(503, "too many open streams: read the transcript with GET /sandbox/api/messages for now");
    }
    if (this.countFor(chatKey) >= this.limits.perChat) {
      this.refused++;
      res.setHeader("retry-after", "30");
      throw new HttpError(429, "too many open streams for this chat: read it with GET /sandbox/api/messages");
    }
    const stream: OpenStream = { chatKey, res };
    this.open.add(stream);
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    // Open the stream now, not at the first message: an empty chat is a valid stream.
    res.flushHeaders();

    let closed = false;
    let last = after;
    let busy = false;
    let again = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.open.delete(stream);
      if (poll) clearInterval(poll);
      clearInterval(ping);
      this.transcript.events.off("message", onMessage);
    };
    /** Writes one frame; false when the client is too far behind and the stream was closed. */
    const write = (data: string): boolean => {
      if (closed) return false;
      res.write(data);
      if (res.writableLength <= this.limits.maxUnsentBytes) return true;
      this.closedSlow++;
      close();
      // The unsent data is dropped with the socket: that is the memory given back.
      res.destroy();
      return false;
    };
    const push = async (first: boolean) => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const msgs = first ? await this.backlog(chatKey, last) : await this.transcript.after(chatKey, last, 50);
          first = false;
          for (const m of msgs) {
            if (!write(frame(m))) return;
            last = m.seq;
          }
          // A full page: there may be more.
          if (msgs.length === 50) again = true;
        } while (again && !closed);
      } catch {
        // the database hiccuped: the next message or poll retries
      } finally {
        busy = false;
      }
    };
    const onMessage = (key: string) => {
      if (key === chatKey) void push(false);
    };
    this.transcript.events.on("message", onMessage);
    const poll = this.pollMs ? setInterval(() => void push(false), this.pollMs) : null;
    const ping = setInterval(() => write(": ping\n\n"), PING_MS);
    req.on("close", close);
    res.on("close", close);
    await push(true);
  }

  /** The newest messages after `after`, within the replay bounds, oldest first. */
  private async backlog(chatKey: string, after: number): Promise<TranscriptMessage[]> {
    const newest = await this.transcript.latest(chatKey, after, this.limits.replayMessages);
    let bytes = 0;
    let from = newest.length;
    while (from > 0) {
      bytes += Buffer.byteLength(frame(newest[from - 1]!));
      if (bytes > this.limits.replayBytes && from < newest.length) break;
      from--;
    }
    return newest.slice(from);
  }
}
