/**
 * Reference data kept in memory: campaigns (with their phases and content areas) and the
 * commendation forms, read by almost every officer's step and changed a few times a year.
 *
 * Whether a copy is still good is told by the database, not by a timer: triggers bump
 * `ReferenceGeneration` on every change to those tables (by this instance, another one,
 * the CLI or an operator's SQL), and each update reads the generation in its first
 * statement (`openUpdate`). A copy made at another generation is not used. Within a
 * transaction that changed reference data itself, nothing is served from memory (its own
 * uncommitted rows must be read, and must not be kept if it rolls back). Outside an
 * update's transaction (the scheduler, the CLI) nothing is cached: those read the database.
 */
import type { Transactions } from "../db/transactions.js";

const GENERATION = Symbol("reference generation");

export class ReferenceCache {
  private generation: bigint | null = null;
  private readonly entries = new Map<string, unknown>();
  hits = 0;
  misses = 0;

  constructor(private readonly transactions: Transactions) {}

  /** The generation this transaction read (null: unknown, do not cache). */
  seen(generation: bigint | null): void {
    this.transactions.current()?.local.set(GENERATION, generation);
  }

  /** This transaction changes reference data: read it from the database from now on. */
  changing(): void {
    this.transactions.current()?.local.set(GENERATION, null);
  }

  /** The copy kept for `key` at this transaction's generation, or `load()` (kept frozen when it may be). */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const g = this.transactions.current()?.local.get(GENERATION) as bigint | null | undefined;
    if (g === undefined || g === null) return load();
    if (g !== this.generation) {
      // A transaction that started before a newer generation was seen reads the database.
      if (this.generation !== null && g < this.generation) return load();
      this.entries.clear();
      this.generation = g;
    }
    if (this.entries.has(key)) {
      this.hits++;
      return this.entries.get(key) as T;
    }
    this.misses++;
    const value = deepFreeze(await load());
    if (this.generation === g) this.entries.set(key, value);
    return value;
  }
}

/** Shared copies must not be changed by whoever reads them: a change throws (strict mode). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
