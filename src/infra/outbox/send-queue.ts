/**
 * The paced sends of one platform in this process, started in the order of their slots on
 * the shared schedule (see pacing.ts).
 *
 * Why a queue of its own: a send whose timer fires late (the event loop was busy with a
 * claim, a reply, a garbage collection) must not go out together with the ones due after
 * it: a bunch of late sends followed by punctual ones puts more than the limit into one
 * window, and Telegram answers 429. So:
 * - a send slightly late catches up at most 1.25 times as fast as the schedule, and never
 *   faster than the window allows (the sends this process started in the last window are
 *   counted);
 * - a send more than one slot late gives its row back, to get a new slot with the next
 *   batch: with several instances, the slots just after it are another process's;
 * - a pause (429) gives back everything waiting: its slots are past when the pause ends,
 *   and sending it all then would be the burst that earns the next 429.
 * It also lets the worker claim the next batch while this one is still being sent, so the
 * schedule has no gap between batches.
 */

export interface QueuedSend {
  /** Epoch ms of its slot on the shared schedule. */
  at: number;
  /** The send itself; it handles its own failures. */
  run(): Promise<unknown>;
  /** Not sent (a pause, or the process is stopping): give the row back, due in `delayMs`. */
  cancel(delayMs: number): Promise<unknown>;
}

/** Late sends start at least this fraction of the schedule's interval apart. */
const CATCH_UP_GAP = 0.8;

export class SendQueue {
  private readonly queue: QueuedSend[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Rows being given back. */
  private readonly settling = new Set<Promise<unknown>>();
  private running: Promise<void> | null = null;
  /** When the last `window.count` sends started, oldest first. */
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  private stopped = false;
  /** Resolved whenever a send leaves the queue or finishes. */
  private changed: (() => void)[] = [];
  /** Ends the run loop's wait for the head's slot (something earlier came, a pause, a stop). */
  private wake: (() => void) | null = null;

  /**
   * @param intervalMs the schedule's interval (ms between two slots)
   * @param window at most `count` starts in any `ms` (the platform's sliding window)
   * @param maxInFlight sends awaiting the platform's answer at once
   */
  constructor(
    private readonly intervalMs: number,
    private readonly window: { count: number; ms: number },
    private readonly maxInFlight: number,
  ) {}

  add(items: QueuedSend[]): void {
    if (this.stopped) {
      for (const item of items) void item.cancel(0);
      return;
    }
    this.queue.push(...items);
    this.queue.sort((a, b) => a.at - b.at);
    this.wake?.();
    this.running ??= this.run().finally(() => (this.running = null));
  }

  /** The platform asked to wait (a 429): nothing starts before `untilMs` (epoch ms); what waits is given back. */
  async pause(untilMs: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    const left = this.queue.splice(0);
    this.notify();
    this.wake?.();
    await Promise.all(left.map((item) => item.cancel(Math.max(0, this.pausedUntil - Date.now()))));
  }

  /** Resolves once at most `n` sends wait (the caller may claim more). */
  async waitBelow(n: number): Promise<void> {
    while (this.queue.length > n && !this.stopped) await this.nextChange();
  }

  /** Resolves once everything queued has been sent and answered, or given back. */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight.size || this.settling.size) await this.nextChange();
  }

  /** Give back everything not started; wait for the sends in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    const left = this.queue.splice(0);
    this.notify();
    this.wake?.();
    await Promise.all(left.map((item) => item.cancel(0)));
    await this.running;
    await Promise.all([...this.inFlight, ...this.settling]);
  }

  private async run(): Promise<void> {
    while (this.queue.length && !this.stopped) {
      const head = this.queue[0]!;
      const start = Math.max(head.at, this.earliestStart(), this.pausedUntil, Date.now());
      if (start - head.at > this.intervalMs) {
        // More than one slot late (the process stalled, or cannot keep up): those slots are
        // gone, and sending now would crowd the slots of other instances. Given back (all
        // as late at once, without waiting, or giving back would make the next ones late),
        // their rows get new slots with the next batch.
        let late = 1;
        while (late < this.queue.length && start - this.queue[late]!.at > this.intervalMs) late++;
        this.settle(Promise.all(this.queue.splice(0, late).map((item) => item.cancel(0))));
        continue;
      }
      const wait = start - Date.now();
      if (wait > 0) {
        await this.nap(wait);
        continue;
      }
      if (this.inFlight.size >= this.maxInFlight) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.queue.shift();
      this.starts.push(Date.now());
      if (this.starts.length > this.window.count) this.starts.shift();
      const p: Promise<unknown> = head
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.inFlight.delete(p);
          this.notify();
        });
      this.inFlight.add(p);
      this.notify();
    }
  }

  /** The earliest time the next send may start, going by the sends already started. */
  private earliestStart(): number {
    const last = this.starts.at(-1);
    if (last === undefined) return 0;
    const gap = last + this.intervalMs * CATCH_UP_GAP;
    return this.starts.length < this.window.count ? gap : Math.max(gap, this.starts[0]! + this.window.ms);
  }

  private settle(p: Promise<unknown>): void {
    const tracked: Promise<unknown> = p
      .catch(() => undefined)
      .finally(() => {
        this.settling.delete(tracked);
        this.notify();
      });
    this.settling.add(tracked);
  }

  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => ((this.wake = null), resolve()), ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private nextChange(): Promise<void> {
    return new Promise((r) => this.changed.push(r));
  }

  private notify(): void {
    for (const r of this.changed.splice(0)) r();
  }
}
