/**
 * `@openova/dns-core/testing`: the provider conformance suite every provider package runs (the
 * cases, and how a provider joins: docs/providers/testing.md).
 * @module testing
 */
export type { ConformanceFault, ConformanceHarness } from './harness.js';
export { CaseContext, ConformanceFailure, CONFORMANCE_OWNER, OTHER_OWNER } from './context.js';
export type { ConvergeOptions } from './context.js';
export {
  DEFAULT_RECORD_SAMPLES,
  providerConformanceCases,
  recordTypeCases,
  ROUTING_RECORD_SAMPLES,
  skipReason,
} from './cases.js';
export type { CaseNeeds, ConformanceGroup, ProviderConformanceCase, RecordSample } from './cases.js';
export { conformanceTests } from './run.js';
export type { ConformanceTarget, ConformanceTest } from './run.js';
