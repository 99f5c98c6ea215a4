/**
 * Group commit: items pushed while a batch is being written wait and go together in the
 * next one, so under load many updates cost one statement, and alone an item waits only
 * for the event loop's next turn. A failed batch rejects each of its items (their callers
 * decide, as they would for one statement of their own).
 */
export class Coalescer<I, O> {
  private waiting: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  private running = false;

  /** `write` returns one result per item, in the items' order. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly max = 500,
  ) {}

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.max);
      try {
        const out = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.running = false;
  }
}
