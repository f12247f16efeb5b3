import type { Reporter, TestModule } from 'vitest/node';

/**
 * CI reads a plain `N passed, N failed` line; vitest's own summary is not parsed there.
 * A file that fails to load counts as one failure so a broken suite can never look green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let counted = 0;
      for (const test of mod.children.allTests()) {
        counted++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (counted === 0 || mod.state() === 'failed') {
        const moduleErrors = mod.errors().length;
        if (moduleErrors > 0 || counted === 0) failed += Math.max(1, moduleErrors);
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
