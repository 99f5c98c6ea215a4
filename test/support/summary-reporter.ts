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
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (state === "skipped") skipped.push(t.fullName);
      }
      // A file that failed to load has no tests but is a failure.
      if (m.state() === "failed" && ![...m.children.allTests()].length) failed++;
    }
    failed += errors.length;
    if (skipped.length) process.stdout.write(`skipped: ${skipped.length} (${skipped.join("; ")})\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
}
