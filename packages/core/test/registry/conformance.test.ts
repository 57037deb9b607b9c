// The TXT-registry conformance vectors (test/fixtures/conformance-cases.json), table-driven.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConformanceCase } from '../support/cases.js';
import { REGISTRY_CASE_KINDS, runRegistryCase } from '../support/registryCases.js';

const all = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/conformance-cases.json', import.meta.url), 'utf8'),
) as ConformanceCase[];
const cases = all.filter((c) => REGISTRY_CASE_KINDS.includes(c.kind));

describe('TXT registry conformance vectors', () => {
  it('covers every registry kind', () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(REGISTRY_CASE_KINDS));
    expect(cases.length).toBe(52);
  });
  for (const c of cases) {
    it(`${c.id} ${c.kind}${c.deviation ? ` (${c.deviation})` : ''}: ${c.description.slice(0, 80)}`, async () => {
      const outcome = await runRegistryCase(c);
      expect(outcome.diff ?? '', c.description).toBe('');
      expect(outcome.ok).toBe(true);
    });
  }
});
