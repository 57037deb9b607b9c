// Conformance runner: `pnpm conformance [files or folders…]`. Runs ExternalDNS planner and registry
// vectors in the format of docs/conformance.md ("The vector format"; rules: test/fixtures/DEVIATIONS.md).
// With no argument it runs the project's copies: the 110 hand-written vectors and the 1,000 oracle
// vectors (produced by ExternalDNS v0.22.0 itself). Prints `N passed, M failed`; exits 1 on any failure.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCase, type ConformanceCase } from '../packages/core/test/support/cases.js';

const defaultFiles = ['conformance-cases.json', 'oracle-cases.json'].map((f) =>
  resolve(import.meta.dirname, '../test/fixtures', f),
);
const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const verbose = process.argv.includes('--verbose');

function collect(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((f) => f.endsWith('.json') || statSync(join(path, f)).isDirectory())
      .flatMap((f) => collect(join(path, f)));
  }
  return [path];
}

const files = (args.length ? args : defaultFiles).flatMap((p) => collect(resolve(p)));
let passed = 0;
let failed = 0;
for (const file of files) {
  const cases = JSON.parse(readFileSync(file, 'utf8')) as ConformanceCase[];
  for (const c of cases) {
    let outcome;
    try {
      outcome = await runCase(c);
    } catch (error) {
      outcome = {
        ok: false,
        diff: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      };
    }
    if (outcome.ok) {
      passed++;
      if (verbose) console.log(`ok   ${c.id}  ${c.description}`);
    } else {
      failed++;
      console.log(`FAIL ${c.id} (${c.kind}) ${c.description}\n  ${outcome.diff ?? ''}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
