import { DomainFilter } from '../domainFilter.js';
import {
  cloneEndpoint,
  describeEndpoint,
  endpoint,
  endpointKey,
  KNOWN_RECORD_TYPES,
  type Endpoint,
  type EndpointInit,
  type RecordType,
} from '../endpoint/endpoint.js';
import { normalizeDnsName, withoutTrailingDot } from '../endpoint/names.js';
import { assertValidEndpoints } from '../endpoint/parse.js';
import { canonicalizeTarget } from '../endpoint/rdata.js';
import { ProviderError, throwIfAborted } from '../errors.js';
import { CHANGE_LISTS, type Changes } from './changes.js';
import type { CallOptions, Provider, ProviderCapabilities } from './provider.js';
import { findZone } from './zones.js';

export interface InMemoryProviderOptions {
  /** Zones served, e.g. `['example.com']`. Writes outside them fail like on a real server. */
  zones: readonly string[];
  /** Records present at start. */
  records?: readonly EndpointInit[];
  domainFilter?: DomainFilter;
  /** Record types accepted (default: every type the core model knows). */
  recordTypes?: readonly RecordType[];
  /** Declared batch limit, to exercise core's batching (default none). */
  maxChangesPerApply?: number;
}

type Zone = Map<string, Endpoint>;

/**
 * A DNS provider held in memory: the demo's default and the reference every provider's tests are
 * measured against. It validates like an authoritative server (unknown zone, CNAME beside other
 * data, duplicate creates, invalid content) and applies each zone's changes atomically.
 *
 * Every `applyChanges` call is kept in {@link InMemoryProvider.applied}, so tests can see exactly
 * what a caller sent.
 */
export class InMemoryProvider implements Provider {
  readonly name = 'inmemory';
  readonly capabilities: ProviderCapabilities;
  readonly domainFilter: DomainFilter;
  /** Every change set received, in order (deep copies). */
  readonly applied: Changes[] = [];
  /** Number of calls per method, to count API round trips in tests and benchmarks. */
  readonly calls = { records: 0, applyChanges: 0, adjustEndpoints: 0 };

  readonly #zones = new Map<string, Zone>();
  #nextFailure: Error | undefined;

  constructor(options: InMemoryProviderOptions) {
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.capabilities = {
      recordTypes: options.recordTypes ?? [...KNOWN_RECORD_TYPES],
      atomicity: 'zone',
      setIdentifiers: true,
      ...(options.maxChangesPerApply === undefined ? {} : { maxChangesPerApply: options.maxChangesPerApply }),
    };
    for (const zone of options.zones) this.#zones.set(normalizeDnsName(zone), new Map());
    if (options.records?.length)
      this.#applyNow({ create: options.records.map(endpoint), updateOld: [], updateNew: [], delete: [] });
  }

  /** Zone names served, normalised. */
  zones(): Promise<string[]> {
    return Promise.resolve(this.#zoneNames());
  }

  #zoneNames(): string[] {
    return [...this.#zones.keys()];
  }

  /** Makes the next `applyChanges` call fail with `error` before it changes anything (fault injection). */
  failNextApply(
    error: Error = new ProviderError('injected failure', { provider: 'inmemory', retryable: true }),
  ): void {
    this.#nextFailure = error;
  }

  /** Every stored record set, registry TXT records included, sorted by name, type and set identifier. */
  records(options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    this.calls.records++;
    const out: Endpoint[] = [];
    for (const zone of this.#zones.values()) {
      for (const ep of zone.values()) if (this.domainFilter.matches(ep.dnsName)) out.push(cloneEndpoint(ep));
    }
    out.sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : endpointKey(a) > endpointKey(b) ? 1 : 0));
    return Promise.resolve(out);
  }

  adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    this.calls.adjustEndpoints++;
    return Promise.resolve(endpoints.map((ep) => canonicalEndpoint(ep)));
  }

  applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    try {
      throwIfAborted(options.signal);
      this.calls.applyChanges++;
      this.applied.push(copyChanges(changes));
      const failure = this.#nextFailure;
      if (failure) {
        this.#nextFailure = undefined;
        throw failure;
      }
      this.#applyNow(changes);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #applyNow(changes: Changes): void {
    const all = CHANGE_LISTS.flatMap((list) => changes[list]);
    assertValidEndpoints(all, { summary: 'inmemory: the change set has invalid records' });
    const byZone = new Map<string, Changes>();
    for (const list of CHANGE_LISTS) {
      for (const ep of changes[list]) {
        if (!this.capabilities.recordTypes.includes(ep.recordType)) {
          throw new ProviderError(
            `inmemory: record type ${ep.recordType} is not supported (${describeEndpoint(ep)})`,
            { provider: this.name },
          );
        }
        const zone = findZone(ep.dnsName, this.#zoneNames());
        if (zone === undefined) {
          throw new ProviderError(
            `inmemory: no zone serves ${ep.dnsName} (zones: ${this.#zoneNames().join(', ') || 'none'})`,
            { provider: this.name, code: 'UNKNOWN_ZONE' },
          );
        }
        let part = byZone.get(zone);
        if (!part) byZone.set(zone, (part = { create: [], updateOld: [], updateNew: [], delete: [] }));
        part[list].push(ep);
      }
    }
    // Build every zone's new state first, so an error anywhere leaves everything unchanged.
    const next = new Map<string, Zone>();
    for (const [zoneName, part] of byZone)
      next.set(
        zoneName,
        applyToZone(this.#zones.get(zoneName) ?? new Map<string, Endpoint>(), part, zoneName),
      );
    for (const [zoneName, zone] of next) this.#zones.set(zoneName, zone);
  }
}

function applyToZone(current: Zone, part: Changes, zoneName: string): Zone {
  const zone = new Map(current);
  const conflict = (message: string) =>
    new ProviderError(`inmemory: ${message}`, { provider: 'inmemory', code: 'RECORD_CONFLICT' });
  for (const ep of part.delete) zone.delete(endpointKey(ep));
  for (const ep of part.updateOld) zone.delete(endpointKey(ep));
  for (const ep of part.updateNew) zone.set(endpointKey(ep), cloneEndpoint(ep));
  for (const ep of part.create) {
    const key = endpointKey(ep);
    if (zone.has(key)) throw conflict(`${describeEndpoint(ep)} already exists in zone ${zoneName}`);
    zone.set(key, cloneEndpoint(ep));
  }
  // CNAME and other data cannot share a name (RFC 1034 §3.6.2).
  const typesByName = new Map<string, Set<string>>();
  for (const ep of zone.values()) {
    const name = `${normalizeDnsName(ep.dnsName)}\u0000${ep.setIdentifier}`;
    const types = typesByName.get(name) ?? new Set<string>();
    types.add(ep.recordType);
    typesByName.set(name, types);
  }
  for (const [name, types] of typesByName) {
    if (types.has('CNAME') && types.size > 1) {
      throw conflict(
        `${name.split('\u0000')[0] ?? name} would have a CNAME beside other data (${[...types].sort().join(', ')})`,
      );
    }
  }
  for (const ep of zone.values()) {
    if (ep.targets.length === 0) throw conflict(`${describeEndpoint(ep)} has no targets`);
  }
  return zone;
}

function canonicalEndpoint(ep: Endpoint): Endpoint {
  const out = cloneEndpoint(ep);
  out.dnsName = withoutTrailingDot(out.dnsName);
  out.targets = [...new Set(out.targets.map((t) => canonicalizeTarget(out.recordType, t)))];
  return out;
}

function copyChanges(changes: Changes): Changes {
  return {
    create: changes.create.map(cloneEndpoint),
    updateOld: changes.updateOld.map(cloneEndpoint),
    updateNew: changes.updateNew.map(cloneEndpoint),
    delete: changes.delete.map(cloneEndpoint),
  };
}
