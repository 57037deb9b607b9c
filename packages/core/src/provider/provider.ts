import type { DomainFilter } from '../domainFilter.js';
import type { Endpoint, RecordType } from '../endpoint/endpoint.js';
import type { BatchChange, Changes } from './changes.js';

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
 *
 * It also decides what core does with a change too large for one call (see {@link BatchLimit}).
 */
export type ApplyAtomicity = 'zone' | 'batch' | 'record';

/**
 * A budget that every `applyChanges` call must stay within, declared by a provider in
 * {@link ProviderCapabilities.batchLimits}. The cost of a call is the sum of its changes' costs.
 *
 * Core never separates a record from its ownership TXT, the changes at one name, or an update's old
 * and new versions. When such a group alone costs more than `max`, core throws a `ValidationError`
 * (code `VALIDATION`, one issue `batch_limit_exceeded` per group, naming its records and the limit)
 * before anything is written — except for providers with `atomicity: 'record'`, which write every
 * record set on its own anyway: there the group is sent over several calls, and only a single change
 * costing more than `max` is an error.
 *
 * @example Route53: 1,000 ResourceRecord elements per change batch, an UPSERT counting twice
 * ```ts
 * const records: BatchLimit = {
 *   name: 'Route53 ResourceRecord elements',
 *   max: 1000,
 *   cost: (c) => (c.kind === 'update' ? 2 : 1) * valueCount(c.endpoint),
 * };
 * ```
 */
export interface BatchLimit {
  /** What is counted, used in error messages, e.g. `Cloudflare batch operations`. */
  readonly name: string;
  /** Largest total cost one call may carry, a positive number, in the unit `cost` counts. */
  readonly max: number;
  /**
   * The cost of one change, a finite number ≥ 0 (0 = free). It should not under-count: a call core
   * sized to fit may otherwise be refused (a refusal as `RECORD_REJECTED` is then bisected).
   */
  readonly cost: (change: BatchChange) => number;
}

/** What a provider can do; core reads this to batch, validate and plan without provider-specific code. */
export interface ProviderCapabilities {
  /** Record types the provider can store and return. */
  readonly recordTypes: readonly RecordType[];
  /** What one `applyChanges` call applies all-or-nothing: a zone's part, a call, or each record set. */
  readonly atomicity: ApplyAtomicity;
  /**
   * Most endpoints (records plus their TXT companions, an update counting old and new) one
   * `applyChanges` call may carry; core splits larger change sets. `undefined` = no limit.
   * Shorthand for a {@link BatchLimit} costing 1 per create or delete and 2 per update
   * (`endpointCountLimit`); it holds together with every entry of {@link batchLimits}.
   */
  readonly maxChangesPerApply?: number;
  /**
   * What one `applyChanges` call may carry, priced in the provider's own units (operations,
   * resource records, characters, additions…). Every limit must hold for every call; core's
   * `applyInBatches` packs change sets to fit them all, in as few calls as it can. Default: none.
   */
  readonly batchLimits?: readonly BatchLimit[];
  /** True when several record sets of one name and type can be told apart by `setIdentifier`. */
  readonly setIdentifiers: boolean;
  /**
   * True when a write is conditional on what the plan read: a create fails where another writer
   * created the record set meanwhile, and an update or delete where it was changed, so a plan made
   * on a read another writer overtook never replaces their records (Route53 `CREATE`/`DELETE`,
   * Cloud DNS change sets, Azure ETags, PowerDNS with `writeLock`). Default `false`: the last write
   * wins. The conformance case `ownership/stale-plan` runs where it is true.
   */
  readonly conditionalWrites?: boolean;
  /**
   * Which owner names the provider stores: `hostname` (letters, digits, `-` and `_` in each label,
   * and `*` only as a whole leftmost label: PowerDNS answers 422 otherwise) or `any` (every name
   * DNS allows, e.g. Route53 escapes `*` as `\052`). Default `any`. The TXT registry reports
   * ownership TXT names the provider cannot store at plan time instead of sending them.
   */
  readonly ownerNames?: 'hostname' | 'any';
  /**
   * The provider-specific property names the provider reads and writes (Route53: `alias`,
   * `aws/weight`, …); default none declared. Informational: core does not filter properties by it,
   * but the conformance suite runs its alias and routing-policy samples only for providers that
   * declare the properties they use.
   */
  readonly providerSpecific?: readonly string[];
  /**
   * True when the provider stores a CNAME at a zone apex (Cloudflare's CNAME flattening), where the
   * zone's SOA and NS otherwise forbid one (RFC 1034 §3.6.2). Default false: such a record is
   * refused before any write or reported not written. The conformance case `names/apex-cname`
   * checks either behaviour.
   */
  readonly cnameAtApex?: boolean;
}

/**
 * A DNS backend, in ExternalDNS's terms. Providers are thin: they read and write record sets and
 * canonicalise desired state. Ownership, planning, dry-run, batching, retries of whole runs and
 * safety limits live in core.
 */
export interface Provider {
  /** Short stable name used in errors and logs, e.g. `pdns`. */
  readonly name: string;
  /**
   * What the provider can store and how it applies changes; the planner, the registry and core's batching
   * read it.
   */
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
   * The zones served (optional). Core uses them to apply safety limits per zone, and leaves out (as
   * not written, `outside-domain-filter`) a create no listed zone serves, so a dry run shows what the
   * apply does: an empty list means no name is served. Without this method the provider counts as
   * one zone and every create is sent.
   */
  zones?(options?: CallOptions): Promise<string[]>;
}
