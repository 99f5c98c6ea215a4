/**
 * Prints one last line, "N passed, N failed", after the whole run — the line CI reads.
 * Skipped tests are not hidden: they are counted and named on a line of their own.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
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
    for (const e of errors) process.stdout.write(`unhandled error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    failed += errors.length;
    if (skipped.length) process.stdout.write(`skipped: ${skipped.length} (${skipped.join("; ")})\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
}
