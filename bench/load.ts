/**
 * The closed-loop load, whatever the door. Each simulated officer has one private chat
 * (a Conversation: the web sandbox, or a fake Telegram/Zalo server) and walks the /baocao
 * dialog: pick Đợt 2, answer the figures, write the narrative, then "Nhập lại số liệu" at
 * the summary and around again, never submitting. A step is one input and the bot's reply
 * to it; its latency runs from just before the input is sent to the arrival of the bot
 * message that answers it. Replies are recognised by the texts of locales/vi/bot.json,
 * not by guessing.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { REPO_ROOT } from "./server.js";
import type { Seat, World } from "./setup.js";

/** A message of the chat as the dialog script sees it, whatever the door. */
export interface Msg {
  seq: number;
  from: "bot" | "user";
  text: string;
  /** Buttons (Telegram, sandbox) or numbered lines (Zalo); `id` is what `send` needs to pick one. */
  choices?: { id: string; label: string }[];
}

/** A bot message and when (performance.now()) it arrived. */
export interface Arrived {
  msg: Msg;
  at: number;
}

export type Input = { text: string } | { choice: string };
export type Reply = { ok: true; reply: Arrived } | { ok: false; reason: string };

/** One officer's private chat with the bot, through one door. */
export interface Conversation {
  /** For the trace: the officer's id on that door. */
  readonly name: string;
  /** Times the connection to the door had to be opened again. */
  readonly reconnects: number;
  /** Get ready to see replies (before the clock starts). */
  open(): Promise<void>;
  /** Send the officer's input; resolves, once the door took it, with the seq replies must come after. */
  send(input: Input): Promise<number>;
  waitReply(afterSeq: number, isReply: (m: Msg) => boolean, timeoutMs: number): Promise<Reply>;
  close(): void;
}

/** A way into the bot: who must exist in the database, how the server reaches the door, the chats. */
export interface Door {
  /** The database world its identities belong to (sandbox: demo; platforms: real). */
  readonly world: World;
  /** The officers of the load, then those of the warm-up, as the database must know them. */
  readonly seats: Seat[];
  /** For the server process, on top of the database's. */
  readonly env: Record<string, string>;
  /** Quiet time between opening the chats and the first input. */
  readonly settleMs: number;
  /** Once the server runs at `url`: anything the door needs before the first input. */
  started?(url: string): Promise<void>;
  /** The chats of the load and of the warm-up (in the order of `seats`). */
  chats(url: string): { load: Conversation[]; warmup: Conversation[] };
}

// ---------------------------------------------------------------- the texts to expect

/** A template of the catalogue as a regex anchored at the start; `{{name}}` of `capture` become (\d+). */
function templateRegex(template: string, capture: string[] = []): RegExp {
  // A placeholder may carry a format: {{max, number}}.
  const parts = template.split(/(\{\{\w+(?:, *\w+)?\}\})/);
  const body = parts
    .map((p) => {
      const m = /^\{\{(\w+)(?:, *\w+)?\}\}$/.exec(p);
      if (!m) return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return capture.includes(m[1]!) ? "(\\d+)" : "[\\s\\S]*?";
    })
    .join("");
  return new RegExp(`^${body}`);
}

export interface Texts {
  /** "Đợt {{ordinal}} (…" — group 1 is the ordinal. */
  phaseLabel: RegExp;
  /** Appears in a phase's label when it has not started yet. */
  notOpen: RegExp;
  /** "({{n}}/{{total}}) …" — groups 1 and 2. */
  askFigure: RegExp;
  askNarrative: RegExp;
  redoLabel: string;
  /** The first line of /help's answer. */
  helpHead: string;
}

export function loadTexts(locale = "vi"): Texts {
  const bot = JSON.parse(readFileSync(path.join(REPO_ROOT, "locales", locale, "bot.json"), "utf8")) as {
    phase: { label: string };
    report: { not_open: string; ask_figure: string; ask_narrative: string; action: { redo: string } };
    help: { head: string };
  };
  return {
    phaseLabel: templateRegex(bot.phase.label, ["ordinal"]),
    notOpen: new RegExp(templateRegex(bot.report.not_open).source.slice(1)),
    askFigure: templateRegex(bot.report.ask_figure, ["n", "total"]),
    askNarrative: templateRegex(bot.report.ask_narrative),
    redoLabel: bot.report.action.redo,
    helpHead: bot.help.head,
  };
}

// ---------------------------------------------------------------- waiting for replies

/**
 * Recent bot messages of one chat, and whoever waits for them. A door delivers each bot
 * message as it arrives; `waitReply` picks the one that answers a step.
 */
export class ReplyBuffer {
  private recent: Arrived[] = [];
  private readonly listeners = new Set<(a: Arrived) => void>();
  /** The highest seq delivered so far. */
  protected lastSeq = 0;

  /** Messages at or below the last seq are dropped (a stream replays after a reconnect). */
  protected deliver(msg: Msg, at: number): void {
    if (msg.seq <= this.lastSeq) return;
    this.lastSeq = msg.seq;
    if (msg.from !== "bot") return;
    const a = { msg, at };
    this.recent.push(a);
    if (this.recent.length > 50) this.recent = this.recent.slice(-20);
    for (const l of this.listeners) l(a);
  }

  /**
   * Wait for the bot message answering the user message `afterSeq`: the first bot message
   * after it that `isReply` accepts (a reply may be a note, then the prompt). Bot messages
   * that do not match fail the step after `graceMs` unless a matching one follows.
   */
  waitReply(afterSeq: number, isReply: (m: Msg) => boolean, timeoutMs: number, graceMs = 2000): Promise<Reply> {
    return new Promise((resolve) => {
      let grace: NodeJS.Timeout | null = null;
      let other: Msg | null = null;
      const finish = (r: Reply) => {
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        this.listeners.delete(listener);
        resolve(r);
      };
      const listener = (a: Arrived) => {
        if (a.msg.seq <= afterSeq) return;
        if (isReply(a.msg)) return finish({ ok: true, reply: a });
        other ??= a.msg;
        grace ??= setTimeout(() => finish({ ok: false, reason: `unexpected reply: ${other!.text.slice(0, 160)}` }), graceMs);
      };
      const timer = setTimeout(() => finish({ ok: false, reason: other ? `unexpected reply: ${other.text.slice(0, 160)}` : "no reply in time: the input was taken, the reply did not come" }), timeoutMs);
      this.listeners.add(listener);
      // The reply may have come before the door said it took the input.
      for (const a of this.recent) listener(a);
    });
  }
}

// ---------------------------------------------------------------- the dialog script

type State =
  | { kind: "start" }
  | { kind: "phase"; choiceId: string }
  | { kind: "figure"; n: number; total: number }
  | { kind: "narrative" }
  | { kind: "summary"; redoId: string };

interface Move {
  input: Input;
  isReply: (m: Msg) => boolean;
  next: (reply: Msg) => State;
}

const NARRATIVE = "Đơn vị tổ chức thi đua sôi nổi, nhiều sáng kiến được công nhận và áp dụng.";

/** The phase to report on: Đợt 2 when it is open, else the latest open phase. */
function pickPhase(texts: Texts, m: Msg, wanted: number): string | null {
  const phases = (m.choices ?? []).flatMap((c) => {
    const ord = texts.phaseLabel.exec(c.label)?.[1];
    return ord ? [{ id: c.id, ordinal: Number(ord), open: !texts.notOpen.test(c.label) }] : [];
  });
  const open = phases.filter((p) => p.open);
  return (open.find((p) => p.ordinal === wanted) ?? open.at(-1))?.id ?? null;
}

function figure(texts: Texts, m: Msg): { n: number; total: number } | null {
  const f = texts.askFigure.exec(m.text);
  return f ? { n: Number(f[1]), total: Number(f[2]) } : null;
}

/** What to send in `state`, how to recognise the answer, and where it leads. */
function move(texts: Texts, state: State, step: number): Move {
  switch (state.kind) {
    case "start":
      return {
        input: { text: "/baocao" },
        isReply: (m) => pickPhase(texts, m, 2) !== null,
        next: (m) => ({ kind: "phase", choiceId: pickPhase(texts, m, 2)! }),
      };
    case "phase":
      return {
        input: { choice: state.choiceId },
        isReply: (m) => figure(texts, m)?.n === 1,
        next: (m) => ({ kind: "figure", ...figure(texts, m)! }),
      };
    case "figure": {
      const last = state.n >= state.total;
      return {
        input: { text: String(1000 + ((step * 37) % 9000)) },
        isReply: last ? (m) => texts.askNarrative.test(m.text) : (m) => figure(texts, m)?.n === state.n + 1,
        next: last ? () => ({ kind: "narrative" }) : () => ({ kind: "figure", n: state.n + 1, total: state.total }),
      };
    }
    case "narrative":
      return {
        input: { text: NARRATIVE },
        isReply: (m) => Boolean(m.choices?.some((c) => c.label === texts.redoLabel)),
        next: (m) => ({ kind: "summary", redoId: m.choices!.find((c) => c.label === texts.redoLabel)!.id }),
      };
    case "summary":
      return {
        input: { choice: state.redoId },
        isReply: (m) => figure(texts, m)?.n === 1,
        next: (m) => ({ kind: "figure", ...figure(texts, m)! }),
      };
  }
}

/** The other script: "/help" again and again, the lightest update that reads the person and answers. */
export function helpMove(texts: Texts): Move {
  return { input: { text: "/help" }, isReply: (m) => m.text.startsWith(texts.helpHead), next: () => ({ kind: "start" }) };
}

// ---------------------------------------------------------------- the load

export interface LoadOptions {
  /** One per officer, not opened yet. */
  chats: Conversation[];
  stepsPerOfficer: number;
  replyTimeoutMs: number;
  texts: Texts;
  /** Quiet time between opening the chats and the first input. */
  settleMs?: number;
  /** No officer starts a step later than this after the start (keeps the bench bounded). */
  deadlineMs?: number;
  /** Keep a record of every step in the result. */
  trace?: boolean;
  /** What each officer does: walk the report dialog (default), or send /help each step. */
  script?: Script;
}

export type Script = "report" | "help";

export interface LoadResult {
  /** Steps attempted (a step is counted when its input is sent). */
  steps: number;
  /** Steps not attempted because the deadline passed. */
  skipped: number;
  durationMs: number;
  /** Latency of each successful step, ms: input sent → reply arrived. */
  latencies: number[];
  /** Of each successful step, the part until the door took the input, ms. */
  accepted: number[];
  /** For each officer, first input → last reply, ms. */
  officerSpans: number[];
  errors: number;
  /** Error reasons (digits masked) with their counts. */
  errorReasons: Record<string, number>;
  reconnects: number;
  /** Every step, when `trace` was asked for (BENCH_TRACE): for finding slow spots. */
  trace?: TraceRecord[];
}

export interface TraceRecord {
  officer: string;
  step: number;
  state: State["kind"];
  /** ms since the load started. */
  start: number;
  /** Wall clock (ms since the epoch) when the input was sent, to match with server logs. */
  sentAt: number;
  /** Sequence number the reply must come after (absent when sending failed). */
  seq?: number;
  /** ms until the door took the input. */
  postMs?: number;
  latencyMs?: number;
  error?: string;
}

/** One officer: its steps one after another, each waiting for the bot's reply. */
async function runOfficer(chat: Conversation, opts: LoadOptions, out: LoadResult, origin: number): Promise<void> {
  let state: State = { kind: "start" };
  for (let step = 0; step < opts.stepsPerOfficer; step++) {
    if (opts.deadlineMs !== undefined && performance.now() - origin > opts.deadlineMs) {
      out.skipped += opts.stepsPerOfficer - step;
      break;
    }
    const mv: Move = opts.script === "help" ? helpMove(opts.texts) : move(opts.texts, state, step);
    const t0 = performance.now();
    const rec: TraceRecord = { officer: chat.name, step, state: state.kind, start: Math.round(t0 - origin), sentAt: Date.now() };
    out.trace?.push(rec);
    out.steps++;
    let reason: string;
    try {
      const seq = await chat.send(mv.input);
      const acceptedMs = performance.now() - t0;
      rec.seq = seq;
      rec.postMs = Math.round(acceptedMs);
      const r: Reply =
        acceptedMs >= opts.replyTimeoutMs
          ? { ok: false, reason: `no reply in time: sending alone took over ${opts.replyTimeoutMs} ms` }
          : await chat.waitReply(seq, mv.isReply, opts.replyTimeoutMs - acceptedMs);
      if (r.ok && r.reply.at - t0 > opts.replyTimeoutMs) {
        reason = `no reply within ${opts.replyTimeoutMs} ms`;
      } else if (r.ok) {
        out.latencies.push(r.reply.at - t0);
        out.accepted.push(acceptedMs);
        rec.latencyMs = Math.round(r.reply.at - t0);
        state = mv.next(r.reply.msg);
        continue;
      } else reason = r.reason;
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    rec.error = reason;
    out.errors++;
    const key = reason.replace(/\d+(\.\d+)?/g, "#").slice(0, 120);
    out.errorReasons[key] = (out.errorReasons[key] ?? 0) + 1;
    state = { kind: "start" }; // start the dialog over: /baocao replaces whatever was in progress
  }
  out.officerSpans.push(performance.now() - origin);
}

/**
 * Open every officer's chat, then run all officers at once. The duration runs from the
 * first input to the last reply; opening the chats is not counted.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const out: LoadResult = {
    steps: 0,
    skipped: 0,
    durationMs: 0,
    latencies: [],
    accepted: [],
    officerSpans: [],
    errors: 0,
    errorReasons: {},
    reconnects: 0,
    ...(opts.trace && { trace: [] }),
  };
  try {
    await Promise.all(opts.chats.map((c) => c.open()));
    if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
    const t0 = performance.now();
    await Promise.all(opts.chats.map((c) => runOfficer(c, opts, out, t0)));
    out.durationMs = performance.now() - t0;
  } finally {
    for (const c of opts.chats) {
      out.reconnects += c.reconnects;
      c.close();
    }
  }
  return out;
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  sent: number;
  answered: number;
  errors: number;
  /** From the moment each input was due (not when it was sent: a late send counts as waiting). */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** How far behind schedule inputs were sent at worst: the load generator's own lag. */
  sendLagMs: { max: number };
  /**
   * The three seconds whose slowest reply was slowest, by wall-clock time of the inputs'
   * due time: a stall (a scheduler minute at :00, a collection, a checkpoint) shows here.
   */
  worstSeconds: { at: string; maxMs: number; inputs: number }[];
}

/**
 * An open loop: `/help` offered at a fixed rate for `seconds`, whatever the replies do, in
 * turn across the chats. Each input's latency runs from its due time to its reply, so a
 * bot that falls behind shows it in the latency, not in a slower offered rate.
 */
export async function runOpenLoop(opts: { chats: Conversation[]; perSecond: number; seconds: number; texts: Texts; replyTimeoutMs: number }): Promise<OpenLoopResult> {
  const mv = helpMove(opts.texts);
  const total = Math.round(opts.perSecond * opts.seconds);
  const latencies: number[] = [];
  const perSecond = new Map<number, { maxMs: number; inputs: number }>();
  let errors = 0;
  let maxLag = 0;
  const waits: Promise<void>[] = [];
  // One input at a time per chat: a chat whose previous input is still unanswered waits, so
  // that each reply is matched to its input (the bot answers a chat in order anyway).
  const busy = new Map<Conversation, Promise<void>>();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxLag = Math.max(maxLag, performance.now() - due);
    const chat = opts.chats[i % opts.chats.length]!;
    const before = busy.get(chat) ?? Promise.resolve();
    const w = before.then(async () => {
      const seq = await chat.send(mv.input);
      const r = await chat.waitReply(seq, mv.isReply, opts.replyTimeoutMs);
      if (r.ok) {
        latencies.push(r.reply.at - due);
        const second = Math.floor((performance.timeOrigin + due) / 1000);
        const s = perSecond.get(second) ?? { maxMs: 0, inputs: 0 };
        perSecond.set(second, { maxMs: Math.max(s.maxMs, r.reply.at - due), inputs: s.inputs + 1 });
      } else errors++;
    });
    busy.set(chat, w);
    waits.push(w);
  }
  await Promise.all(waits);
  const sorted = [...latencies].sort((a, b) => a - b);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return {
    offeredPerSecond: opts.perSecond,
    sent: total,
    answered: latencies.length,
    errors,
    latencyMs: { p50: r1(percentile(sorted, 50)), p90: r1(percentile(sorted, 90)), p99: r1(percentile(sorted, 99)), max: r1(sorted.at(-1) ?? NaN) },
    sendLagMs: { max: r1(maxLag) },
    worstSeconds: [...perSecond]
      .sort((a, b) => b[1].maxMs - a[1].maxMs)
      .slice(0, 3)
      .map(([second, s]) => ({ at: new Date(second * 1000).toISOString().slice(11, 19), maxMs: r1(s.maxMs), inputs: s.inputs })),
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
