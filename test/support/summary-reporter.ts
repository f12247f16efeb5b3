import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * CI reads a plain `N passed, N failed` line; vitest's own summary is not parsed there.
 * Anything that makes the run fail counts as a failure here, so a broken suite can never look green:
 * - a test that failed;
 * - a suite whose `beforeAll`/`afterAll` threw (its tests are only skipped, so they'd count nothing);
 * - a file that failed outside any suite (a module-level hook, an import error) or holds no tests;
 * - an error nobody handled (an unhandled rejection or exception during the run), which vitest
 *   reports apart from every test.
 */
export function countResults(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const mod of testModules) {
    let counted = 0;
    let failedTests = 0;
    for (const test of mod.children.allTests()) {
      counted++;
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedTests++;
      else skipped++;
    }
    let hookErrors = mod.errors().length;
    for (const suite of mod.children.allSuites()) hookErrors += suite.errors().length;
    failed += failedTests + hookErrors;
    // A file with no tests, or one vitest marks failed without saying why, still counts once.
    if ((counted === 0 || mod.state() === 'failed') && failedTests + hookErrors === 0) failed++;
  }
  failed += unhandledErrors.length;
  return { passed, failed, skipped };
}

export function summaryLine({ passed, failed, skipped }: ReturnType<typeof countResults>): string {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    process.stdout.write(`\n${summaryLine(countResults(testModules, unhandledErrors))}\n`);
  }
}
