// Dispatches one conformance case to the runner for its kind.
import { runCalculateCase, type CaseResult } from './planCases.js';

export interface ConformanceCase {
  id: string;
  area: string;
  kind: string;
  description: string;
  input: unknown;
  expected: unknown;
  deviation?: string;
}

export async function runCase(c: ConformanceCase): Promise<CaseResult> {
  switch (c.kind) {
    case 'calculate':
      return runCalculateCase(
        c.input as Parameters<typeof runCalculateCase>[0],
        c.expected as Parameters<typeof runCalculateCase>[1],
      );
    default:
      return Promise.resolve({ ok: false, diff: `no runner for kind ${c.kind}` });
  }
}
