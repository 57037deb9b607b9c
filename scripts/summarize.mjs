// Prints the plain `N passed, M failed` line from vitest's JSON reports, added up (the main run
// and the PowerDNS version matrix). A failed non-test step (typecheck, lint, build, …) counts as
// one failure so that it can never look green, and so does a report that is missing.
//
// Usage: node scripts/summarize.mjs [--failed-steps N] REPORT.json [REPORT.json …]
//        node scripts/summarize.mjs REPORT.json N          (the older form)
import { readFileSync, existsSync } from 'node:fs';

const args = process.argv.slice(2);
const reports = [];
let failedSteps = 0;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--failed-steps') failedSteps = Number(args[++i] ?? 0);
  else if (/^\d+$/.test(arg)) failedSteps = Number(arg);
  else reports.push(arg);
}
if (reports.length === 0) reports.push('reports/vitest.json');

let passed = 0;
let failed = 0;
for (const reportPath of reports) {
  if (!existsSync(reportPath)) {
    failed += 1;
    console.log(`no test report at ${reportPath}`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  let reportFailed = report.numFailedTests ?? 0;
  // a file that fails to load has no failed tests but must still count
  if (reportFailed === 0) reportFailed = report.numFailedTestSuites ?? 0;
  passed += report.numPassedTests ?? 0;
  failed += reportFailed;
  if (reports.length > 1)
    console.log(`${reportPath}: ${report.numPassedTests ?? 0} passed, ${reportFailed} failed`);
}
if (failed === 0 && failedSteps > 0) failed = failedSteps;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
