// Runs `calculate` conformance cases (externaldns-semantics.md §7) against calculatePlan.
import {
  calculatePlan,
  DomainFilter,
  parseEndpoints,
  type Policy,
  type DomainFilterJSON,
} from '@openova/dns-core';
import { diffEndpointLists } from './compare.js';

export interface CaseResult {
  ok: boolean;
  diff?: string;
}

interface CalculateInput {
  policy: Policy;
  ownerId: string;
  oldOwnerId: string;
  managedRecords: string[];
  excludeRecords: string[];
  domainFilter: DomainFilterJSON | null;
  current: unknown[];
  desired: unknown[];
}

interface CalculateExpected {
  create?: unknown[];
  updateOld?: unknown[];
  updateNew?: unknown[];
  delete?: unknown[];
  hasChanges?: boolean;
}

const parse = (value: unknown) => parseEndpoints(value ?? [], { validateContent: false });

export function runCalculateCase(input: CalculateInput, expected: CalculateExpected): CaseResult {
  const result = calculatePlan({
    current: parse(input.current),
    desired: parse(input.desired),
    policy: input.policy,
    ownerId: input.ownerId,
    oldOwnerId: input.oldOwnerId,
    managedRecordTypes: input.managedRecords,
    excludeRecordTypes: input.excludeRecords,
    domainFilter: DomainFilter.fromJSON(input.domainFilter),
  });
  const diffs: string[] = [];
  for (const list of ['create', 'updateOld', 'updateNew', 'delete'] as const) {
    if (expected[list] === undefined) continue;
    const d = diffEndpointLists(result[list], parse(expected[list]), list);
    if (d) diffs.push(d);
  }
  if (expected.hasChanges !== undefined && expected.hasChanges !== result.hasChanges) {
    diffs.push(`hasChanges: expected ${expected.hasChanges}, got ${result.hasChanges}`);
  }
  return diffs.length ? { ok: false, diff: diffs.join('\n  ') } : { ok: true };
}
