/**
 * Runs tasks one after another per key, and different keys concurrently: updates of one
 * chat are handled in order, as Telegram delivers them, while chats do not wait for each
 * other. In memory only — across instances, the database's conditional writes decide.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  get size(): number {
    return this.tails.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.runAll([key], task);
  }

  /**
   * Runs `task` after everything queued so far under any of `keys`, and before anything
   * queued later under any of them (a group that changed its id: both ids wait for it).
   */
  runAll<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const waits = keys.map((k) => this.tails.get(k)).filter((t) => t !== undefined);
    const prev = waits.length <= 1 ? (waits[0] ?? Promise.resolve()) : Promise.all(waits);
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    for (const key of keys) {
      this.tails.set(key, tail);
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
    return next;
  }

  /** Resolves when every task queued so far has finished. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
