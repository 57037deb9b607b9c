import type { ProviderCapabilities } from '../provider/provider.js';
import {
  DEFAULT_RECORD_SAMPLES,
  providerConformanceCases,
  recordTypeCases,
  skipReason,
  type ProviderConformanceCase,
  type RecordSample,
} from './cases.js';
import { CaseContext } from './context.js';
import type { ConformanceFault, ConformanceHarness } from './harness.js';

/** A provider as the suite sees it: what it can do, and a fresh harness per case. */
export interface ConformanceTarget {
  /** The provider's capabilities: they decide which cases run. */
  capabilities: ProviderCapabilities;
  /** True when the provider lists its zones (`Provider.zones`). */
  zones: boolean;
  /** Faults the harness can inject (default none). */
  faults?: readonly ConformanceFault[];
  /**
   * Extra record samples: the provider's own types (PowerDNS `LUA`) and provider-specific
   * properties (Cloudflare `cloudflare-proxied`). Every type in `capabilities.recordTypes` without
   * a sample shows up as a skipped case, so gaps stay visible.
   */
  recordSamples?: readonly RecordSample[];
  /** A fresh harness (an empty zone) for one case. */
  createHarness(): Promise<ConformanceHarness>;
}

/** One case, ready for a test runner: `it.skipIf(t.skip)(t.title, t.run)`. */
export interface ConformanceTest {
  /** The case id, e.g. `names/idn`. */
  id: string;
  /** Title for the test runner: id, description and, when skipped, why. */
  title: string;
  /** Why the case does not apply to this provider, or `undefined`. */
  skip: string | undefined;
  /** Runs the case on a fresh harness; throws `ConformanceFailure` (or the SDK's error) when it fails. */
  run: () => Promise<void>;
}

/**
 * The conformance suite for one provider, as a list of tests any runner can register. Each test
 * makes a fresh harness, runs its case and closes the harness, failing or not.
 *
 * @example
 * for (const t of conformanceTests(target)) it.skipIf(t.skip !== undefined)(t.title, t.run, 60_000);
 */
export function conformanceTests(
  target: ConformanceTarget,
  cases: readonly ProviderConformanceCase[] = providerConformanceCases,
): ConformanceTest[] {
  const info = { capabilities: target.capabilities, zones: target.zones, faults: target.faults ?? [] };
  const extra = target.recordSamples ?? [];
  const sampled = new Set([...DEFAULT_RECORD_SAMPLES, ...extra].map((s) => s.type));
  const unsampled = target.capabilities.recordTypes.filter((type) => !sampled.has(type));
  const all = [...cases, ...recordTypeCases(extra)];
  const tests = all.map((c) => {
    const skip = skipReason(c, info);
    return {
      id: c.id,
      title: `${c.id}: ${c.description}${skip ? ` (skipped: ${skip})` : ''}`,
      skip,
      run: async () => {
        const harness = await target.createHarness();
        try {
          await c.run(new CaseContext(harness));
        } finally {
          await harness.close();
        }
      },
    };
  });
  for (const type of unsampled)
    tests.push({
      id: `record-types/${type.toLowerCase()}`,
      title: `record-types/${type.toLowerCase()}: ${type} (skipped: no sample; add one with recordSamples)`,
      skip: 'no sample',
      run: () => Promise.resolve(),
    });
  return tests;
}
