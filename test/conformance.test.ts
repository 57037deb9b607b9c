// Every ExternalDNS planner and registry vector (test/fixtures/conformance-cases.json) as a test.
// The same runner backs `pnpm conformance`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCase, type ConformanceCase } from '../packages/core/test/support/cases.js';

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/conformance-cases.json', import.meta.url), 'utf8'),
) as ConformanceCase[];

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
