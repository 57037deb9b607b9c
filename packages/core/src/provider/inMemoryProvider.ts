import { DomainFilter } from '../domainFilter.js';
import {
  cloneEndpoint,
  describeEndpoint,
  endpoint,
  endpointKey,
  sortEndpoints,
  KNOWN_RECORD_TYPES,
  type Endpoint,
  type EndpointInit,
  type RecordType,
} from '../endpoint/endpoint.js';
import { normalizeDnsName, withoutTrailingDot } from '../endpoint/names.js';
import { validateEndpoint } from '../endpoint/parse.js';
import { sameTargets, sortTargets } from '../endpoint/targets.js';
import { canonicalizeTarget } from '../endpoint/rdata.js';
import { isDnsError, ProviderError, throwIfAborted, ValidationError, type Issue } from '../errors.js';
import { CHANGE_LISTS, type Changes } from './changes.js';
import { withKeptTtls } from './checkChanges.js';
import type { BatchLimit, CallOptions, Provider, ProviderCapabilities } from './provider.js';
import { zoneMatcher } from './zones.js';
import { appendAll } from '../lists.js';

/** Options of {@link InMemoryProvider}. */
export interface InMemoryProviderOptions {
  /** Zones served, e.g. `['example.com']`. Writes outside them fail like on a real server. */
  zones: readonly string[];
  /** Records present at start. */
  records?: readonly EndpointInit[];
  /** Names the provider may read and write (default: everything in `zones`). */
  domainFilter?: DomainFilter;
  /** Record types accepted (default: every type the core model knows). */
  recordTypes?: readonly RecordType[];
  /** Declared batch limit, to exercise core's batching (default none). */
  maxChangesPerApply?: number;
  /** Declared cost-based batch limits, to exercise core's batching (default none). */
  batchLimits?: readonly BatchLimit[];
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
      conditionalWrites: true,
      // its content checks refuse a `*` anywhere but a whole leftmost label, as PowerDNS does
      ownerNames: 'hostname',
      ...(options.maxChangesPerApply === undefined ? {} : { maxChangesPerApply: options.maxChangesPerApply }),
      ...(options.batchLimits === undefined ? {} : { batchLimits: options.batchLimits }),
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

  /**
   * Every stored record set of the zones the domain filter selects, registry TXT records included,
   * sorted by name, type and set identifier. Like ExternalDNS providers, the filter selects zones,
   * not records: a filter `api.example.com` still returns the zone's ownership TXT
   * `a-api.example.com`; the planner applies the filter to each record.
   */
  records(options: CallOptions = {}): Promise<Endpoint[]> {
    return settle(() => {
      throwIfAborted(options.signal);
      this.calls.records++;
      const out: Endpoint[] = [];
      for (const [zoneName, zone] of this.#zones) {
        if (!this.domainFilter.selectsZone(zoneName)) continue;
        for (const ep of zone.values()) out.push(cloneEndpoint(ep));
      }
      return sortEndpoints(out);
    });
  }

  /** Returns each endpoint in the form {@link InMemoryProvider.records} will return it once applied. */
  adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    return settle(() => {
      throwIfAborted(options.signal);
      this.calls.adjustEndpoints++;
      // a CNAME at a zone apex would sit beside the zone's SOA and NS, as on every real server
      const issues: Issue[] = [];
      endpoints.forEach((ep, i) => {
        if (ep.recordType.toUpperCase() === 'CNAME' && this.#zones.has(normalizeDnsName(ep.dnsName)))
          issues.push({
            path: [i, 'dnsName'],
            code: 'cname_at_apex',
            message: `${describeEndpoint(ep)}: a CNAME cannot be at the zone apex (the zone's SOA and NS are there)`,
          });
      });
      if (issues.length)
        throw new ValidationError(issues, { summary: 'in-memory: records the zone cannot hold' });
      return endpoints.map((ep) => canonicalEndpoint(ep));
    });
  }

  /**
   * Applies a change set atomically: every problem (invalid content, unknown zone, unsupported type,
   * duplicate create, CNAME beside other data) is found before anything is written, and then nothing is.
   * Failures are {@link ValidationError} or {@link ProviderError} (`UNKNOWN_ZONE`, `RECORD_CONFLICT`).
   */
  applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    if (!options.signal?.aborted) {
      this.calls.applyChanges++;
      this.applied.push(copyChanges(changes));
      const failure = this.#nextFailure;
      if (failure) {
        // injected on purpose: delivered exactly as given
        this.#nextFailure = undefined;
        return Promise.reject(failure);
      }
    }
    return settle(() => {
      throwIfAborted(options.signal);
      this.#checkFilter(changes);
      this.#applyNow(changes);
    }).catch((error: unknown) => {
      // every failure leaves as a DnsError, as the Provider contract requires
      throw isDnsError(error)
        ? error
        : new ProviderError(`inmemory: ${error instanceof Error ? error.message : String(error)}`, {
            provider: this.name,
            cause: error,
          });
    });
  }

  // As every provider (prepareChangeSet): the filter's exclusions and regexes bound writes too, not
  // only the zones it selects. (Records given at construction are the zone as it is: not checked.)
  #checkFilter(changes: Changes): void {
    const issues: Issue[] = [];
    for (const list of CHANGE_LISTS) {
      changes[list].forEach((ep, index) => {
        if (!this.domainFilter.matches(ep.dnsName))
          issues.push({
            path: [list, index, 'dnsName'],
            code: 'outside_domain_filter',
            message: `${ep.dnsName} is outside the domain filter`,
          });
      });
    }
    if (issues.length)
      throw new ValidationError(issues, {
        summary: 'inmemory: the change set has records outside the domain filter',
      });
  }

  // Content checks a real server makes before touching anything; paths name the list and index
  // (`create[2].targets[0]`) so the caller can find the record.
  #validate(changes: Changes): void {
    const issues: Issue[] = [];
    for (const list of CHANGE_LISTS) {
      changes[list].forEach((ep, index) => {
        appendAll(issues, validateEndpoint(ep, [list, index]));
        if ((list === 'create' || list === 'updateNew') && ep.targets.length === 0) {
          issues.push({
            path: [list, index, 'targets'],
            code: 'no_targets',
            message: `${describeEndpoint(ep)} has no targets; a record set needs at least one`,
          });
        }
      });
    }
    if (issues.length)
      throw new ValidationError(issues, { summary: 'inmemory: the change set has invalid records' });
  }

  #applyNow(input: Changes): void {
    this.#validate(input);
    const changes = withKeptTtls(input);
    const byZone = new Map<string, Changes>();
    const zoneOf = zoneMatcher(this.#zoneNames());
    for (const list of CHANGE_LISTS) {
      for (const ep of changes[list]) {
        if (!this.capabilities.recordTypes.includes(ep.recordType)) {
          throw new ProviderError(
            `inmemory: record type ${ep.recordType} is not supported (${describeEndpoint(ep)})`,
            { provider: this.name },
          );
        }
        const zone = zoneOf(ep.dnsName);
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
  // writes are conditional on what the plan read (capabilities.conditionalWrites), as on servers
  // with ETags or exact-match deletes: another writer's change in between is never replaced
  // (an update of a record set that is not there writes it: the registry's repair of a missing
  // marker relies on that, as ExternalDNS's does)
  const unchanged = (ep: Endpoint) => {
    const have = zone.get(endpointKey(ep));
    if (have === undefined) return;
    if (!sameTargets(have.targets, ep.targets))
      throw conflict(`${describeEndpoint(ep)} was changed since it was read (now ${have.targets.join(' ')})`);
  };
  for (const ep of part.delete) {
    unchanged(ep);
    zone.delete(endpointKey(ep));
  }
  for (const ep of part.updateOld) {
    unchanged(ep);
    zone.delete(endpointKey(ep));
  }
  for (const ep of part.updateNew) zone.set(endpointKey(ep), stored(ep));
  for (const ep of part.create) {
    const key = endpointKey(ep);
    if (zone.has(key)) throw conflict(`${describeEndpoint(ep)} already exists in zone ${zoneName}`);
    zone.set(key, stored(ep));
  }
  // CNAME and other data cannot share a name (RFC 1034 §3.6.2).
  const typesByName = new Map<string, Set<string>>();
  for (const ep of zone.values()) {
    // by name alone: set identifiers tell weighted record sets apart, they do not make a second name
    const name = normalizeDnsName(ep.dnsName);
    const types = typesByName.get(name) ?? new Set<string>();
    types.add(ep.recordType);
    typesByName.set(name, types);
  }
  for (const [name, types] of typesByName) {
    if (types.has('CNAME') && types.size > 1) {
      throw conflict(`${name} would have a CNAME beside other data (${[...types].sort().join(', ')})`);
    }
  }
  return zone;
}

/**
 * What a DNS server keeps of a written endpoint: no labels. Ownership lives in the TXT markers
 * only, as on every real server; a provider that kept labels would hide a registry that lost them.
 */
function stored(ep: Endpoint): Endpoint {
  const out = cloneEndpoint(ep);
  out.labels = {};
  return out;
}

/**
 * What the in-memory "server" stores for a desired endpoint: the name without trailing dot (its case is
 * kept, as ExternalDNS keeps it), each target in its type's canonical spelling, de-duplicated and
 * sorted in ExternalDNS order. TTL, labels and provider-specific properties are kept as they are.
 */
function canonicalEndpoint(ep: Endpoint): Endpoint {
  const out = cloneEndpoint(ep);
  out.dnsName = withoutTrailingDot(out.dnsName);
  out.targets = sortTargets(out.targets.map((t) => canonicalizeTarget(out.recordType, t)));
  return out;
}

// Runs `body` and turns its result or its error into a promise: provider methods never throw synchronously.
function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function copyChanges(changes: Changes): Changes {
  return {
    create: changes.create.map(cloneEndpoint),
    updateOld: changes.updateOld.map(cloneEndpoint),
    updateNew: changes.updateNew.map(cloneEndpoint),
    delete: changes.delete.map(cloneEndpoint),
  };
}
