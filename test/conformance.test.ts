// Every ExternalDNS planner and registry vector as a test: the hand-written ones
// (test/fixtures/conformance-cases.json) and the oracle ones, whose expected values come from running
// ExternalDNS v0.22.0's own planner and TXT registry (test/fixtures/oracle-cases.json). The same runner
// backs `pnpm conformance`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCase, type ConformanceCase } from '../packages/core/test/support/cases.js';

const load = (file: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as ConformanceCase[];
const cases = load('conformance-cases.json');
const oracleCases = load('oracle-cases.json');

describe('ExternalDNS conformance vectors', () => {
  it('has all 110 cases', () => {
    expect(cases).toHaveLength(110);
  });
  for (const c of cases) {
    it(`${c.id} ${c.kind}${c.deviation ? ` (deviation ${c.deviation})` : ''}: ${c.description.slice(0, 90)}`, async () => {
      const result = await runCase(c);
      expect(result.diff ?? '', c.description).toBe('');
      expect(result.ok).toBe(true);
    });
  }
});

describe('ExternalDNS v0.22.0 oracle vectors', () => {
  it('has all 1000 cases', () => {
    expect(oracleCases).toHaveLength(1000);
  });
  for (const c of oracleCases) {
    it(`${c.id} ${c.kind}: ${c.description.slice(0, 90)}`, async () => {
      const result = await runCase(c);
      expect(result.diff ?? '', c.notes ?? c.description).toBe('');
      expect(result.ok).toBe(true);
    });
  }
});

describe('the runner', () => {
  it('compares TXT values exactly: a vector expecting owner=A fails when owner=a is sent', async () => {
    const c = oracleCases.find((v) =>
      JSON.stringify(v.expected).includes('external-dns/owner=A\\"'),
    ) as ConformanceCase;
    expect(c).toBeDefined();
    expect((await runCase(c)).ok).toBe(true);
    const lowered = JSON.parse(
      JSON.stringify(c).replaceAll('external-dns/owner=A\\"', 'external-dns/owner=a\\"'),
    ) as ConformanceCase;
    lowered.expected = JSON.parse(JSON.stringify(lowered.expected)) as ConformanceCase['expected'];
    // only the expected TXT values changed case: the inputs stay as they were
    lowered.input = c.input;
    expect((await runCase(lowered)).ok).toBe(false);
  });
});
