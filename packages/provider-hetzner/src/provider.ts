import {
  cloneEndpoint,
  ConfigError,
  describeEndpoint,
  DomainFilter,
  normalizeDnsName,
  ProviderError,
  InterruptedApplyError,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Provider,
  type ProviderCapabilities,
  type RecordType,
  ValidationError,
  type Issue,
  type IssuePath,
} from '@openova/dns-core';
import {
  sortEndpoints,
  CachedLoader,
  markersToUndo,
  prepareChangeSet,
  recordWritePhases,
  sortTargets,
  throwIfAborted,
  zoneMatcher,
} from '@openova/dns-core/provider';
import { HetznerClient, type HetznerClientOptions } from './client.js';
import { HetznerActionError, isHetznerApiError } from './errors.js';
import {
  canonicalTargetFor,
  fromHetznerValue,
  LABEL_PROPERTY_PREFIX,
  LABEL_SLASH_ESCAPE,
  labelProblem,
  labelsToProperties,
  propertiesToLabels,
  rrsetName,
  rrsetToEndpoint,
  toHetznerValue,
} from './mapping.js';
import type { HetznerAction, HetznerRRSet } from './schemas.js';

/** Record types the provider reads and writes unless told otherwise. */
export const DEFAULT_HETZNER_RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'CAA',
  'NS',
  'PTR',
];

/** Lowest TTL the Cloud API accepts. */
export const MIN_HETZNER_TTL = 60;

/** How to reach the API: connection settings, or a client built already. */
export type HetznerConnection =
  | (Omit<HetznerClientOptions, 'dispatcher'> & {
      /** Leave out: the provider builds its own client from the options. */
      client?: undefined;
    })
  | {
      /** A client built already (shared by several providers). */
      client: HetznerClient;
    };

/** Options of {@link HetznerProvider}: the token, plus what to manage (see docs/providers/hetzner.md). */
export type HetznerProviderOptions = HetznerConnection & {
  /** Names the provider reads and writes; zones are listed and filtered by it. */
  domainFilter?: DomainFilter;
  /** Only zones matching this label selector (`GET /zones?label_selector=`). */
  zoneLabelSelector?: string;
  /** Record types read and written (default {@link DEFAULT_HETZNER_RECORD_TYPES}). */
  recordTypes?: readonly RecordType[];
  /** How long the zone list is reused (default 60 000 ms; 0 = list on every call). */
  zoneCacheTtlMs?: number;
  /** Requests of one phase in flight at once (default 8). */
  concurrency?: number;
};

/** A zone as the provider uses it. */
export interface HetznerZoneInfo {
  /** Numeric zone id. */
  id: number;
  /** Zone name. */
  name: string;
  /** Default TTL of RRSets without their own. */
  ttl: number;
  /** `primary` or `secondary` (the provider skips secondary zones). */
  mode: 'primary' | 'secondary';
}

/** One record set's writes, as sent: steps run one after another, each awaited. */
interface RRSetOp {
  /** The change this op writes (the object of the change set). */
  ep: Endpoint;
  what: string;
  zone: HetznerZoneInfo;
  name: string;
  type: string;
  steps: Step[];
  /** Called when every step succeeded: the record set as now stored (undefined: gone). */
  stored: HetznerRRSet | undefined;
}

type Step = (options: CallOptions) => Promise<HetznerAction | undefined>;

/**
 * What an apply left behind when it failed: the record sets written and those not (failed or not
 * attempted). The next run reads the zone again and converges.
 */
export class HetznerApplyError extends InterruptedApplyError {
  /**
   * @param cause the error of the write that failed.
   * @param applied record sets written before the failure, as `describeEndpoint` strings.
   * @param notApplied record sets not written: the one that failed and those not attempted.
   * @param undone ownership markers written by this apply and deleted again.
   */
  constructor(
    cause: unknown,
    applied: readonly string[],
    notApplied: readonly string[],
    undone: readonly string[] = [],
  ) {
    super('hetzner', cause, { applied, notApplied, undone });
    this.name = 'HetznerApplyError';
  }
}

const DEFAULT_ZONE_CACHE_TTL_MS = 60_000;

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((v) => set.has(v));
};

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * The Hetzner Cloud DNS API as a core {@link Provider}.
 *
 * - One endpoint per RRSet; names and values are translated by `mapping.ts` (relative names, `@`,
 *   host names written with their trailing dot).
 * - No transaction spans two RRSets (`atomicity: 'record'`): writes follow core's
 *   {@link recordWritePhases} order (markers before their records on create, records before their
 *   markers on delete), and every action of a phase reaches `success` before the next phase starts.
 * - One request per changed RRSet (create: `POST /rrsets` with TTL and labels; values changed:
 *   `set_records`, or `add_records` with the new TTL when values are only added; TTL only:
 *   `change_ttl`; delete: `DELETE`), plus shared polling of the actions.
 * - A failure stops at the end of its phase's round and throws {@link HetznerApplyError} naming what
 *   was applied and what not.
 */
export class HetznerProvider implements Provider {
  readonly name = 'hetzner';
  readonly domainFilter: DomainFilter;
  /** The client the provider calls (its `onRequest` events show every request). */
  readonly client: HetznerClient;
  readonly #recordTypes: readonly string[];
  readonly #zoneLabelSelector: string | undefined;
  readonly #zoneCache: CachedLoader<HetznerZoneInfo[]>;
  readonly #concurrency: number;
  /** RRSets per zone id, by `name/type`, as last read or written. */
  readonly #rrsets = new Map<number, Map<string, HetznerRRSet>>();

  /**
   * @param options The project token and what to manage; see {@link HetznerProviderOptions}.
   * @throws `ConfigError` (`CONFIG`) without a token, with a `baseUrl` that is not http(s), or with a
   *   `concurrency` that is not a positive integer. Nothing is sent to the API.
   */
  constructor(options: HetznerProviderOptions) {
    if (options.client) this.client = options.client;
    else {
      const {
        domainFilter: _f,
        zoneLabelSelector: _l,
        recordTypes: _r,
        zoneCacheTtlMs: _z,
        concurrency: _c,
        client: _cl,
        ...connection
      } = options;
      this.client = new HetznerClient(connection);
    }
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#zoneLabelSelector = options.zoneLabelSelector;
    this.#recordTypes = (options.recordTypes ?? DEFAULT_HETZNER_RECORD_TYPES).map((t) => t.toUpperCase());
    this.#concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1)
      throw new ConfigError('hetzner: concurrency must be a positive integer');
    this.#zoneCache = new CachedLoader({
      ttlMs: options.zoneCacheTtlMs ?? DEFAULT_ZONE_CACHE_TTL_MS,
      load: (o) => this.#listZones(o),
    });
  }

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter, the
   * client's identity, zone label selector as configured; never a credential, the client's connections or
   * cached records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      client: this.client.toJSON(),
      zoneLabelSelector: this.#zoneLabelSelector,
    };
  }

  get capabilities(): ProviderCapabilities {
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'record',
      setIdentifiers: false,
      ownerNames: 'hostname',
    };
  }

  /** Forgets the cached zone list and RRSets. */
  refresh(): void {
    this.#zoneCache.clear();
    this.#rrsets.clear();
  }

  async zones(options: CallOptions = {}): Promise<string[]> {
    // a secondary zone is written by its primary server only (422 incorrect_zone_mode): it serves
    // nothing here, so reconcile reports a desired record there as not written instead of sending it
    return (await this.#zoneCache.get(options, false)).filter((z) => z.mode === 'primary').map((z) => z.name);
  }

  /** The managed zones with their ids, default TTLs and modes. */
  async zoneInfo(options: CallOptions = {}): Promise<HetznerZoneInfo[]> {
    return (await this.#zoneCache.get(options, false)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zoneCache.get(options, false);
    const perZone = await Promise.all(zones.map((zone) => this.#readZone(zone, options, true)));
    const out: Endpoint[] = [];
    zones.forEach((zone, i) => {
      for (const rrset of (perZone[i] as Map<string, HetznerRRSet>).values()) {
        if (!this.#recordTypes.includes(rrset.type.toUpperCase())) continue;
        if (isHetznersOwn(rrset)) continue; // the apex SOA and NS are Hetzner's: never read, never written
        const ep = rrsetToEndpoint(rrset, zone);
        if (this.domainFilter.matches(ep.dnsName)) out.push(ep);
      }
    });
    return sortEndpoints(out);
  }

  /**
   * Rewrites desired endpoints into what {@link records} returns once they are written: lower-case
   * punycode names, canonical targets (host names absolute), duplicates merged, TTLs below 60 raised
   * to 60 (an unset TTL stays unset), only label properties kept, sorted.
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    const zones = endpoints.length ? await this.#zoneCache.get(options, false) : [];
    const zoneOf = zoneMatcher(zones.map((z) => z.name));
    // a label Hetzner refuses would fail its RRSet's write after others were made: refused now
    const issues: Issue[] = [];
    endpoints.forEach((ep, i) => {
      labelIssues(ep, [i], issues);
      apexIssues(ep, zoneOf(normalizeDnsName(ep.dnsName)), [i], issues);
    });
    if (issues.length)
      throw new ValidationError(issues, { summary: 'hetzner: records Hetzner does not accept' });
    return endpoints.map((input) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      const zone = zoneOf(ep.dnsName) ?? ep.dnsName;
      ep.targets = sortTargets([
        ...new Set(ep.targets.map((t) => canonicalTargetFor(ep.recordType, t, zone))),
      ]);
      if (ep.recordTTL > 0 && ep.recordTTL < MIN_HETZNER_TTL) ep.recordTTL = MIN_HETZNER_TTL;
      ep.providerSpecific = labelsToProperties(propertiesToLabels(ep.providerSpecific));
      return ep;
    });
  }

  /**
   * Applies a change set in core's record-atomicity order (see {@link recordWritePhases}): phase by
   * phase, every action of a phase awaited before the next starts.
   * @throws `ValidationError` (nothing sent) for invalid records; `UNKNOWN_ZONE` for names no zone
   *   serves; {@link HetznerApplyError} (with the code of its cause) when a write or action failed.
   */
  async applyChanges(input: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const changes = prepareChangeSet(input, {
      provider: 'hetzner',
      domainFilter: this.domainFilter,
      recordTypes: this.#recordTypes,
      setIdentifiers: false,
      setIdentifierHint: 'Hetzner has no set identifiers (weighted or geo record sets)',
      checkWrite: (ep, path, issues) => labelIssues(ep, path, issues),
    });
    const touched = [...changes.create, ...changes.updateNew, ...changes.delete];
    if (touched.length === 0) return;
    const zoneOf = await this.#zoneResolver(touched, options);
    const own: Issue[] = [];
    for (const list of ['create', 'updateNew', 'delete'] as const)
      changes[list].forEach((ep, j) => apexIssues(ep, zoneOf(ep).name, [list, j], own));
    if (own.length)
      throw new ValidationError(own, { summary: 'hetzner: records Hetzner keeps itself (nothing was sent)' });
    const phases = recordWritePhases(changes);
    const applied = new Set<Endpoint>();
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[p] as Changes;
      const ops: RRSetOp[] = [];
      for (const ep of phase.delete) {
        const op = await this.#deleteOp(ep, zoneOf(ep), options);
        if (op) ops.push(op);
      }
      for (const ep of phase.create) {
        const op = await this.#writeOp(ep, zoneOf(ep), options);
        if (op) ops.push(op);
      }
      for (const ep of phase.updateNew) {
        const op = await this.#writeOp(ep, zoneOf(ep), options);
        if (op) ops.push(op);
      }
      const uncertain = new Set<RRSetOp>();
      const failure = await this.#run(ops, options, { applied, uncertain });
      if (failure) {
        // writes whose outcome is unknown (answer lost, timeout): learn what they did first
        await this.#resolve(uncertain, applied, options);
        const notApplied = [
          ...ops.filter((o) => !applied.has(o.ep)).map((o) => o.what),
          ...phases.slice(p + 1).flatMap((c) => [...c.delete, ...c.create, ...c.updateNew].map(describe)),
        ];
        const undone = await this.#undo(markersToUndo(changes, applied), zoneOf, options);
        throw new HetznerApplyError(
          failure,
          [...applied].filter((ep) => !undone.includes(ep)).map(describe),
          notApplied,
          undone.map(describe),
        );
      }
    }
  }

  // ---- planning -------------------------------------------------------------------------------

  async #zoneResolver(
    touched: readonly Endpoint[],
    options: CallOptions,
  ): Promise<(ep: Endpoint) => HetznerZoneInfo> {
    let zones = await this.#zoneCache.get(options, false);
    let match = zoneMatcher(zones.map((z) => z.name));
    if (touched.some((ep) => match(ep.dnsName) === undefined)) {
      zones = await this.#zoneCache.get(options, true);
      match = zoneMatcher(zones.map((z) => z.name));
    }
    const missing = [
      ...new Set(touched.filter((ep) => match(ep.dnsName) === undefined).map((ep) => ep.dnsName)),
    ];
    if (missing.length)
      throw new ProviderError(
        `hetzner: no zone of this project serves ${missing.join(', ')} (zones: ${zones.map((z) => z.name).join(', ') || 'none'})`,
        { provider: this.name, code: 'UNKNOWN_ZONE' },
      );
    const zoneOf = (ep: Endpoint) => zones.find((z) => z.name === match(ep.dnsName)) as HetznerZoneInfo;
    // refused before the first write: a secondary zone answers every write with incorrect_zone_mode
    const issues: Issue[] = [];
    touched.forEach((ep) => {
      const zone = zoneOf(ep);
      if (zone.mode !== 'primary')
        issues.push({
          path: ['dnsName'],
          code: 'secondary_zone',
          message: `${describe(ep)}: the zone ${zone.name} is a secondary zone; only its primary server writes it`,
        });
    });
    if (issues.length)
      throw new ValidationError(issues, {
        summary: 'hetzner: records in secondary zones (nothing was sent)',
      });
    return zoneOf;
  }

  async #current(zone: HetznerZoneInfo, name: string, type: string, options: CallOptions) {
    return (await this.#readZone(zone, options)).get(`${name}/${type}`);
  }

  async #deleteOp(ep: Endpoint, zone: HetznerZoneInfo, options: CallOptions): Promise<RRSetOp | undefined> {
    const name = rrsetName(ep.dnsName, zone.name);
    const type = ep.recordType.toUpperCase();
    const current = await this.#current(zone, name, type, options);
    if (!current) return undefined; // gone already (an earlier attempt)
    const named = new Set(ep.targets.map((t) => toHetznerValue(type, t)));
    const ours = current.records.filter((r) =>
      named.has(toHetznerValue(type, fromStored(type, r.value, zone))),
    );
    if (ours.length === 0) return undefined;
    const call = (o: CallOptions) => (o.signal ? { signal: o.signal } : {});
    // values someone added since the read are not ours: remove only the named ones
    if (ours.length < current.records.length) {
      const rest = current.records.filter((r) => !ours.includes(r));
      return {
        ep,
        what: describe(ep),
        zone,
        name,
        type,
        steps: [(o) => goneIsDone(this.client.removeRecords(zone.id, { name, type }, ours, call(o)))],
        stored: { ...current, records: rest },
      };
    }
    return {
      ep,
      what: describe(ep),
      zone,
      name,
      type,
      // gone already (a retry after a lost answer, or someone else): the goal is reached
      steps: [(o) => goneIsDone(this.client.deleteRRSet(zone.id, name, type, call(o)))],
      stored: undefined,
    };
  }

  async #writeOp(ep: Endpoint, zone: HetznerZoneInfo, options: CallOptions): Promise<RRSetOp | undefined> {
    const name = rrsetName(ep.dnsName, zone.name);
    const type = ep.recordType.toUpperCase();
    const values = [...new Set(ep.targets.map((t) => toHetznerValue(type, t)))];
    const records = values.map((value) => ({ value }));
    const ttl = ep.recordTTL > 0 ? Math.max(MIN_HETZNER_TTL, ep.recordTTL) : undefined;
    const labels = propertiesToLabels(ep.providerSpecific);
    const call = (o: CallOptions) => (o.signal ? { signal: o.signal } : {});
    const current = await this.#current(zone, name, type, options);
    if (!current) {
      const stored: HetznerRRSet = {
        id: `${name}/${type}`,
        name,
        type,
        ttl: ttl ?? null,
        labels,
        protection: { change: false },
        records: records.map((r) => ({ value: r.value, comment: null })),
        zone: zone.id,
      };
      return {
        ep,
        what: describe(ep),
        zone,
        name,
        type,
        steps: [
          async (o) => {
            try {
              const write = await this.client.createRRSet(
                zone.id,
                {
                  name,
                  type,
                  ...(ttl === undefined ? {} : { ttl }),
                  ...(Object.keys(labels).length ? { labels } : {}),
                  records,
                },
                call(o),
              );
              return write.action;
            } catch (error) {
              // an earlier attempt created it after all (its answer was lost): replace its values
              if (!(isHetznerApiError(error) && error.hetznerCode === 'uniqueness_error')) throw error;
              return await this.client.setRecords(zone.id, { name, type }, records, call(o));
            }
          },
        ],
        stored,
      };
    }
    const currentValues = current.records.map((r) => toHetznerValue(type, fromStored(type, r.value, zone)));
    const valuesChange = !sameSet(values, currentValues);
    // a stored TTL of null is the zone's default, which is what records() reports
    const ttlChange = ttl !== undefined && ttl !== (current.ttl ?? zone.ttl);
    const labelsChange = !sameLabels(labels, current.labels);
    const steps: Step[] = [];
    if (valuesChange && ttlChange && currentValues.every((v) => values.includes(v))) {
      // values only added: one action carries both
      const added = records.filter((r) => !currentValues.includes(r.value));
      steps.push((o) => this.client.addRecords(zone.id, { name, type }, { records: added, ttl }, call(o)));
    } else {
      if (valuesChange) steps.push((o) => this.client.setRecords(zone.id, { name, type }, records, call(o)));
      if (ttlChange) steps.push((o) => this.client.changeTtl(zone.id, { name, type }, ttl, call(o)));
    }
    if (labelsChange)
      steps.push(async (o) => {
        // labels are set synchronously (no action)
        await this.client.updateRRSetLabels(zone.id, { name, type }, labels, call(o));
        return undefined;
      });
    if (steps.length === 0) return undefined;
    return {
      ep,
      what: describe(ep),
      zone,
      name,
      type,
      steps,
      stored: {
        ...current,
        ttl: ttl ?? current.ttl,
        labels,
        records: records.map((r) => ({ value: r.value, comment: null })),
      },
    };
  }

  // ---- running --------------------------------------------------------------------------------

  /**
   * Runs the ops of one phase: round k sends step k of every op still going (at most `concurrency`
   * at once), then waits for all their actions with shared polls. Returns the first failure after
   * every action of its round has finished, or `undefined`.
   */
  /**
   * After writes whose answers were lost: waits until their zones have no running action, reads
   * them again and counts each write as applied when the zone shows it. Best effort: whatever cannot
   * be learnt stays "not applied", which never removes a marker whose record may exist.
   */
  async #resolve(
    uncertain: ReadonlySet<RRSetOp>,
    applied: Set<Endpoint>,
    options: CallOptions,
  ): Promise<void> {
    if (uncertain.size === 0 || options.signal?.aborted) return;
    const call = options.signal ? { signal: options.signal } : {};
    const zones = new Map([...uncertain].map((op) => [op.zone.id, op.zone]));
    try {
      for (const zone of zones.values()) {
        if (!(await this.client.waitForZoneIdle(zone.id, call))) continue;
        const sets = await this.#readZone(zone, options, true);
        for (const op of uncertain) {
          if (op.zone.id !== zone.id) continue;
          const now = sets.get(`${op.name}/${op.type}`);
          const values = (r: HetznerRRSet | undefined) =>
            (r?.records ?? []).map((v) => toHetznerValue(op.type, fromStored(op.type, v.value, zone)));
          const done = op.stored
            ? now !== undefined && sameSet(values(now), values(op.stored))
            : now === undefined || sameSet(values(now), values(op.stored));
          if (done) applied.add(op.ep);
        }
      }
    } catch {
      // unknown stays unknown
    }
  }

  /**
   * Deletes the markers a failure left without their record (core's {@link markersToUndo}); best
   * effort: returns the markers removed, and a marker it could not remove is left to the next run.
   */
  async #undo(
    markers: readonly Endpoint[],
    zoneOf: (ep: Endpoint) => HetznerZoneInfo,
    options: CallOptions,
  ): Promise<Endpoint[]> {
    if (markers.length === 0 || options.signal?.aborted) return [];
    const done = new Set<Endpoint>();
    try {
      const ops: RRSetOp[] = [];
      for (const ep of markers) {
        const op = await this.#deleteOp(ep, zoneOf(ep), options);
        if (op) ops.push(op);
        else done.add(ep); // not there (its write never took effect)
      }
      await this.#run(ops, options, { applied: done });
    } catch {
      // left to the next run
    }
    return markers.filter((m) => done.has(m));
  }

  async #run(
    ops: RRSetOp[],
    options: CallOptions,
    outcome: { applied: Set<Endpoint>; uncertain?: Set<RRSetOp> },
  ): Promise<unknown> {
    const { applied, uncertain } = outcome;
    let failure: unknown;
    let going = ops.filter((o) => o.steps.length > 0);
    for (let step = 0; going.length; step++) {
      throwIfAborted(options.signal);
      const sent: { op: RRSetOp; action: HetznerAction | undefined }[] = [];
      const failed = new Set<RRSetOp>();
      let next = 0;
      const worker = async () => {
        while (next < going.length) {
          const op = going[next++] as RRSetOp;
          try {
            sent.push({ op, action: await (op.steps[step] as Step)(options) });
          } catch (error) {
            failure ??= error;
            failed.add(op);
            if (outcomeUnknown(error)) uncertain?.add(op);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, going.length) }, worker));
      const actions = sent.flatMap((s) => (s.action ? [s.action] : []));
      let finished: HetznerAction[] = [];
      try {
        finished = await this.client.waitForActions(actions, {
          ...(options.signal ? { signal: options.signal } : {}),
          throwOnError: false,
        });
      } catch (error) {
        failure ??= error;
        // the actions' outcome is unknown: re-read their zones next time
        for (const s of sent) {
          failed.add(s.op);
          uncertain?.add(s.op);
        }
      }
      for (const action of finished)
        if (action.status === 'error') {
          const op = sent.find((s) => s.action?.id === action.id)?.op;
          failure ??= new HetznerActionError(action, op?.what ?? '');
        }
      const ok = new Set(finished.filter((a) => a.status === 'success').map((a) => a.id));
      for (const s of sent) if (s.action && !ok.has(s.action.id)) failed.add(s.op);
      for (const op of failed) this.#rrsets.delete(op.zone.id);
      going = going.filter((op) => !failed.has(op));
      for (const op of going)
        if (step === op.steps.length - 1) {
          applied.add(op.ep);
          this.#remember(op);
        }
      going = going.filter((op) => step < op.steps.length - 1);
      if (failure) {
        for (const op of going) this.#rrsets.delete(op.zone.id);
        return failure;
      }
    }
    return failure;
  }

  #remember(op: RRSetOp): void {
    const sets = this.#rrsets.get(op.zone.id);
    if (!sets) return;
    const key = `${op.name}/${op.type}`;
    if (op.stored) sets.set(key, op.stored);
    else sets.delete(key);
  }

  // ---- state ----------------------------------------------------------------------------------

  async #readZone(
    zone: HetznerZoneInfo,
    options: CallOptions,
    fresh = false,
  ): Promise<Map<string, HetznerRRSet>> {
    const cached = this.#rrsets.get(zone.id);
    if (cached && !fresh) return cached;
    // a secondary zone's RRSets cannot be listed (422 incorrect_zone_mode): it holds nothing we manage
    if (zone.mode !== 'primary') return new Map();
    const list = await this.client.listRRSets(zone.id, options.signal ? { signal: options.signal } : {});
    const sets = new Map(list.map((r) => [`${r.name}/${r.type.toUpperCase()}`, r]));
    this.#rrsets.set(zone.id, sets);
    return sets;
  }

  async #listZones(options: CallOptions): Promise<HetznerZoneInfo[]> {
    const zones = await this.client.listZones({
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#zoneLabelSelector ? { labelSelector: this.#zoneLabelSelector } : {}),
    });
    return zones
      .map((z) => ({ id: z.id, name: normalizeDnsName(z.name), ttl: z.ttl, mode: z.mode }))
      .filter((z) => this.domainFilter.selectsZone(z.name));
  }
}

function describe(ep: Endpoint): string {
  return describeEndpoint(ep);
}

/** A stored value as its endpoint target (relative host names resolved). */
function fromStored(type: string, value: string, zone: HetznerZoneInfo): string {
  return fromHetznerValue(type, value, zone.name);
}

/**
 * True when a failed write may still have been carried out: no answer (timeout, dropped connection)
 * or a 5xx, or any failure after a retry. A 4xx answer to a single attempt, our rate limiter refusing
 * to send, or an action in `error` prove it was not.
 */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof HetznerActionError) return false;
  if (!isHetznerApiError(error)) return !(error instanceof ProviderError);
  if (error.kind === 'rate-limited') return false;
  // an earlier attempt of a retried write may have been carried out, whatever the last one met
  if (error.attempts > 1) return true;
  if (error.kind === 'http') return error.status === undefined || error.status >= 500 || error.status === 408;
  return true;
}

/** A removal that finds nothing to remove (`not_found`) has reached its goal: no action to wait for. */
async function goneIsDone(write: Promise<HetznerAction>): Promise<HetznerAction | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isHetznerApiError(error) && error.hetznerCode === 'not_found') return undefined;
    throw error;
  }
}

/** An issue at `path`/providerSpecific/j for each label property of `ep` that Hetzner would refuse. */
function labelIssues(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
  ep.providerSpecific.forEach((p, j) => {
    if (!p.name.startsWith(LABEL_PROPERTY_PREFIX)) return;
    const key = p.name.slice(LABEL_PROPERTY_PREFIX.length).replaceAll(LABEL_SLASH_ESCAPE, '/');
    const found = labelProblem(key, p.value);
    if (found)
      issues.push({
        path: [...path, 'providerSpecific', j, found.part],
        code: 'invalid_label',
        message: `${describeEndpoint(ep)}: RRSet label ${JSON.stringify(key)}: ${found.problem}`,
      });
  });
}

/** The apex SOA and NS, which Hetzner creates with the zone and keeps (its name servers). */
function isHetznersOwn(rrset: Pick<HetznerRRSet, 'name' | 'type'>): boolean {
  const type = rrset.type.toUpperCase();
  return type === 'SOA' || (type === 'NS' && rrset.name === '@');
}

/**
 * An issue when `ep` would write Hetzner's own apex NS (or any SOA), or a CNAME at the apex, where
 * that SOA and NS are (RFC 1034 §3.6.2: a CNAME has no other data beside it).
 */
function apexIssues(ep: Endpoint, zone: string | undefined, path: IssuePath, issues: Issue[]): void {
  const type = ep.recordType.toUpperCase();
  const atApex = zone !== undefined && normalizeDnsName(ep.dnsName) === zone;
  if (type === 'CNAME' && atApex)
    issues.push({
      path: [...path, 'dnsName'],
      code: 'cname_at_apex',
      message: `${describeEndpoint(ep)}: a CNAME cannot be at the zone apex (Hetzner's SOA and NS are there)`,
    });
  if (type === 'SOA' || (type === 'NS' && atApex))
    issues.push({
      path: [...path, 'dnsName'],
      code: 'provider_owned',
      message: `${describeEndpoint(ep)}: the zone's ${type === 'SOA' ? 'SOA' : 'apex NS'} is Hetzner's own (its name servers); it is never written`,
    });
}
