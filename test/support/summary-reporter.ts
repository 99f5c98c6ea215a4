/**
 * Prints one last line, "N passed, N failed", after the whole run — the line CI reads.
 * Skipped tests are not hidden: they are counted and named on a line of their own. The
 * PostgreSQL-only suites on a machine without TEST_DATABASE_URL (see describePostgres) are
 * counted apart, on the line before the last, so that a run on PGlite alone says so.
 */
import type { Reporter, TestModule } from "vitest/node";

/**
 * The name of the stand-in test of a PostgreSQL-only suite on a machine without
 * TEST_DATABASE_URL (see describePostgres): counted as "not run" on its own line.
 */
export const POSTGRES_NOT_RUN = "[PostgreSQL not run: set TEST_DATABASE_URL]";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    const notRun: string[] = [];
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
        else if (state === "skipped" && t.name === POSTGRES_NOT_RUN) notRun.push(t.parent.type === "suite" ? t.parent.name : t.fullName);
        else if (state === "skipped") skipped.push(t.fullName);
      }
      // A file that failed without a failing test (it did not load, or a beforeAll threw
      // and its tests were skipped) is still a failure.
      if (m.state() === "failed" && failedHere === 0) {
        failedHere = 1;
        process.stdout.write(`failed outside its tests: ${m.moduleId}\n`);
      }
      failed += failedHere;
    }
    // Errors thrown outside any test (an unhandled rejection) fail the run too: name them.
    for (const e of errors) process.stdout.write(`unhandled error: ${describe(e)}\n`);
    failed += errors.length;
    if (skipped.length) process.stdout.write(`skipped: ${skipped.length} (${skipped.join("; ")})\n`);
    if (notRun.length) process.stdout.write(`PostgreSQL tests not run: TEST_DATABASE_URL not set (${notRun.join("; ")})\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
}

/** Vitest hands over serialised errors (plain objects, sometimes without a prototype). */
function describe(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  if (e && typeof e === "object") {
    const o = e as { message?: unknown; stack?: unknown; name?: unknown };
    if (typeof o.stack === "string") return o.stack;
    if (typeof o.message === "string") return `${typeof o.name === "string" ? `${o.name}: ` : ""}${o.message}`;
    try {
      return JSON.stringify(e).slice(0, 500);
    } catch {
      return Object.prototype.toString.call(e);
    }
  }
  return String(e);
}
