// Prints the plain `N passed, M failed` line from vitest's JSON report. A failed non-test step
// (typecheck, lint, build, …) counts as one failure so that it can never look green.
import { readFileSync, existsSync } from 'node:fs';

const [reportPath = 'reports/vitest.json', failedSteps = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // a file that fails to load has no failed tests but must still count
  if (failed === 0) failed = report.numFailedTestSuites ?? 0;
} else {
  failed = 1;
  console.log(`no test report at ${reportPath}`);
}
if (failed === 0 && Number(failedSteps) > 0) failed = Number(failedSteps);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
