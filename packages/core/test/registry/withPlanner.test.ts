// The `reconcile` vectors driven through this registry and the planner (records → calculatePlan →
// applyChanges), as the runner rules describe; safety limits and dry-run are not involved.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calculatePlan, emptyChanges, parseEndpoints, TxtRegistry, type Policy } from '@openova/dns-core';
import type { ConformanceCase } from '../support/cases.js';
import { diffEndpointLists } from '../support/compare.js';
import { ListProvider } from '../support/listProvider.js';
import { registryOptions } from '../support/registryCases.js';

type Lists = Partial<Record<'create' | 'updateOld' | 'updateNew' | 'delete', unknown[]>>;
interface ReconcileCase extends ConformanceCase {
  input: {
    config: Parameters<typeof registryOptions>[0];
    policy: Policy;
    zone: unknown[];
    desired: unknown[];
  };
  expected: {
    hasChanges?: boolean;
    planned?: Lists;
    sentToProvider?: Lists | null;
    sentToProviderTxt?: Lists;
  };
}

const all = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/conformance-cases.json', import.meta.url), 'utf8'),
) as ConformanceCase[];
const cases = all.filter((c): c is ReconcileCase => c.kind === 'reconcile');
const parse = (v: unknown) => parseEndpoints(v ?? [], { validateContent: false });
const LISTS = ['create', 'updateOld', 'updateNew', 'delete'] as const;

describe('reconcile vectors through TxtRegistry and calculatePlan', () => {
  for (const c of cases) {
    it(`${c.id}${c.deviation ? ` (${c.deviation})` : ''}: ${c.description.slice(0, 80)}`, async () => {
      const provider = new ListProvider(parse(c.input.zone));
      const options = registryOptions(c.input.config);
      const registry = new TxtRegistry(provider, options);
      const plan = calculatePlan({
        current: await registry.records(),
        desired: parse(c.input.desired),
        policy: c.input.policy,
        ownerId: options.ownerId,
        ...(options.oldOwnerId === undefined ? {} : { oldOwnerId: options.oldOwnerId }),
        managedRecordTypes: options.managedRecordTypes ?? [],
      });
      const diffs: string[] = [];
      if (c.expected.hasChanges !== undefined && c.expected.hasChanges !== plan.hasChanges)
        diffs.push(`hasChanges: expected ${c.expected.hasChanges}, got ${plan.hasChanges}`);
      if (plan.hasChanges) await registry.applyChanges(plan);
      const sent = provider.applied[0] ?? emptyChanges();
      if (c.expected.sentToProvider === null && provider.applied.length)
        diffs.push('expected nothing sent to the provider');
      for (const list of LISTS) {
        const planned = c.expected.planned?.[list];
        const whole = c.expected.sentToProvider?.[list];
        const txts = c.expected.sentToProviderTxt?.[list];
        const add = (d: string | undefined) => d && diffs.push(d);
        if (planned) add(diffEndpointLists(plan[list], parse(planned), `planned ${list}`));
        if (whole) add(diffEndpointLists(sent[list], parse(whole), `sent ${list}`));
        if (txts)
          add(
            diffEndpointLists(
              sent[list].filter((e) => e.recordType === 'TXT'),
              parse(txts),
              `sent TXT ${list}`,
            ),
          );
      }
      expect(provider.applied.length).toBeLessThanOrEqual(1); // every record travels with its TXT
      expect(diffs.join('\n')).toBe('');
    });
  }
});
