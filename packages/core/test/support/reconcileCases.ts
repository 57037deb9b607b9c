// Runs `reconcile` conformance cases: records → calculatePlan → registry applyChanges, as the runner
// rules in DEVIATIONS.md describe (safety limits and dry-run belong to reconcile() and are tested apart).
import { calculatePlan, emptyChanges, parseEndpoints, TxtRegistry, type Policy } from '@openova/dns-core';
import type { ConformanceCase } from './cases.js';
import { diffEndpointLists } from './compare.js';
import { ListProvider } from './listProvider.js';
import type { CaseResult } from './planCases.js';
import { registryOptions } from './registryCases.js';

type Lists = Partial<Record<'create' | 'updateOld' | 'updateNew' | 'delete', unknown[]>>;

interface ReconcileInput {
  config: Parameters<typeof registryOptions>[0];
  policy: Policy;
  zone: unknown[];
  desired: unknown[];
}

interface ReconcileExpected {
  hasChanges?: boolean;
  planned?: Lists;
  sentToProvider?: Lists | null;
  sentToProviderTxt?: Lists;
}

const parse = (v: unknown) => parseEndpoints(v ?? [], { validateContent: false });
const LISTS = ['create', 'updateOld', 'updateNew', 'delete'] as const;

export async function runReconcileCase(c: ConformanceCase): Promise<CaseResult> {
  const input = c.input as ReconcileInput;
  const expected = c.expected as ReconcileExpected;
  const provider = new ListProvider(parse(input.zone));
  const options = registryOptions(input.config);
  const registry = new TxtRegistry(provider, options);
  const plan = calculatePlan({
    current: await registry.records(),
    desired: parse(input.desired),
    policy: input.policy,
    ownerId: options.ownerId,
    ...(options.oldOwnerId === undefined ? {} : { oldOwnerId: options.oldOwnerId }),
    managedRecordTypes: options.managedRecordTypes ?? [],
  });
  const diffs: string[] = [];
  if (expected.hasChanges !== undefined && expected.hasChanges !== plan.hasChanges) {
    diffs.push(`hasChanges: expected ${expected.hasChanges}, got ${plan.hasChanges}`);
  }
  if (plan.hasChanges) await registry.applyChanges(plan);
  if (provider.applied.length > 1)
    diffs.push(`expected one provider call (record and TXT together), got ${provider.applied.length}`);
  const sent = provider.applied[0] ?? emptyChanges();
  if (expected.sentToProvider === null && provider.applied.length)
    diffs.push('expected nothing sent to the provider');
  for (const list of LISTS) {
    const add = (d: string | undefined) => d && diffs.push(d);
    const planned = expected.planned?.[list];
    const whole = expected.sentToProvider?.[list];
    const txts = expected.sentToProviderTxt?.[list];
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
  return diffs.length ? { ok: false, diff: diffs.join('\n  ') } : { ok: true };
}
