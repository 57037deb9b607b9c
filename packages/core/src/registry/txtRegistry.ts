import type { DomainFilter } from '../domainFilter.js';
import {
  cloneEndpoint,
  DEFAULT_MANAGED_RECORD_TYPES,
  endpoint,
  KNOWN_RECORD_TYPES,
  REPEATED_RECORDS_PROPERTY,
  endpointKey,
  getProviderSpecific,
  isOwnedBy,
  LabelKeys,
  setProviderSpecific,
  type Endpoint,
  type RecordType,
  nameKey,
} from '../endpoint/endpoint.js';
import { parseLabels, serializeLabels } from '../endpoint/labels.js';
import {
  checkDnsName,
  dnsNameToUnicode,
  MAX_LABEL_OCTETS,
  MAX_NAME_OCTETS,
  normalizeDnsName,
  upperCased,
} from '../endpoint/names.js';
import {
  ConfigError,
  OwnershipConflictError,
  rebaseIssues,
  ValidationError,
  type Issue,
  type IssuePath,
} from '../errors.js';
import { CHANGE_LISTS, emptyChanges, hasAnyChange, type Changes } from '../provider/changes.js';
import type { CallOptions, Provider } from '../provider/provider.js';
import { zoneMatcher } from '../provider/zones.js';
import { decodeNonce, decryptTxtValue, encryptTxtValue, parseAesKey } from './encryption.js';
import { applyBatches, splitChanges } from '../apply/batches.js';
import { describeValue, isStringList } from '../lists.js';
import type { Registry, RegistryPreview } from './registry.js';
import { RECORD_TYPE_TEMPLATE, TxtNameMapper, type TxtNameConfig, type TxtNameTarget } from './txtMapper.js';
import type { RegistryWarning, RegistryWarningKind } from './warnings.js';

/** Provider-specific property the registry sets on an owned record whose typed TXT is missing (§2.6). */
export const FORCE_UPDATE_PROPERTY = 'txt/force-update';

/**
 * In-memory label (never written to DNS) on a record `records()` found owned by `oldOwnerId`. It makes
 * the current record differ from its desired version, so a planner emits the migration update even
 * when nothing else changed (deviation D3; ExternalDNS writes nothing then, #6671).
 */
export const MIGRATED_FROM_LABEL = 'txt-migrated-from';

/** Marker encryption, ExternalDNS's format (AES-256-GCM, gzip, base64). */
export interface TxtEncryptionOptions {
  /** 32 raw bytes, or standard (or URL-safe) base64 of 32 bytes. */
  aesKey: string | Uint8Array;
  /**
   * Write encrypted values (default true). With `false` values are written in plain text but encrypted
   * ones can still be read, which is how a deployment turns encryption off without losing ownership.
   */
  enabled?: boolean;
}

/**
 * Options of {@link TxtRegistry}; each maps an ExternalDNS `--txt-*` flag (see
 * docs/migrating-from-externaldns.md).
 */
export interface TxtRegistryOptions extends TxtNameConfig {
  /** This instance's owner ID; must be unique per instance sharing a zone. */
  ownerId: string;
  /** Previous owner ID: records it owns are read as ours and their TXT is rewritten (migration). */
  oldOwnerId?: string;
  /** Types whose missing typed TXT is repaired (default A, AAAA, CNAME). */
  managedRecordTypes?: readonly RecordType[];
  /**
   * Types never repaired or managed even when listed in `managedRecordTypes` (ExternalDNS
   * `--exclude-record-types`; default none).
   */
  excludeRecordTypes?: readonly RecordType[];
  /**
   * Encrypt marker values with AES-256-GCM (ExternalDNS `--txt-encrypt-enabled`, `--txt-encrypt-aes-key`;
   * default off).
   */
  encryption?: TxtEncryptionOptions;
  /** Called once for every warning as it is found (see {@link TxtRegistry.warnings}). */
  onWarning?: (warning: RegistryWarning) => void;
  /**
   * A create whose TXT name already holds another owner's marker (deviation D2) is never written.
   * `skip` (default) drops it with an `ownership-conflict` warning and sends the rest; `throw` fails
   * the whole call with {@link OwnershipConflictError} before anything is sent.
   */
  onConflict?: 'skip' | 'throw';
}

/** What `applyChanges` would send for a change set, worked out without sending it. */
interface Composed {
  /** The records to send (creates stamped with our owner). */
  out: Changes;
  /** Their ownership TXTs, in the same order. */
  txts: Changes;
  issues: Issue[];
  conflicts: { record: Endpoint; error: OwnershipConflictError }[];
  /** Creates whose ownership TXT name the provider cannot store, with the reason. */
  unwritable: { record: Endpoint; txtName: string; reason: string }[];
  notOwned: { what: 'update' | 'delete'; record: Endpoint }[];
  invalid: () => ValidationError;
  /** Where each endpoint of `out` and `txts` came from in the registry's input (a marker: its record). */
  origin: Map<Endpoint, IssuePath>;
}

/** Everything the registry TXTs of one record (or one TXT name) say. */
interface Marker {
  readonly ambiguous: boolean;
  /** Distinct owners named, sorted; `''` = a marker without owner label. */
  readonly ownerIds: readonly string[];
  /** The labels to merge (absent when ambiguous). */
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** The TXT as stored, resent verbatim as the old value on update and delete. */
  readonly txt: Endpoint;
  /** Every TXT that contributed, as the provider spelled them. */
  readonly txtNames: readonly string[];
}

interface MarkerValue {
  labels: Record<string, string>;
  txt: Endpoint;
  raw: string;
}

interface MarkerGroup {
  values: MarkerValue[];
  endpointName: string;
  recordType: string;
  setIdentifier: string;
  /** Resolved on first use: most groups are only ever looked up once. */
  marker?: Marker;
  /**
   * Whether one of its TXTs is at the name we write for (endpointName, recordType); worked out on
   * first use. A legacy name can read back typed (`cname-txt` with suffix `-txt` → `cname`, CNAME)
   * without being that name, and then the typed TXT is still missing.
   */
  written?: boolean | undefined;
}

const hasRepeats = (ep: Endpoint) => ep.providerSpecific.some((p) => p.name === REPEATED_RECORDS_PROPERTY);

const markerOf = (g: MarkerGroup): Marker => (g.marker ??= resolve(g.values));

const key = (name: string, type: string, setIdentifier: string) =>
  `${normalizeDnsName(name)}\u0000${type}\u0000${setIdentifier}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A stored marker TXT as it is sent back (value, set identifier and properties as read), for `ownedRecord`. */
function storedTxt(txt: Endpoint, ownedRecord: string): Endpoint {
  return endpoint({
    dnsName: txt.dnsName,
    recordType: 'TXT',
    targets: txt.targets,
    setIdentifier: txt.setIdentifier,
    labels: { [LabelKeys.ownedRecord]: ownedRecord },
    providerSpecific: txt.providerSpecific,
  });
}

/** Refuses an `encryption` option that is not `{ aesKey, enabled? }` (the key itself is checked by `parseAesKey`). */
function checkEncryption(encryption: unknown): void {
  if (encryption === undefined) return;
  if (typeof encryption !== 'object' || encryption === null || Array.isArray(encryption))
    throw new ConfigError(
      `TXT registry: encryption, when set, must be an object { aesKey, enabled? }, got ${encryption === null ? 'null' : typeof encryption}`,
    );
  const { aesKey, enabled } = encryption as Record<string, unknown>;
  // the key is a secret: only its type is ever named
  if (typeof aesKey !== 'string' && !(aesKey instanceof Uint8Array))
    throw new ConfigError(
      `TXT registry: encryption.aesKey is required: 32 raw bytes or base64 of 32 bytes (a string or a Uint8Array), got ${aesKey === null ? 'null' : typeof aesKey}`,
    );
  if (enabled !== undefined && typeof enabled !== 'boolean')
    throw new ConfigError(
      `TXT registry: encryption.enabled, when set, must be true or false, got ${describeValue(enabled)}`,
    );
}

/**
 * ExternalDNS's TXT ownership registry around any {@link Provider}: every record we write gets a
 * companion TXT (`a-api.example.com` → `"heritage=external-dns,external-dns/owner=…"`), `records()`
 * merges those labels into the records and hides the TXTs, and `applyChanges()` sends each record with
 * its TXT in one provider call. Reads every format ExternalDNS ever wrote, and differs from ExternalDNS
 * where it loses or corrupts ownership (deviations D1–D5 of the conformance notes).
 */
export class TxtRegistry implements Registry {
  readonly provider: Provider;
  readonly ownerId: string;
  readonly oldOwnerId: string | undefined;
  readonly managedRecordTypes: readonly RecordType[];
  readonly excludeRecordTypes: readonly RecordType[];
  /**
   * How record names map to marker names and back (ExternalDNS's `--txt-prefix`, `--txt-suffix`,
   * `--txt-wildcard-replacement`).
   */
  readonly mapper: TxtNameMapper;

  readonly #key: Uint8Array | undefined;
  readonly #encrypt: boolean;
  readonly #onWarning: ((warning: RegistryWarning) => void) | undefined;
  readonly #throwOnConflict: boolean;
  /**
   * Registry TXTs of the last `records()` by TXT name and set identifier (D2 check, stored old
   * values). Built on first use from `#markerGroups`: a run without creates, updates or fallback
   * markers never needs it.
   */
  #byTxtNameIndex: Map<string, MarkerGroup> | undefined = new Map();
  /** The groups of the last `records()`, one per marker TXT, in the order read. */
  #markerGroups: MarkerGroup[] = [];
  /** The TXT value of a record whose only label is our owner (the common case), once built. */
  #ownerOnlyValue: string | undefined;
  /** TXT changes applied since the index was last brought up to date (see `#remember`). */
  #written: Changes[] = [];
  #warnings: RegistryWarning[] = [];
  #migrated = new Set<string>();
  /** The last preview, valid until the next `records()` or `applyChanges()`. */
  #previewed: { changes: Changes; composed: Composed; batches: Changes[] } | undefined;
  /** True when every typed marker reading is the name this registry writes (a templated prefix). */
  readonly #typedReadIsWritten: boolean;
  /** With a wildcard replacement: literal records at replacement names, and wildcards by replaced name. */
  #literalAtReplacement: Set<string> | undefined;
  #wildcardAt: Set<string> | undefined;
  /** The zone of a name, from the provider's zone list as of the last `records()` (when it has one). */
  #zoneOf: ((name: string) => string | undefined) | undefined;
  /**
   * Records of ours, by key, that the last `records()` found owned only through a marker that is not
   * at their typed TXT name (a legacy untyped one), while that typed name cannot be stored: their
   * marker stays where it is (see `#keptMarker`).
   */
  #keptMarkers = new Map<string, Marker>();
  /** The markers of the last `records()` by the record they speak for (legacy look-ups on create). */
  #recordMarkers: RecordMarkers | undefined;
  /** Names (normalised) that held a CNAME in the last `records()`: no marker can go there. */
  #cnameNames = new Set<string>();
  /**
   * TXT record sets of the last `records()` whose values read as markers at a name this
   * configuration does not map (another configuration's marker): hidden from the planner like every
   * marker, by name key (name and set identifier) → name as stored.
   */
  #unreadMarkerNames = new Map<string, string>();
  /**
   * Legacy (untyped) marker groups of the last read, with the keys of the records at their name
   * they can speak for (every type but AAAA): see `#leavingLegacyMarkers`.
   */
  #legacyAt = new Map<MarkerGroup, string[]>();

  /**
   * @param provider The provider whose records the registry reads and writes.
   * @param options Owner ID, marker naming and encryption (ExternalDNS's `--txt-*` flags).
   * @throws `ConfigError` (`CONFIG`) when `ownerId` is empty or holds commas, quotes, spaces or `=`, when
   *   `oldOwnerId` is empty or equals `ownerId`, when both `prefix` and `suffix` are set, when
   *   `onConflict` is not `skip` or `throw`, when an option has the wrong type (`prefix: 42`), or when
   *   `encryption` has no valid AES key.
   */
  constructor(provider: Provider, options: TxtRegistryOptions) {
    // `new TxtRegistry({ provider, ownerId })` is an easy slip: say what the signature is
    if (
      typeof (provider as unknown) !== 'object' ||
      provider === null ||
      typeof provider.records !== 'function'
    )
      throw new ConfigError(
        'TXT registry: the first argument must be a provider: new TxtRegistry(provider, { ownerId, … })',
      );
    if (typeof (options as unknown) !== 'object' || options === null)
      throw new ConfigError('TXT registry: options are required: new TxtRegistry(provider, { ownerId, … })');
    const ownerId = options.ownerId as unknown;
    if (typeof ownerId !== 'string' || ownerId.trim() === '')
      throw new ConfigError('TXT registry: ownerId is required and must be a non-empty string');
    checkOwnerId(ownerId, 'ownerId');
    if (options.oldOwnerId !== undefined) {
      if (typeof (options.oldOwnerId as unknown) !== 'string' || options.oldOwnerId.trim() === '')
        throw new ConfigError('TXT registry: oldOwnerId, when set, must be a non-empty string');
      checkOwnerId(options.oldOwnerId, 'oldOwnerId');
      if (options.oldOwnerId === ownerId)
        throw new ConfigError(
          `TXT registry: oldOwnerId equals ownerId (${JSON.stringify(ownerId)}); nothing to migrate`,
        );
    }
    const onConflict = options.onConflict ?? 'skip';
    if (onConflict !== 'skip' && onConflict !== 'throw')
      throw new ConfigError(
        `TXT registry: onConflict must be "skip" or "throw", got ${JSON.stringify(onConflict)}`,
      );
    for (const key of ['managedRecordTypes', 'excludeRecordTypes'] as const) {
      const v: unknown = options[key];
      if (v !== undefined && !isStringList(v))
        throw new ConfigError(
          `TXT registry: ${key}, when set, must be a list of record type names (e.g. ["A", "CNAME"]), got ${describeValue(v)}`,
        );
    }
    checkEncryption(options.encryption);
    this.provider = provider;
    this.ownerId = ownerId;
    this.oldOwnerId = options.oldOwnerId;
    this.managedRecordTypes = (options.managedRecordTypes ?? DEFAULT_MANAGED_RECORD_TYPES).map((t) =>
      t.toUpperCase(),
    );
    this.excludeRecordTypes = (options.excludeRecordTypes ?? []).map((t) => t.toUpperCase());
    // markers of every type the provider stores parse back (CAA, PowerDNS LUA, …), not only ExternalDNS's list
    this.mapper = new TxtNameMapper(options, [
      ...KNOWN_RECORD_TYPES,
      ...provider.capabilities.recordTypes,
    ]).validate();
    this.#typedReadIsWritten = this.mapper.suffix === '' && this.mapper.prefix.includes(RECORD_TYPE_TEMPLATE);
    this.#encrypt = options.encryption !== undefined && options.encryption.enabled !== false;
    this.#key = options.encryption === undefined ? undefined : parseAesKey(options.encryption.aesKey);
    this.#onWarning = options.onWarning;
    this.#throwOnConflict = onConflict === 'throw';
  }

  get domainFilter(): DomainFilter {
    return this.provider.domainFilter;
  }

  /** What the last `records()` and any `applyChanges()` since found worth reporting. */
  get warnings(): readonly RegistryWarning[] {
    return this.#warnings;
  }

  /** True when the last `records()` read this record as owned by `oldOwnerId` and relabelled it. */
  wasMigrated(ep: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): boolean {
    return this.#migrated.has(endpointKey(ep));
  }

  /** The registry TXT name of a record, as it is written. */
  txtNameOf(ep: Pick<Endpoint, 'dnsName' | 'recordType'>): string {
    return this.mapper.toTxtName(ep.dnsName, ep.recordType);
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    // The zone list (cached by providers, shared with reconcile's own call) tells whether a marker
    // name stays inside its record's zone.
    const [all, zones] = await Promise.all([this.provider.records(options), this.provider.zones?.(options)]);
    this.#zoneOf = zones === undefined ? undefined : zoneMatcher(zones);
    this.#previewed = undefined;
    this.#warnings = [];
    this.#migrated = new Set();
    this.#keptMarkers = new Map();
    this.#legacyAt = new Map();
    let anyLegacy = false;
    const byRecord = new RecordMarkers();
    this.#recordMarkers = byRecord;
    const groups: MarkerGroup[] = [];
    const plain: Endpoint[] = [];
    const plainTxt = new Set<string>();
    this.#plainTxtNames = plainTxt;
    const parsed = new Map<string, Record<string, string> | null>();
    let lastRaw: string | undefined;
    let lastLabels: Record<string, string> | null | undefined;
    let anyMarker = false;

    const cnames = new Set<string>();
    this.#cnameNames = cnames;
    const unread = new Map<string, string>();
    this.#unreadMarkerNames = unread;
    for (const ep of all) {
      if (ep.recordType !== 'TXT') {
        if (ep.recordType === 'CNAME') cnames.add(normalizeDnsName(ep.dnsName));
        plain.push(ep);
        continue;
      }
      if (ep.targets.length === 0) {
        this.#warn('empty-txt', `TXT ${describe(ep)} has no values; ignored`, {
          dnsName: ep.dnsName,
          setIdentifier: ep.setIdentifier,
          txtNames: [ep.dnsName],
        });
        continue;
      }
      const values: MarkerValue[] = [];
      for (const raw of ep.targets) {
        // Markers of one owner usually share one value: parse each distinct value once. The labels
        // are only ever copied from, never changed, so sharing them is safe.
        let labels = raw === lastRaw ? lastLabels : parsed.get(raw); // neighbours often share one
        if (labels === undefined) parsed.set(raw, (labels = this.#readValue(raw) ?? null));
        lastRaw = raw;
        lastLabels = labels;
        if (labels) values.push({ labels, txt: ep, raw });
      }
      if (values.length === 0) {
        plain.push(ep); // an ordinary TXT record
        plainTxt.add(nameKey(normalizeDnsName(ep.dnsName), ep.setIdentifier));
        continue;
      }
      anyMarker = true;
      let first: MarkerGroup | undefined;
      for (const mapped of this.#readTxtName(ep.dnsName)) {
        const group: MarkerGroup = {
          endpointName: mapped.endpointName,
          recordType: mapped.recordType,
          setIdentifier: ep.setIdentifier,
          values,
        };
        // One TXT usually is the only marker of its record and of its name: the record index and the
        // TXT-name index (built from `groups` when needed) then share the group, resolved once.
        byRecord.add(group);
        if (mapped.recordType === '') anyLegacy = true;
        first ??= group;
      }
      // a name no reading maps is another configuration's marker: hidden, not read (but it holds
      // its name: see #heldCreates)
      if (first) groups.push(first);
      else unread.set(nameKey(ep.dnsName, ep.setIdentifier), ep.dnsName);
    }

    // Only a record with several markers can have ambiguous or duplicate ones worth a warning.
    const found: { key: string; group: MarkerGroup; marker: Marker }[] = [];
    for (const g of byRecord.multiValued()) {
      const marker = this.#recordMarker(g);
      if (marker.ambiguous || marker.txtNames.length > 1)
        found.push({ key: key(g.endpointName, g.recordType, g.setIdentifier), group: g, marker });
    }
    // sorted so that warnings come out in the same order whatever order the provider returned
    for (const { group: g, marker } of found.sort((a, b) => compare(a.key, b.key))) {
      if (marker.ambiguous) {
        this.#warn(
          'ambiguous-owner',
          `${describeGroup(g)}: ownership TXT ${marker.txtNames.join(', ')} names several owners (${marker.ownerIds.map((o) => JSON.stringify(o)).join(', ')}); treated as not owned`,
          { ...groupWhere(g), txtNames: marker.txtNames, ownerIds: marker.ownerIds },
        );
      } else {
        this.#warn(
          'duplicate-marker',
          `${describeGroup(g)}: several ownership TXTs (${marker.txtNames.join(', ')}) for owner ${JSON.stringify(marker.ownerIds[0] ?? '')}; using ${marker.txt.dnsName}`,
          { ...groupWhere(g), txtNames: marker.txtNames, ownerIds: marker.ownerIds },
        );
      }
    }
    this.#markerGroups = groups;
    this.#byTxtNameIndex = undefined;
    this.#written = [];

    const out: Endpoint[] = [];
    // With a wildcard replacement, `*.x` and a literal `<replacement>.x` share one marker name: the
    // marker cannot say which record it speaks for, so neither is ours (never touch what we do
    // not own), and new ones are not created beside the other (see #collidingMarker).
    const twins = this.#wildcardTwins(plain);
    // Providers return fresh objects (Provider.records contract), so they are labelled in place.
    for (const ep of plain) {
      const name = this.#lookupName(ep.dnsName);
      const type = upperCased(ep.recordType);
      let group = byRecord.get(name, type, ep.setIdentifier);
      const typed = group !== undefined;
      if (anyLegacy && type !== 'AAAA') {
        // a legacy marker speaks for every record at its name but AAAA, typed markers or not
        const legacy = byRecord.get(name, '', ep.setIdentifier);
        if (legacy !== undefined) {
          const at = this.#legacyAt.get(legacy);
          const k = key(name, type, ep.setIdentifier);
          if (at) at.push(k);
          else this.#legacyAt.set(legacy, [k]);
        }
      }
      if (type === 'A' && isAlias(ep) && !cnames.has(normalizeDnsName(ep.dnsName))) {
        // the `cname-` marker an A-ALIAS got before ExternalDNS v0.22 (PR #6523) speaks for it
        // alone where no CNAME is: like a legacy marker, it leaves with it (D14)
        const old = byRecord.get(name, 'CNAME', ep.setIdentifier);
        if (old !== undefined) {
          const k = key(name, type, ep.setIdentifier);
          const at = this.#legacyAt.get(old);
          if (at) at.push(k);
          else this.#legacyAt.set(old, [k]);
        }
      }
      group ??= this.#fallbackMarker(ep, name, type, byRecord);
      if (group !== undefined && twins?.has(key(name, type, ep.setIdentifier))) {
        this.#warn(
          'ambiguous-owner',
          `${describe(ep)}: its ownership TXT ${this.txtNameOf(ep)} is shared by the wildcard and the literal name ${name} (wildcardReplacement ${JSON.stringify(this.mapper.wildcardReplacement)}); treated as not owned`,
          {
            dnsName: ep.dnsName,
            recordType: type,
            setIdentifier: ep.setIdentifier,
            txtNames: [this.txtNameOf(ep)],
          },
        );
        out.push(ep);
        continue;
      }
      if (group !== undefined) {
        // one value (most records) needs no resolving: its labels are the marker's labels
        const only = group.values.length === 1 ? group.values[0] : undefined;
        const marker = only ? undefined : this.#recordMarker(group);
        if (marker?.ambiguous) delete ep.labels[LabelKeys.owner];
        else Object.assign(ep.labels, only ? only.labels : marker?.labels);
      }
      if (this.oldOwnerId !== undefined && ep.labels[LabelKeys.owner] === this.oldOwnerId) {
        ep.labels[LabelKeys.owner] = this.ownerId;
        ep.labels[MIGRATED_FROM_LABEL] = this.oldOwnerId;
        this.#migrated.add(endpointKey(ep));
      }
      if (
        group !== undefined &&
        group.values.some((v) => v.txt.providerSpecific.length > 0 && hasRepeats(v.txt)) &&
        isOwnedBy(ep, this.ownerId)
      ) {
        // its marker is stored more than once (see REPEATED_RECORDS_PROPERTY): rewriting the
        // record rewrites the marker whole
        setProviderSpecific(ep, FORCE_UPDATE_PROPERTY, 'true');
      } else if (
        anyMarker &&
        isOwnedBy(ep, this.ownerId) &&
        // a typed marker at the name we write proves it exists; any other marker needs the name check
        !(typed && this.#isWritten(group as MarkerGroup)) &&
        !this.#byTxtName().has(nameKey(this.txtNameOf(ep), ep.setIdentifier))
      ) {
        const txtName = this.txtNameOf(ep);
        const problem = group === undefined ? undefined : this.#storageProblem(ep, txtName);
        if (group !== undefined && problem !== undefined) {
          // The typed marker cannot exist (an apex record under no prefix puts it outside the zone,
          // a long label makes it too long): rewriting it would fail the whole run, every run
          // (ExternalDNS loops there, #4790, #4234). The marker found keeps proving ownership.
          const kept = this.#recordMarker(group);
          this.#keptMarkers.set(endpointKey(ep), kept);
          this.#warn(
            'marker-not-writable',
            `${describe(ep)}: owned through the ownership TXT ${kept.txtNames.join(', ')}, which is kept: its typed ownership TXT ${JSON.stringify(txtName)} ${problem}`,
            {
              dnsName: ep.dnsName,
              recordType: type,
              setIdentifier: ep.setIdentifier,
              txtNames: [...kept.txtNames, txtName],
            },
          );
        } else if (this.#isManaged(ep.recordType)) {
          // Only a legacy (or A-ALIAS `cname-`) marker exists, or a legacy name that reads back
          // typed: make the planner rewrite it typed.
          setProviderSpecific(ep, FORCE_UPDATE_PROPERTY, 'true');
        }
      }
      out.push(ep);
    }
    return out;
  }

  /**
   * What `applyChanges(changes)` would send, without sending anything or recording warnings: the
   * ownership TXT changes and the creates refused because another owner's marker holds their TXT
   * name (deviation D2). Throws {@link ValidationError} for TXT names that cannot exist (D1). Call
   * after `records()`; `reconcile` uses it to show TXT changes and to leave refused creates out.
   * A previewed change set also removes the legacy markers of ours that leave with the last records
   * they speak for (D14), and `applyChanges` of that same `changes` object sends what was previewed;
   * `applyChanges` without a preview sends ExternalDNS's registry's change set, which keeps them.
   */
  preview(changes: Changes): RegistryPreview {
    this.#previewed = undefined;
    // one reason per record: the first found
    const held = this.#heldCreates(changes).filter(
      (h, i, all) => all.findIndex((o) => o.record === h.record) === i,
    );
    if (held.length) {
      const out = new Set(held.map((h) => h.record));
      const rest = { ...changes, create: changes.create.filter((ep) => !out.has(ep)) };
      const preview = this.preview(rest);
      this.#previewed = undefined; // the caller applies `rest`, a new object, or nothing
      return { ...preview, refusedCreates: [...preview.refusedCreates, ...held] };
    }
    const composed = this.#compose(changes, true);
    if (composed.issues.length) throw composed.invalid();
    // split now, as applyChanges will send it: a group larger than one call may carry is refused by
    // the dry run as by the run
    const merged = withMarkers(composed);
    let batches: Changes[];
    try {
      batches = splitChanges(merged, this.provider.capabilities);
    } catch (error) {
      throw error instanceof ValidationError ? this.#intoChanges(error, merged, composed) : error;
    }
    // reconcile previews the plan's changes and then applies the very same object: keep the work
    this.#previewed = { changes, composed, batches };
    return {
      ownershipChanges: composed.txts,
      refusedCreates: [
        ...composed.conflicts.map((c) => ({
          record: c.record,
          code: 'owned-by-other' as const,
          reason: `${c.error.message}; not created`,
        })),
        ...composed.unwritable.map((u) => ({
          record: u.record,
          code: 'marker-not-writable' as const,
          reason: u.reason,
        })),
      ],
    };
  }

  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    const previewed = this.#previewed?.changes === changes ? this.#previewed : undefined;
    this.#previewed = undefined;
    const composed = previewed?.composed ?? this.#compose(changes);
    const { txts, issues, conflicts, unwritable, notOwned, invalid } = composed;
    if (issues.length) throw invalid();
    const firstConflict = conflicts[0];
    if (firstConflict && this.#throwOnConflict) throw firstConflict.error;
    for (const n of notOwned) this.#notOwned(n.what, n.record);
    for (const { error: c } of conflicts)
      this.#warn('ownership-conflict', `${c.message}; not created`, {
        dnsName: c.dnsName,
        recordType: c.recordType,
        setIdentifier: c.setIdentifier,
        txtNames: [this.txtNameOf(c)],
        ownerIds: c.ownerIds,
      });
    for (const u of unwritable)
      this.#warn('marker-not-writable', u.reason, {
        dnsName: u.record.dnsName,
        recordType: u.record.recordType,
        setIdentifier: u.record.setIdentifier,
        txtNames: [u.txtName],
      });

    // Records first, then their TXTs in the same order, so updateOld[i] ↔ updateNew[i] still pair up.
    const merged = withMarkers(composed);
    if (!hasAnyChange(merged)) return;
    // Core splits by the provider's declared batch limit, never separating a record from its TXT.
    try {
      await applyBatches(
        this.provider,
        merged,
        () => previewed?.batches ?? splitChanges(merged, this.provider.capabilities),
        options,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw this.#intoChanges(error, merged, composed);
    }
    this.#remember(txts);
  }

  /** Points a provider's or the split's issues (paths into `merged`) at the registry's input. */
  #intoChanges(error: ValidationError, merged: Changes, { txts, origin }: Composed): ValidationError {
    // the provider's paths point into the records and markers sent; the caller knows its own change set
    return rebaseIssues(error, (path) => {
      const [list, k] = path;
      const ep =
        typeof list === 'string' && typeof k === 'number' && Object.hasOwn(merged, list)
          ? merged[list as keyof Changes][k]
          : undefined;
      const from = ep === undefined ? undefined : origin.get(ep);
      if (from === undefined || ep === undefined) return undefined;
      // a marker's own fields mean nothing to the caller: point at its record
      return CHANGE_LISTS.some((l) => txts[l].includes(ep)) ? from : [...from, ...path.slice(2)];
    });
  }

  /**
   * Builds the provider-level change set; pure apart from reading the last `records()`. With
   * `withLeavingLegacy` (a preview, which `reconcile` and `applyPlan` show before they apply), legacy
   * markers of ours leaving with their records are removed too (D14); without it, the change set is
   * ExternalDNS's registry's own.
   */
  #compose(changes: Changes, withLeavingLegacy = false): Composed {
    if (changes.updateOld.length !== changes.updateNew.length) {
      throw new ValidationError(
        [
          {
            path: ['updateNew'],
            code: 'update_pairs',
            message: `updateOld has ${changes.updateOld.length} records and updateNew ${changes.updateNew.length}; they must pair up`,
          },
        ],
        { summary: 'TXT registry: invalid change set' },
      );
    }
    const issues: Issue[] = [];
    const conflicts: { record: Endpoint; error: OwnershipConflictError }[] = [];
    const unwritable: Composed['unwritable'] = [];
    const notOwned: { what: 'update' | 'delete'; record: Endpoint }[] = [];
    const out = emptyChanges();
    const txts = emptyChanges();
    const origin = new Map<Endpoint, IssuePath>();

    const index = changes.create.length ? this.#byTxtName() : undefined;
    // TXT records created in this change set, by name: a marker cannot go where one of them goes
    let desiredTxt: Set<string> | undefined;
    for (const c of changes.create)
      if (upperCased(c.recordType) === 'TXT')
        (desiredTxt ??= new Set()).add(nameKey(normalizeDnsName(c.dnsName), c.setIdentifier));
    const collisions = new Set<string>();
    const clearedMarkers = new Set<Endpoint>();
    const migratedMarkers = new Set<Endpoint>();
    changes.create.forEach((rec, i) => {
      // A CNAME cannot share its name with a TXT, and the planner does not see marker TXTs: when a
      // record type changes to CNAME, a legacy marker at the record's own name (written before
      // ExternalDNS v0.12) makes the server refuse the CNAME on every run (#4358). Ours, speaking
      // only for the records at this name, which leave for the CNAME: it goes with them. (Any other
      // case is ExternalDNS's change set; `preview` leaves such creates out of a reconcile.)
      const cleared = index?.size ? this.#clearableMarker(rec, changes) : undefined;
      if (cleared !== undefined && !clearedMarkers.has(cleared)) {
        clearedMarkers.add(cleared);
        const gone = storedTxt(cleared, rec.dnsName);
        txts.delete.push(gone);
        origin.set(gone, ['create', i]);
      }
      const ep = cloneEndpoint(rec);
      ep.labels[LabelKeys.owner] = this.ownerId;
      // Deleted by hand where a legacy marker of ours still speaks for it, while its typed marker
      // cannot be stored (D12): recreated under the legacy marker, as an update would keep it.
      const legacy = this.#legacyOwnerOf(ep);
      if (legacy !== undefined && this.#storageProblem(ep, this.txtNameOf(ep)) !== undefined) {
        out.create.push(ep);
        origin.set(ep, ['create', i]);
        // naming the old owner: migrated in the same call (D3)
        if (
          this.oldOwnerId !== undefined &&
          legacy.ownerIds.includes(this.oldOwnerId) &&
          !migratedMarkers.has(legacy.txt)
        ) {
          migratedMarkers.add(legacy.txt);
          this.#rewriteInPlace(legacy.txt, ep, { txts, origin }, [
            ['create', i],
            ['create', i],
          ]);
        }
        return;
      }
      const before = issues.length;
      const txtName = this.#checkedTxtName(ep, ['create', i], issues);
      const unstorable =
        issues.length === before
          ? (this.#unwritableMarker(ep, txtName) ?? this.#collidingMarker(ep, txtName, collisions))
          : undefined;
      if (unstorable !== undefined) {
        unwritable.push({ record: rec, txtName, reason: unstorable });
        return;
      }
      // an empty index (a zone without markers: an initial sync) has nothing to look up
      const existingGroup = index?.size
        ? index.get(nameKey(this.#storedTxtName(ep, txtName), ep.setIdentifier))
        : undefined;
      const existing = existingGroup && markerOf(existingGroup);
      // The marker's name holds a TXT record set that is no marker, or a desired TXT record goes
      // there: writing the marker would replace (PowerDNS) or collide with (most APIs) a record
      // that is not ours.
      const taken = desiredTxt?.has(nameKey(txtName, ep.setIdentifier))
        ? 'is also desired as a TXT record; rename one of them or change the TXT prefix'
        : existingGroup === undefined && this.#plainTxtNames.has(nameKey(txtName, ep.setIdentifier))
          ? 'holds a TXT record set that is not an ownership marker, which the registry never changes; rename that TXT record or change the TXT prefix'
          : undefined;
      if (taken !== undefined) {
        unwritable.push({
          record: rec,
          txtName,
          reason: `${describe(ep)}: its ownership TXT name ${JSON.stringify(txtName)} ${taken}; not created`,
        });
        return;
      }
      if (existing && !this.#isOurs(existing)) {
        conflicts.push({ record: rec, error: this.#conflict(ep, existing) });
        return;
      }
      out.create.push(ep);
      origin.set(ep, ['create', i]);
      // A marker of ours already exists: the record was deleted by hand, recreate only the record.
      if (!existing) {
        const txt = this.#newTxt(ep, txtName);
        txts.create.push(txt);
        origin.set(txt, ['create', i]);
      } else if (
        this.oldOwnerId !== undefined &&
        existing.ownerIds.includes(this.oldOwnerId) &&
        !migratedMarkers.has(existing.txt)
      ) {
        // it names the old owner: migrated with the record it now speaks for, in the same call
        // (D3), or the next run would have to rewrite it
        migratedMarkers.add(existing.txt);
        const oldTxt = storedTxt(existing.txt, ep.dnsName);
        const newTxt = this.#newTxt(ep, txtName);
        const foreign = this.#foreignValues(oldTxt);
        if (foreign.length) newTxt.targets = [...newTxt.targets, ...foreign];
        txts.updateOld.push(oldTxt);
        txts.updateNew.push(newTxt);
        origin.set(oldTxt, ['create', i]).set(newTxt, ['create', i]);
      }
    });

    const keptRewritten = new Set<Endpoint>();
    changes.updateOld.forEach((old, i) => {
      const neu = changes.updateNew[i] as Endpoint;
      if (!isOwnedBy(old, this.ownerId) || !isOwnedBy(neu, this.ownerId)) {
        notOwned.push({ what: 'update', record: old });
        return;
      }
      const kept = this.#keptMarker(old, neu);
      if (kept !== undefined) {
        out.updateOld.push(old);
        out.updateNew.push(neu);
        origin.set(old, ['updateOld', i]).set(neu, ['updateNew', i]);
        // only an owner migration changes what the kept marker says: rewritten where it is, once
        if (kept.txt === undefined || keptRewritten.has(kept.txt)) return;
        keptRewritten.add(kept.txt);
        this.#rewriteInPlace(kept.txt, neu, { txts, origin }, [
          ['updateOld', i],
          ['updateNew', i],
        ]);
        return;
      }
      let txtName = this.#checkedTxtName(neu, ['updateNew', i], issues);
      // a marker stored under the other spelling of an IDN (see #storedTxtName) is rewritten there
      if (!this.#byTxtName().has(nameKey(txtName, neu.setIdentifier))) txtName = this.#storedTxtName(old);
      out.updateOld.push(old);
      out.updateNew.push(neu);
      const newTxt = this.#newTxt(neu, txtName);
      // a previewed plan says what is there: a marker the read did not find (a record owned through
      // a legacy marker getting its typed one) is a create, not an update of nothing
      if (withLeavingLegacy && !this.#byTxtName().has(nameKey(txtName, neu.setIdentifier))) {
        txts.create.push(newTxt);
        origin.set(old, ['updateOld', i]).set(neu, ['updateNew', i]).set(newTxt, ['updateNew', i]);
        return;
      }
      const oldTxt = this.#oldTxt(old) ?? this.#newTxt(old, txtName);
      // values that share the marker's record set and are no marker (deviation D4) are not ours: kept
      const foreign = this.#foreignValues(oldTxt);
      if (foreign.length) newTxt.targets = [...newTxt.targets, ...foreign];
      txts.updateOld.push(oldTxt);
      txts.updateNew.push(newTxt);
      origin.set(old, ['updateOld', i]).set(oldTxt, ['updateOld', i]);
      origin.set(neu, ['updateNew', i]).set(newTxt, ['updateNew', i]);
    });

    changes.delete.forEach((rec, i) => {
      if (!isOwnedBy(rec, this.ownerId)) {
        notOwned.push({ what: 'delete', record: rec });
        return;
      }
      out.delete.push(rec);
      origin.set(rec, ['delete', i]);
      // a previewed plan lists only markers that are there (the read found none at the typed name)
      if (withLeavingLegacy && !this.#byTxtName().has(nameKey(this.#storedTxtName(rec), rec.setIdentifier)))
        return;
      const txt = this.#oldTxt(rec);
      const foreign = txt ? this.#foreignValues(txt) : [];
      if (txt && foreign.length) {
        // the marker shares its record set with values that are not ours: remove only the marker
        const kept = { ...txt, targets: foreign, labels: { ...txt.labels } };
        txts.updateOld.push(txt);
        txts.updateNew.push(kept);
        origin.set(txt, ['delete', i]).set(kept, ['delete', i]);
      } else if (txt) {
        txts.delete.push(txt);
        origin.set(txt, ['delete', i]);
      }
    });
    const leaving = withLeavingLegacy ? this.#leavingLegacyMarkers(changes, clearedMarkers) : [];
    for (const { txt, foreign, at } of leaving) {
      if (foreign.length) {
        const kept = { ...txt, targets: foreign, labels: { ...txt.labels } };
        txts.updateOld.push(txt);
        txts.updateNew.push(kept);
        origin.set(txt, ['delete', at]).set(kept, ['delete', at]);
      } else {
        txts.delete.push(txt);
        origin.set(txt, ['delete', at]);
      }
    }
    const invalid = () =>
      new ValidationError(issues, {
        summary: 'TXT registry: ownership TXT names are invalid; nothing was sent',
      });
    return { out, txts, issues, conflicts, unwritable, notOwned, invalid, origin };
  }

  /**
   * The stored marker TXT at a CNAME's own name that goes with the records leaving for it: ours
   * alone, speaking only for the records at that name, no other values, and a record at that name
   * deleted in the same change set. `undefined` otherwise.
   */
  #clearableMarker(rec: Endpoint, changes: Changes): Endpoint | undefined {
    if (upperCased(rec.recordType) !== 'CNAME') return undefined;
    const there = this.#byTxtName().get(nameKey(rec.dnsName, rec.setIdentifier));
    if (there === undefined) return undefined;
    const row = nameKey(rec.dnsName, rec.setIdentifier);
    if (!changes.delete.some((d) => nameKey(d.dnsName, d.setIdentifier) === row)) return undefined;
    const m = markerOf(there);
    const ownOnly =
      normalizeDnsName(there.endpointName) === normalizeDnsName(rec.dnsName) &&
      this.#isOurs(m) &&
      m.txtNames.length === 1 &&
      this.#foreignValues(m.txt).length === 0;
    return ownOnly ? m.txt : undefined;
  }

  /**
   * Rewrites a kept marker (one whose typed name cannot be stored, D12) where it is, for `rec`:
   * the stored value out, the new one in under the same name and properties, values that are no
   * marker kept. Origins: `from` for the old value, `to` for the new.
   */
  #rewriteInPlace(
    stored: Endpoint,
    rec: Endpoint,
    out: { txts: Changes; origin: Map<Endpoint, IssuePath> },
    [from, to]: readonly [IssuePath, IssuePath],
  ): void {
    const oldTxt = storedTxt(stored, rec.dnsName);
    const newTxt = this.#newTxt(rec, stored.dnsName);
    newTxt.providerSpecific = oldTxt.providerSpecific.map((p) => ({ ...p }));
    const foreign = this.#foreignValues(oldTxt);
    if (foreign.length) newTxt.targets = [...newTxt.targets, ...foreign];
    out.txts.updateOld.push(oldTxt);
    out.txts.updateNew.push(newTxt);
    out.origin.set(oldTxt, from).set(newTxt, to);
  }

  /**
   * Legacy markers of ours that leave with the last records they speak for (deviation D14).
   * ExternalDNS never deletes a legacy marker, so one left behind claims the next record anyone
   * creates at its name (by hand, another owner), and a sync then deletes that record. A legacy
   * marker goes (only its value, where its TXT record set holds other values) when it is ours,
   * still stored, and every record at its name it can speak for (all types but AAAA, ours or not)
   * is deleted by this change set, with nothing at that name created or updated.
   * Returns each such marker's TXT, its values that are no marker, and the index in
   * `changes.delete` of a record it leaves with.
   */
  #leavingLegacyMarkers(
    changes: Changes,
    cleared: ReadonlySet<Endpoint>,
  ): { txt: Endpoint; foreign: string[]; at: number }[] {
    const leaving: { txt: Endpoint; foreign: string[]; at: number }[] = [];
    if (this.#legacyAt.size === 0 || changes.delete.length === 0) return leaving;
    const deleted = new Map<string, number>();
    changes.delete.forEach((d, i) => {
      const k = key(this.#lookupName(d.dnsName), upperCased(d.recordType), d.setIdentifier);
      if (!deleted.has(k)) deleted.set(k, i);
    });
    const staying = new Set<string>();
    for (const ep of [...changes.create, ...changes.updateNew])
      if (upperCased(ep.recordType) !== 'AAAA')
        staying.add(nameKey(normalizeDnsName(this.#lookupName(ep.dnsName)), ep.setIdentifier));
    const stored = this.#byTxtName();
    for (const [group, keys] of this.#legacyAt) {
      if (staying.has(nameKey(normalizeDnsName(group.endpointName), group.setIdentifier))) continue;
      if (!keys.every((k) => deleted.has(k))) continue;
      const m = markerOf(group);
      if (!this.#isOurs(m) || m.txtNames.length !== 1 || cleared.has(m.txt)) continue;
      // not gone already (a second apply after the same read)
      if (!stored.has(nameKey(m.txt.dnsName, m.txt.setIdentifier))) continue;
      const at = deleted.get(keys[0] as string) as number;
      const txt = storedTxt(m.txt, (changes.delete[at] as Endpoint).dnsName);
      leaving.push({ txt, foreign: this.#foreignValues(m.txt), at });
    }
    return leaving;
  }

  /**
   * Creates no server accepts because of a TXT record set holding ownership markers, which the
   * planner never sees: a TXT record at its name (the create would collide with it, or replace the
   * markers where a write replaces a record set), or a CNAME beside it that does not go with the
   * records leaving for it. `preview` reports them, so `reconcile` leaves them out.
   */
  #heldCreates(changes: Changes): Held[] {
    const held: Held[] = [];
    if (changes.create.length === 0) return held;
    // A TXT record whose value reads as an ownership marker would be read back as one: hidden from
    // the planner (created again on every run) and claiming the records at its name for the owner
    // it names. Not ours to write as data.
    for (const rec of changes.create) {
      if (upperCased(rec.recordType) !== 'TXT') continue;
      const like = rec.targets.find((t) => this.#readValue(t) !== undefined);
      if (like === undefined) continue;
      held.push({
        record: rec,
        code: 'unsatisfiable',
        reason: `${describe(rec)}: its value ${JSON.stringify(like)} reads as an ownership marker (heritage=external-dns), so the registry would take the record for one of its markers; not created`,
      });
    }
    // A marker cannot go where a CNAME stays or is created in the same change set (a record named
    // `a-foo` beside `foo` without a prefix): the server would refuse the pair on every run.
    const cnames = new Set(this.#cnameNames);
    for (const rec of changes.create)
      if (upperCased(rec.recordType) === 'CNAME') cnames.add(normalizeDnsName(rec.dnsName));
    for (const gone of changes.delete)
      if (upperCased(gone.recordType) === 'CNAME') cnames.delete(normalizeDnsName(gone.dnsName));
    if (cnames.size > 0) {
      for (const rec of changes.create) {
        const txtName = this.txtNameOf(rec);
        if (!cnames.has(normalizeDnsName(txtName))) continue;
        held.push({
          record: rec,
          code: 'marker-not-writable',
          reason: `${describe(rec)}: its ownership TXT name ${JSON.stringify(txtName)} holds a CNAME, and a TXT cannot share a name with a CNAME; rename one of them or change the TXT prefix; not created`,
        });
      }
    }
    const index = this.#byTxtName();
    const unread = this.#unreadMarkerNames;
    if (unread.size > 0) {
      // Marker TXTs this configuration cannot map are hidden from the planner too: a TXT (same set
      // identifier) or CNAME (any) created at their name would be refused on every run (D13).
      const unreadNames = new Set([...unread.values()].map((n) => normalizeDnsName(n)));
      for (const rec of changes.create) {
        const type = upperCased(rec.recordType);
        const stored =
          type === 'TXT'
            ? unread.get(nameKey(rec.dnsName, rec.setIdentifier))
            : type === 'CNAME' && unreadNames.has(normalizeDnsName(rec.dnsName))
              ? rec.dnsName
              : undefined;
        if (stored === undefined) continue;
        held.push({
          record: rec,
          code: type === 'TXT' ? 'exists-unowned' : 'unsatisfiable',
          reason: `${describe(rec)}: a TXT record set whose values read as ownership markers (${stored}, a name this TXT prefix/suffix does not map) is already at this name; it is not ours to change; not created`,
        });
      }
    }
    if (index.size === 0) return held;
    // a CNAME excludes every other record set at its name, whatever their set identifiers
    let byName: Map<string, MarkerGroup> | undefined;
    const anyAt = (name: string): MarkerGroup | undefined => {
      if (byName === undefined) {
        byName = new Map();
        for (const g of index.values()) byName.set(normalizeDnsName(markerOf(g).txt.dnsName), g);
      }
      return byName.get(normalizeDnsName(name));
    };
    const refused = new Set(held.map((h) => h.record));
    // markers deleted whole by this change set, with the record of ours they speak for
    let leaving: Set<string> | undefined;
    const leaves = (g: MarkerGroup): boolean => {
      if (leaving === undefined) {
        leaving = new Set();
        for (const d of changes.delete)
          if (isOwnedBy(d, this.ownerId)) leaving.add(nameKey(this.txtNameOf(d), d.setIdentifier));
      }
      const { txt } = markerOf(g);
      return (
        leaving.has(nameKey(txt.dnsName, txt.setIdentifier)) &&
        this.#isOurs(markerOf(g)) &&
        this.#foreignValues(txt).length === 0
      );
    };
    for (const rec of changes.create) {
      const type = upperCased(rec.recordType);
      if ((type !== 'TXT' && type !== 'CNAME') || refused.has(rec)) continue;
      const there =
        index.get(nameKey(rec.dnsName, rec.setIdentifier)) ??
        (type === 'CNAME' ? anyAt(rec.dnsName) : undefined);
      if (there === undefined || leaves(there)) continue;
      const names = markerOf(there).txtNames.join(', ');
      if (type === 'TXT')
        held.push({
          record: rec,
          code: 'exists-unowned',
          reason: `${describe(rec)}: a TXT record set that holds ownership markers (${names}) is already at this name; it is not ours to change; not created`,
        });
      else if (this.#clearableMarker(rec, changes) === undefined)
        held.push({
          record: rec,
          code: 'unsatisfiable',
          reason: `${describe(rec)} cannot be created: a CNAME cannot share its name with other data, and the TXT record set of ownership markers there (${names}) stays; not created`,
        });
    }
    return held;
  }

  adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    return this.provider.adjustEndpoints(endpoints, options);
  }

  /** Labels of one TXT value: decrypted when a key is configured and it decrypts, else plain. */
  #readValue(raw: string): Record<string, string> | undefined {
    if (this.#key) {
      const decrypted = decryptTxtValue(raw, this.#key);
      if (decrypted) {
        const labels = parseLabels(decrypted.plaintext);
        if (labels) labels[LabelKeys.encryptionNonce] = decrypted.nonce;
        return labels;
      }
    }
    return parseLabels(raw);
  }

  /**
   * The records a registry TXT name speaks for. ExternalDNS reads the name as stored (lower-cased),
   * and so do we: a legacy marker of a punycode name (`xn--bcher-kva-txt` with suffix `-txt`) only
   * parses that way. A name with punycode labels is also read in Unicode (deviation D5), where the
   * TXT of a record written in Unicode (`cname-bücher-txt` → `xn--cname-bcher-txt-5vb`) parses. Both
   * readings are kept when they speak for different records; none means another configuration's name.
   */
  #readTxtName(txtName: string): TxtNameTarget[] {
    const ascii = normalizeDnsName(txtName);
    const stored = this.mapper.toEndpointName(ascii);
    const found = stored.endpointName === '' ? [] : [stored];
    if (!ascii.includes('xn--')) return found;
    const unicode = this.mapper.toEndpointName(dnsNameToUnicode(ascii));
    if (
      unicode.endpointName !== '' &&
      (unicode.recordType !== stored.recordType ||
        stored.endpointName === '' ||
        normalizeDnsName(unicode.endpointName) !== normalizeDnsName(stored.endpointName))
    )
      found.push(unicode);
    return found;
  }

  /** True when one of the group's TXTs is at the name we write for its record name and type. */
  #isWritten(group: MarkerGroup): boolean {
    // A templated prefix reads a TXT name back by stripping exactly what writing adds: every typed
    // reading is the written name (only suffix and untemplated forms have legacy look-alikes).
    if (this.#typedReadIsWritten) return true;
    if (group.written === undefined) {
      const at = this.#writtenPredicate(group);
      group.written = group.values.some((v) => at(v.txt.dnsName));
    }
    return group.written;
  }

  #writtenPredicate(group: MarkerGroup): (txtName: string) => boolean {
    const name = this.mapper.toTxtName(group.endpointName, group.recordType);
    const canonical = normalizeDnsName(name);
    return (txtName) => txtName === name || normalizeDnsName(txtName) === canonical;
  }

  /**
   * What the markers of one record say. A typed marker at the name we write outranks a legacy name
   * that merely reads back as the same record and type (`cname-txt` next to `cname-cname-txt` with
   * suffix `-txt`), as a typed marker outranks an untyped legacy one: ExternalDNS leaves legacy TXTs
   * in place after writing the typed one, which is then neither a duplicate nor a second opinion.
   */
  #recordMarker(group: MarkerGroup): Marker {
    if (group.marker === undefined && group.recordType !== '' && group.values.length > 1) {
      const at = this.#writtenPredicate(group);
      const written = group.values.filter((v) => at(v.txt.dnsName));
      group.written = written.length > 0;
      // only a group merged from several TXTs can mix them; it is not shared with the TXT-name index
      if (written.length > 0 && written.length < group.values.length) group.marker = resolve(written);
    }
    return markerOf(group);
  }

  /** A record's untyped marker when it has no typed one: `cname-` for A-ALIAS, or a legacy name. */
  #fallbackMarker(ep: Endpoint, name: string, type: string, markers: RecordMarkers): MarkerGroup | undefined {
    // A-ALIAS records were marked `cname-` before ExternalDNS v0.22.
    const found = type === 'A' && isAlias(ep) ? markers.get(name, 'CNAME', ep.setIdentifier) : undefined;
    // Legacy untyped markers; AAAA never had one.
    return found ?? (type !== 'AAAA' ? markers.get(name, '', ep.setIdentifier) : undefined);
  }

  /** The last `records()`'s marker TXTs by TXT name and set identifier, built on first use. */
  /** Names (with set identifier) of the TXT record sets of the last read that hold no marker. */
  #plainTxtNames = new Set<string>();

  #byTxtName(): Map<string, MarkerGroup> {
    if (this.#byTxtNameIndex === undefined) {
      const index = new Map<string, MarkerGroup>();
      for (const group of this.#markerGroups) {
        const txt = (group.values[0] as MarkerValue).txt;
        addToGroup(index, nameKey(txt.dnsName, txt.setIdentifier), group);
      }
      this.#byTxtNameIndex = index;
      this.#markerGroups = [];
    }
    for (const txts of this.#written.splice(0)) this.#applyWritten(this.#byTxtNameIndex, txts);
    return this.#byTxtNameIndex;
  }

  /**
   * Keys (replaced name, type, set identifier) where the last read holds both a wildcard and the
   * literal record its replacement names; `undefined` without a wildcard replacement.
   */
  #wildcardTwins(plain: readonly Endpoint[]): Set<string> | undefined {
    const replacement = this.mapper.wildcardReplacement;
    this.#literalAtReplacement = undefined;
    this.#wildcardAt = undefined;
    if (replacement === '') return undefined;
    const literal = new Set<string>();
    const wildcard = new Set<string>();
    for (const ep of plain) {
      const name = normalizeDnsName(ep.dnsName);
      const type = upperCased(ep.recordType);
      if (name === '*' || name.startsWith('*.'))
        wildcard.add(key(replacement + name.slice(1), type, ep.setIdentifier));
      else if (name === replacement || name.startsWith(`${replacement}.`))
        literal.add(key(name, type, ep.setIdentifier));
    }
    this.#literalAtReplacement = literal;
    this.#wildcardAt = wildcard;
    const both = new Set<string>();
    for (const k of wildcard) if (literal.has(k)) both.add(k);
    return both;
  }

  /**
   * Why a create's marker would also be another record's (a wildcard beside the literal name its
   * replacement gives, now or in the same change set), or `undefined`.
   */
  #collidingMarker(ep: Endpoint, txtName: string, creates: Set<string>): string | undefined {
    const replacement = this.mapper.wildcardReplacement;
    if (replacement === '') return undefined;
    const name = normalizeDnsName(ep.dnsName);
    const type = upperCased(ep.recordType);
    const wildcard = name === '*' || name.startsWith('*.');
    const replaced = wildcard ? replacement + name.slice(1) : name;
    if (!wildcard && !(name === replacement || name.startsWith(`${replacement}.`))) return undefined;
    const k = key(replaced, type, ep.setIdentifier);
    const other = wildcard ? this.#literalAtReplacement : this.#wildcardAt;
    const taken = other?.has(k) || creates.has(`${wildcard ? 'L' : 'W'}${k}`);
    creates.add(`${wildcard ? 'W' : 'L'}${k}`);
    if (!taken) return undefined;
    return `${describe(ep)}: its ownership TXT ${JSON.stringify(txtName)} would also be the marker of ${wildcard ? `the record ${replaced}` : `the wildcard *${replaced.slice(replacement.length)}`} (wildcardReplacement ${JSON.stringify(replacement)}); choose a wildcardReplacement no record uses; not created`;
  }

  #lookupName(name: string): string {
    const replacement = this.mapper.wildcardReplacement;
    if (replacement === '' || !(name === '*' || name.startsWith('*.'))) return name;
    return replacement + name.slice(1);
  }

  #isManaged(type: string): boolean {
    const t = type.toUpperCase();
    return !this.excludeRecordTypes.includes(t) && this.managedRecordTypes.includes(t);
  }

  #isOurs(marker: Marker): boolean {
    return !marker.ambiguous && marker.ownerIds.every((o) => o === this.ownerId || o === this.oldOwnerId);
  }

  /** The TXT name for a record that needs one; a label over 63 octets is an error (deviation D1). */
  #checkedTxtName(ep: Endpoint, path: (string | number)[], issues: Issue[]): string {
    const txtName = this.txtNameOf(ep);
    const problem = txtNameProblem(txtName);
    if (problem)
      issues.push({
        path: [...path, 'dnsName'],
        code: problem.code,
        message: `${describe(ep)}: its ownership TXT name ${JSON.stringify(txtName)} ${problem.message}; shorten the name or the TXT prefix/suffix`,
      });
    return txtName;
  }

  /**
   * Why the ownership TXT of a record to be created cannot be stored, or `undefined` when it can:
   * a name the provider's `ownerNames` rule refuses (a `*` inside a derived name: PowerDNS answers
   * 422), or a name outside the record's zone (a prefix without a trailing dot at the apex).
   */
  #unwritableMarker(ep: Endpoint, txtName: string): string | undefined {
    const what = `${describe(ep)}: its ownership TXT ${JSON.stringify(txtName)}`;
    if (this.provider.capabilities.ownerNames === 'hostname') {
      const found = checkDnsName(txtName, []);
      if (found.length) {
        const wildcard = found.some((f) => f.code === 'wildcard_position' || f.code === 'wildcard_partial');
        return `${what} cannot be stored by ${this.provider.name} (${found[0]?.message ?? 'invalid name'}); ${
          wildcard
            ? 'set the TXT registry\'s wildcardReplacement (ExternalDNS --txt-wildcard-replacement), e.g. "wildcard"'
            : 'change the TXT prefix or suffix'
        }; not created`;
      }
    }
    const fix =
      this.mapper.suffix === '' && this.mapper.prefix === ''
        ? 'set a TXT prefix that ends in "." (e.g. "_externaldns.%{record_type}."); not created'
        : this.mapper.suffix !== ''
          ? `the suffix ${JSON.stringify(this.mapper.suffix)} changes the apex's first label: use a TXT prefix that ends in "." (e.g. "_externaldns.%{record_type}.") instead; not created`
          : 'use a TXT prefix that ends in "." (e.g. "_externaldns.%{record_type}."); not created';
    const zone = this.#zoneOf?.(ep.dnsName);
    if (zone !== undefined && this.#zoneOf?.(txtName) !== zone)
      return `${what} lies outside the record's zone ${zone}; ${fix}`;
    // without a zone list, the provider's domain filter bounds what it may write
    const filter = this.provider.domainFilter;
    if (filter.matches(ep.dnsName) && !filter.matches(txtName))
      return `${what} lies outside ${this.provider.name}'s domain filter; ${fix}`;
    return undefined;
  }

  #newTxt(rec: Endpoint, txtName: string): Endpoint {
    return {
      dnsName: txtName,
      targets: [this.#value(rec.labels)],
      recordType: 'TXT',
      setIdentifier: rec.setIdentifier,
      recordTTL: 0,
      labels: { [LabelKeys.ownedRecord]: rec.dnsName },
      // Copied as ExternalDNS does (AWS alias/routing flags must match the record's).
      providerSpecific: rec.providerSpecific.map((p) => ({ name: p.name, value: p.value })),
    };
  }

  /**
   * The TXT of a record being updated or deleted, carrying the value exactly as stored so a provider
   * that matches old values finds it (encrypted values, owner migration). `undefined` when no typed TXT
   * can exist for it (its name is invalid).
   */
  /**
   * The name of `rec`'s stored typed marker. The Unicode and punycode spellings of a name are one
   * record (D5), but the affix joins the first label, so they give two marker names (`a-bücher…`
   * is `xn--a-bcher-p2a…`, not `a-xn--bcher-kva…`): a marker written under the other spelling is
   * found there. `txtName` (the record's own marker name) when neither is stored.
   */
  #storedTxtName(
    rec: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>,
    txtName = this.txtNameOf(rec),
  ): string {
    if (!/xn--|[^\p{ASCII}]/iu.test(rec.dnsName)) return txtName;
    const index = this.#byTxtName();
    if (index.has(nameKey(txtName, rec.setIdentifier))) return txtName;
    for (const spelling of [normalizeDnsName(rec.dnsName), dnsNameToUnicode(rec.dnsName)]) {
      const other = this.txtNameOf({ dnsName: spelling, recordType: rec.recordType });
      if (index.has(nameKey(other, rec.setIdentifier))) return other;
    }
    return txtName;
  }

  #oldTxt(rec: Endpoint): Endpoint | undefined {
    const txtName = this.#storedTxtName(rec);
    const storedGroup = this.#byTxtName().get(nameKey(txtName, rec.setIdentifier));
    const stored = storedGroup && markerOf(storedGroup);
    if (stored && this.#isOurs(stored)) {
      return endpoint({
        dnsName: stored.txt.dnsName,
        recordType: 'TXT',
        targets: stored.txt.targets,
        setIdentifier: rec.setIdentifier,
        labels: { [LabelKeys.ownedRecord]: rec.dnsName },
        providerSpecific: rec.providerSpecific,
      });
    }
    // nothing was read at the typed name: a name that cannot be stored holds nothing to delete
    return this.#storageProblem(rec, txtName) === undefined ? this.#newTxt(rec, txtName) : undefined;
  }

  /**
   * Why a TXT name cannot be stored for a record (too long, not a hostname the provider takes, outside
   * the record's zone or the provider's domain filter), or `undefined` when it can.
   */
  #storageProblem(ep: Endpoint, txtName: string): string | undefined {
    const problem = txtNameProblem(txtName);
    if (problem) return problem.message;
    if (this.#plainTxtNames.has(nameKey(txtName, ep.setIdentifier)))
      return 'is taken by a TXT record set that is not an ownership marker, which the registry never changes';
    if (this.#unwritableMarker(ep, txtName) === undefined) return undefined;
    const zone = this.#zoneOf?.(ep.dnsName);
    if (zone !== undefined && this.#zoneOf?.(txtName) !== zone)
      return `would lie outside the record's zone ${zone}`;
    return this.provider.domainFilter.matches(txtName)
      ? `cannot be stored by ${this.provider.name}`
      : `would lie outside ${this.provider.name}'s domain filter`;
  }

  /**
   * The marker an update keeps in place: the record was read owned only through a marker that is not
   * at its typed name, and the typed name cannot be stored. `txt` is the stored TXT to rewrite when
   * the update migrates the owner (deviation D3), `undefined` when the marker stays as it is.
   */
  #keptMarker(old: Endpoint, neu: Endpoint): { txt: Endpoint | undefined } | undefined {
    if (this.#keptMarkers.size === 0) return undefined;
    const kept = this.#keptMarkers.get(endpointKey(old));
    if (kept === undefined || endpointKey(old) !== endpointKey(neu)) return undefined;
    const migrating =
      Object.hasOwn(old.labels, MIGRATED_FROM_LABEL) || kept.ownerIds.some((o) => o !== this.ownerId);
    return { txt: migrating ? kept.txt : undefined };
  }

  /**
   * The legacy (untyped) marker of ours the last `records()` read for a record's name, when there is
   * one and nothing else claims the name; AAAA records never had one.
   */
  #legacyOwnerOf(ep: Endpoint): Marker | undefined {
    const markers = this.#recordMarkers;
    if (markers === undefined || upperCased(ep.recordType) === 'AAAA') return undefined;
    const group = markers.get(this.#lookupName(ep.dnsName), '', ep.setIdentifier);
    if (group === undefined) return undefined;
    const marker = this.#recordMarker(group);
    return this.#isOurs(marker) ? marker : undefined;
  }

  /** The values of a stored marker's TXT record set that are no ownership marker (read by no owner). */
  #foreignValues(txt: Endpoint): string[] {
    if (txt.targets.length < 2) return [];
    return txt.targets.filter((t) => this.#readValue(t) === undefined);
  }

  #value(all: Readonly<Record<string, string>>): string {
    // most records carry our owner label alone: that value is built once
    if (!this.#encrypt && hasOnlyOwner(all, this.ownerId))
      return (this.#ownerOnlyValue ??= serializeLabels({ [LabelKeys.owner]: this.ownerId }));
    let labels = all;
    if (Object.hasOwn(all, MIGRATED_FROM_LABEL)) {
      const { [MIGRATED_FROM_LABEL]: _hint, ...rest } = all;
      labels = rest;
    }
    if (!this.#encrypt || !this.#key) return serializeLabels(labels);
    const nonceLabel = labels[LabelKeys.encryptionNonce];
    const nonce = nonceLabel === undefined ? undefined : decodeNonce(nonceLabel);
    return encryptTxtValue(serializeLabels(labels, { quoted: false }), this.#key, nonce);
  }

  /**
   * Keeps the TXT index in step with what was just written, for a second apply without a re-read.
   * Deferred to the index's next use: a reconcile reads again before it applies again.
   */
  #remember(txts: Changes): void {
    this.#written.push(txts);
  }

  #applyWritten(index: Map<string, MarkerGroup>, txts: Changes): void {
    for (const txt of [...txts.delete, ...txts.updateOld])
      index.delete(nameKey(txt.dnsName, txt.setIdentifier));
    for (const txt of [...txts.create, ...txts.updateNew]) {
      index.set(nameKey(txt.dnsName, txt.setIdentifier), {
        values: [],
        endpointName: txt.labels[LabelKeys.ownedRecord] ?? '',
        recordType: '',
        setIdentifier: txt.setIdentifier,
        marker: {
          ambiguous: false,
          ownerIds: [this.ownerId],
          labels: undefined,
          txt,
          txtNames: [txt.dnsName],
        },
      });
    }
  }

  #conflict(ep: Endpoint, existing: Marker): OwnershipConflictError {
    const owners = existing.ownerIds.map((o) => JSON.stringify(o)).join(', ');
    const why = existing.ambiguous ? `ambiguous markers naming ${owners}` : `owner ${owners}`;
    return new OwnershipConflictError(
      `${describe(ep)}: its ownership TXT ${existing.txtNames.join(', ')} belongs to ${why}, not ${JSON.stringify(this.ownerId)}`,
      {
        dnsName: ep.dnsName,
        recordType: ep.recordType,
        setIdentifier: ep.setIdentifier,
        ownerIds: existing.ownerIds,
      },
    );
  }

  #notOwned(what: 'update' | 'delete', rec: Endpoint): void {
    const owner = rec.labels[LabelKeys.owner];
    this.#warn(
      'not-owned',
      `${describe(rec)}: ${what} dropped, the record is ${owner === undefined ? 'not owned' : `owned by ${JSON.stringify(owner)}`}`,
      {
        dnsName: rec.dnsName,
        recordType: rec.recordType,
        setIdentifier: rec.setIdentifier,
        ownerIds: owner === undefined ? [] : [owner],
      },
    );
  }

  #warn(
    kind: RegistryWarningKind,
    message: string,
    where: Partial<Omit<RegistryWarning, 'kind' | 'message'>> & { dnsName: string },
  ): void {
    const warning: RegistryWarning = {
      kind,
      message,
      dnsName: where.dnsName,
      recordType: where.recordType ?? '',
      setIdentifier: where.setIdentifier ?? '',
      txtNames: where.txtNames ?? [],
      ownerIds: where.ownerIds ?? [],
    };
    this.#warnings.push(warning);
    this.#onWarning?.(warning);
  }
}

/** A create `preview` leaves out, and why (see `TxtRegistry.#heldCreates`). */
interface Held {
  record: Endpoint;
  code: 'exists-unowned' | 'unsatisfiable' | 'marker-not-writable';
  reason: string;
}

/**
 * Owner IDs end up inside a comma-separated TXT value of `key=value` tokens: a `,`, `"`, space or `=`
 * would make it unreadable (ExternalDNS ignores a token with a second `=`, so it would see no owner).
 */
function checkOwnerId(id: string, what: string): void {
  if (/[,"=\s]/.test(id))
    throw new ConfigError(
      `TXT registry: ${what} ${JSON.stringify(id)} must not contain commas, quotes, spaces or "=" (it is stored in a comma-separated TXT value of key=value tokens)`,
    );
}

function isAlias(ep: Endpoint): boolean {
  const alias = getProviderSpecific(ep, 'alias');
  return alias === 'true' || alias === 'A';
}

function txtNameProblem(txtName: string): { code: string; message: string } | undefined {
  const ascii = normalizeDnsName(txtName);
  if (fitsLimits(ascii)) return undefined;
  const long = ascii.split('.').find((label) => Buffer.byteLength(label) > MAX_LABEL_OCTETS);
  if (long !== undefined)
    return {
      code: 'txt_label_too_long',
      message: `has a label of ${Buffer.byteLength(long)} octets; at most ${MAX_LABEL_OCTETS} are allowed`,
    };
  if (Buffer.byteLength(ascii) > MAX_NAME_OCTETS)
    return {
      code: 'txt_name_too_long',
      message: `is ${Buffer.byteLength(ascii)} octets; at most ${MAX_NAME_OCTETS} are allowed`,
    };
  return undefined;
}

/** True when `labels` is exactly `{ owner: ownerId }`, checked without allocating. */
function hasOnlyOwner(labels: Readonly<Record<string, string>>, ownerId: string): boolean {
  let count = 0;
  for (const key in labels) if (++count > 1 || key !== LabelKeys.owner) return false;
  return count === 1 && labels[LabelKeys.owner] === ownerId;
}

/** True for an ASCII name whose labels and length are within DNS limits, checked in one pass. */
function fitsLimits(name: string): boolean {
  if (name.length > MAX_NAME_OCTETS) return false;
  let label = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f) return false; // octets differ from characters: the full check decides
    if (c === 46 /* . */) label = 0;
    else if (++label > MAX_LABEL_OCTETS) return false;
  }
  return true;
}

/**
 * Folds the values of every TXT that speaks for one record. Disagreeing owners make it ambiguous
 * (deviation D4); otherwise one TXT is picked by a fixed order, so the result never depends on the
 * order the provider returned them in.
 */
function resolve(values: readonly MarkerValue[]): Marker {
  // the common case, one marker with one value, needs none of the work below
  if (values.length === 1) {
    const only = values[0] as MarkerValue;
    return {
      ambiguous: false,
      ownerIds: [only.labels[LabelKeys.owner] ?? ''],
      labels: only.labels,
      txt: only.txt,
      txtNames: [only.txt.dnsName],
    };
  }
  const sorted = [...values].sort(
    (a, b) =>
      Number(a.txt.dnsName !== a.txt.dnsName.toLowerCase()) -
        Number(b.txt.dnsName !== b.txt.dnsName.toLowerCase()) ||
      compare(a.txt.dnsName, b.txt.dnsName) ||
      compare(a.raw, b.raw),
  );
  const first = sorted[0] as MarkerValue;
  const ownerIds = [...new Set(sorted.map((v) => v.labels[LabelKeys.owner] ?? ''))].sort(compare);
  const txtNames = [...new Set(sorted.map((v) => v.txt))].map((t) => t.dnsName);
  const ambiguous = ownerIds.length > 1;
  return { ambiguous, ownerIds, labels: ambiguous ? undefined : first.labels, txt: first.txt, txtNames };
}

/**
 * Marker groups by the record they speak for. Keyed by normalised name alone (type and set
 * identifier are compared in the short list of one name): records' names are canonical already, so
 * lookups hash a string V8 has hashed before instead of building and hashing a composite key.
 */
class RecordMarkers {
  /** One group, or several when a name has markers of several types or set identifiers. */
  readonly #byName = new Map<string, MarkerGroup | MarkerGroup[]>();
  /** Groups with more than one value: the only ones that can be ambiguous or duplicated. */
  readonly #multi = new Set<MarkerGroup>();

  add(group: MarkerGroup): void {
    if (group.values.length > 1) this.#multi.add(group);
    const name = normalizeDnsName(group.endpointName);
    const found = this.#byName.get(name);
    if (found === undefined) {
      this.#byName.set(name, group);
      return;
    }
    const list = Array.isArray(found) ? found : [found];
    if (list !== found) this.#byName.set(name, list);
    const i = list.findIndex(
      (g) => g.recordType === group.recordType && g.setIdentifier === group.setIdentifier,
    );
    if (i < 0) {
      list.push(group);
      return;
    }
    // a new object: the group is also listed for the TXT-name index
    const existing = list[i] as MarkerGroup;
    const merged = { ...existing, values: [...existing.values, ...group.values], written: undefined };
    list[i] = merged;
    this.#multi.delete(existing);
    this.#multi.delete(group);
    this.#multi.add(merged);
  }

  get(name: string, recordType: string, setIdentifier: string): MarkerGroup | undefined {
    const found = this.#byName.get(normalizeDnsName(name));
    if (found === undefined) return undefined;
    if (!Array.isArray(found))
      return found.recordType === recordType && found.setIdentifier === setIdentifier ? found : undefined;
    for (const g of found) if (g.recordType === recordType && g.setIdentifier === setIdentifier) return g;
    return undefined;
  }

  /** The groups with several values. */
  multiValued(): Iterable<MarkerGroup> {
    return this.#multi;
  }
}

function addToGroup(map: Map<string, MarkerGroup>, k: string, group: MarkerGroup): void {
  const existing = map.get(k);
  if (!existing) map.set(k, group);
  // copy before the first addition: the group may be shared with the other map
  else if (existing === group) return;
  else map.set(k, { ...existing, values: [...existing.values, ...group.values] });
}

function describe(ep: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${ep.dnsName} ${ep.recordType}${ep.setIdentifier ? ` [${ep.setIdentifier}]` : ''}`;
}

function describeGroup(g: MarkerGroup): string {
  return describe({
    dnsName: g.endpointName,
    recordType: g.recordType || '(legacy marker)',
    setIdentifier: g.setIdentifier,
  });
}

function groupWhere(g: MarkerGroup): { dnsName: string; recordType: string; setIdentifier: string } {
  return { dnsName: g.endpointName, recordType: g.recordType, setIdentifier: g.setIdentifier };
}

/** The records to send followed by their ownership TXTs, list by list (new lists; `composed` is kept). */
function withMarkers({ out, txts }: Composed): Changes {
  return {
    create: out.create.concat(txts.create),
    updateOld: out.updateOld.concat(txts.updateOld),
    updateNew: out.updateNew.concat(txts.updateNew),
    delete: out.delete.concat(txts.delete),
  };
}
