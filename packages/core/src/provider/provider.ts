import type { DomainFilter } from '../domainFilter.js';
import type { Endpoint, RecordType } from '../endpoint/endpoint.js';
import type { Changes } from './changes.js';

/** Options every provider call accepts. */
export interface CallOptions {
  /** Cancels the call; providers pass it down to their HTTP requests. */
  signal?: AbortSignal;
}

/**
 * What a provider applies as one all-or-nothing unit, so core can batch and report correctly:
 * - `zone`: each zone's part of a change set is applied atomically (PowerDNS PATCH, in-memory);
 * - `batch`: each `applyChanges` call is atomic but a zone may need several calls (Cloudflare batch, Route53);
 * - `record`: every record set is written on its own.
 */
export type ApplyAtomicity = 'zone' | 'batch' | 'record';

/** What a provider can do; core reads this to batch, validate and plan without provider-specific code. */
export interface ProviderCapabilities {
  /** Record types the provider can store and return. */
  readonly recordTypes: readonly RecordType[];
  readonly atomicity: ApplyAtomicity;
  /**
   * Most endpoints (records plus their TXT companions, an update counting old and new) one
   * `applyChanges` call may carry; core splits larger change sets. `undefined` = no limit.
   */
  readonly maxChangesPerApply?: number;
  /** True when several record sets of one name and type can be told apart by `setIdentifier`. */
  readonly setIdentifiers: boolean;
  /**
   * Which owner names the provider stores: `hostname` (letters, digits, `-` and `_` in each label,
   * and `*` only as a whole leftmost label: PowerDNS answers 422 otherwise) or `any` (every name
   * DNS allows, e.g. Route53 escapes `*` as `\052`). Default `any`. The TXT registry reports
   * ownership TXT names the provider cannot store at plan time instead of sending them.
   */
  readonly ownerNames?: 'hostname' | 'any';
}

/**
 * A DNS backend, in ExternalDNS's terms. Providers are thin: they read and write record sets and
 * canonicalise desired state. Ownership, planning, dry-run, batching, retries of whole runs and
 * safety limits live in core.
 */
export interface Provider {
  /** Short stable name used in errors and logs, e.g. `pdns`. */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The names this provider serves; records outside it are neither read nor written. */
  readonly domainFilter: DomainFilter;
  /**
   * Every record set in every zone the provider manages, TXT included, names without trailing dot.
   * Returns new objects on every call: callers (the registry) label them in place.
   */
  records(options?: CallOptions): Promise<Endpoint[]>;
  /** Applies creates, updates (old/new pairs) and deletes. Must throw a `DnsError` on failure. */
  applyChanges(changes: Changes, options?: CallOptions): Promise<void>;
  /**
   * Rewrites desired endpoints into the exact form {@link records} will return for them (TTL
   * clamping, target spelling, provider-specific defaults), so that a second plan is empty.
   */
  adjustEndpoints(endpoints: Endpoint[], options?: CallOptions): Promise<Endpoint[]>;
  /**
   * The zones served (optional). Core uses them to apply safety limits per zone; without it the
   * provider counts as one zone.
   */
  zones?(options?: CallOptions): Promise<string[]>;
}
