// Dispatches one conformance case to the runner for its kind.
import { runCalculateCase, type CaseResult } from './planCases.js';
import { runReconcileCase } from './reconcileCases.js';
import { REGISTRY_CASE_KINDS, runRegistryCase } from './registryCases.js';

export interface ConformanceCase {
  id: string;
  area: string;
  kind: string;
  description: string;
  input: unknown;
  expected: unknown;
  deviation?: string;
  /** Where the expected values come from (the oracle vectors name the ExternalDNS version run). */
  source?: string;
  /** Free text, e.g. the known SDK bug class an oracle case exercises. */
  notes?: string;
}

export async function runCase(c: ConformanceCase): Promise<CaseResult> {
  if (c.kind === 'calculate') {
    return runCalculateCase(
      c.input as Parameters<typeof runCalculateCase>[0],
      c.expected as Parameters<typeof runCalculateCase>[1],
    );
  }
  if (c.kind === 'reconcile') return runReconcileCase(c);
  if (REGISTRY_CASE_KINDS.includes(c.kind)) return runRegistryCase(c);
  return { ok: false, diff: `no runner for kind ${c.kind}` };
}
