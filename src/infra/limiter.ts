/**
 * At most `max` tasks at once; the others wait their turn, in order. A waiting task is
 * resumed through setImmediate, so the event loop reads new requests between tasks. It
 * keeps the work in flight within what the database can take (PGlite one transaction at a
 * time, PostgreSQL one per pooled connection) instead of piling up on its locks.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error("Limiter needs max >= 1");
  }

  get pending(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resume) => this.waiting.push(resume));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes to the next task, after the event loop has had a turn.
      if (next) setImmediate(next);
      else this.active--;
    }
  }
}
