import type { DomainFilter } from '../domainFilter.js';
import type { Endpoint, RecordType } from '../endpoint/endpoint.js';
import type { Changes } from '../provider/changes.js';
import type { CallOptions, Provider } from '../provider/provider.js';

/**
 * Ownership bookkeeping around a provider (ExternalDNS's registry): `records()` returns the
 * provider's records with ownership labels merged in and the registry's own records hidden;
 * `applyChanges()` adds the ownership records that travel with each change.
 */
export interface Registry {
  /** The owner ID this instance writes and recognises as "ours". */
  readonly ownerId: string;
  /** The previous owner ID being migrated from, if any. */
  readonly oldOwnerId: string | undefined;
  /** The provider the registry reads and writes through. */
  readonly provider: Provider;
  /** The names the registry may touch: the provider's domain filter. */
  readonly domainFilter: DomainFilter;
  /** Record types the registry manages; `reconcile` plans these when the caller names none. */
  readonly managedRecordTypes?: readonly RecordType[];
  /**
   * Record types the registry never repairs or writes markers for; `reconcile` excludes them when the
   * caller names none.
   */
  readonly excludeRecordTypes?: readonly RecordType[];
  /**
   * Every record the provider returns, with ownership labels (`owner`, `resource`, …) merged in from their
   * markers and the markers themselves hidden.
   */
  records(options?: CallOptions): Promise<Endpoint[]>;
  /**
   * Sends the changes with the ownership records that travel with them, in one provider call (or as few as
   * the provider's limits allow). Updates and deletes of records not owned are dropped and reported.
   */
  applyChanges(changes: Changes, options?: CallOptions): Promise<void>;
  /**
   * Passes desired records to the provider's `adjustEndpoints`, so they compare equal to what `records()`
   * returns.
   */
  adjustEndpoints(endpoints: Endpoint[], options?: CallOptions): Promise<Endpoint[]>;
  /**
   * What `applyChanges(changes)` would add and refuse, without sending anything (optional; `reconcile`
   * uses it to show ownership changes in plans and to leave out creates that would be refused).
   * Call after `records()`.
   */
  preview?(changes: Changes): RegistryPreview;
}

/** See {@link Registry.preview}. */
export interface RegistryPreview {
  /** The ownership records that would travel with the changes. */
  ownershipChanges: Changes;
  /**
   * Creates the registry would refuse, with the reason: another owner's marker holds the TXT name
   * (`owned-by-other`, deviation D2), the TXT name cannot be stored (`marker-not-writable`), or a
   * TXT record to create would land on a TXT record set that holds ownership markers, which the
   * planner never sees (`exists-unowned`), or a CNAME would share its name with such a record set
   * that must stay, or a TXT record's value reads as an ownership marker, so it would be read back
   * as one (`unsatisfiable`, deviation D16).
   */
  refusedCreates: { record: Endpoint; code: RefusedCreateCode; reason: string }[];
}

/** Why a registry refuses to create a record (see {@link RegistryPreview.refusedCreates}). */
export type RefusedCreateCode = 'owned-by-other' | 'marker-not-writable' | 'exists-unowned' | 'unsatisfiable';
