import type { EndpointInit } from '../endpoint/endpoint.js';
import type { Provider } from '../provider/provider.js';

/**
 * A fault a harness can make its server (or fake) produce on the next writes:
 * - `server-error`: the next write requests are answered 500 without being executed;
 * - `rate-limit-storm`: the next requests are answered 429 with a short `Retry-After`;
 * - `timeout`: the next write request is answered only after the client's timeout;
 * - `connection-drop`: the next write request's connection is closed before an answer;
 * - `echo-credential`: the next requests are refused with an error whose text (and, where the
 *   protocol has one, a header such as the request id) repeats the credential the request carried,
 *   as a careless proxy or server does; set {@link ConformanceHarness.secret} with it.
 */
export type ConformanceFault =
  'server-error' | 'rate-limit-storm' | 'timeout' | 'connection-drop' | 'echo-credential';

/**
 * What a provider package gives the conformance suite for one case: a provider over one empty
 * zone, a way to write records as another tool would, and optional fault injection. A harness is
 * made fresh for every case (`createHarness`) and closed after it.
 */
export interface ConformanceHarness {
  /** The provider under test, serving {@link ConformanceHarness.zone}. */
  readonly provider: Provider;
  /** The zone every case writes in, e.g. `example.com`; empty (apart from SOA/NS) when a case starts. */
  readonly zone: string;
  /** Writes records as another tool would (no ownership markers are added). */
  seed(records: readonly EndpointInit[]): Promise<void>;
  /**
   * The credential value the provider authenticates with (API token, key, session token), which
   * the `echo-credential` fault makes the server repeat; it must appear in no error, log line or
   * `util.inspect`.
   */
  readonly secret?: string;
  /** Faults this harness can inject; cases that need another one are skipped. */
  readonly faults?: readonly ConformanceFault[];
  /** Makes the next writes fail with `fault` until {@link ConformanceHarness.clearFaults}. */
  inject?(fault: ConformanceFault): void;
  /** Stops injected faults, so the next writes succeed. */
  clearFaults?(): void;
  /** Releases what the harness opened (clients, zones); called after every case. */
  close(): Promise<void>;
}
