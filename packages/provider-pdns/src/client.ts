import { inspect } from 'node:util';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, MAX_TTL, normalizeDnsName, ValidationError, type Issue } from '@openova/dns-core';
import { withTrailingDot, lowerCased, upperCased } from '@openova/dns-core/provider';
import {
  HttpTransport,
  type HttpAnswer,
  type HttpCallInfo,
  type HttpErrorReading,
  type HttpRequestEvent,
} from '@openova/dns-core/http';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { PowerDnsApiError } from './errors.js';
import { CHARACTER_STRING_TYPES, contentForUnescapingServer, portableContent } from './mapping.js';
import {
  configSettingSchema,
  cryptokeySchema,
  errorBodySchema,
  metadataSchema,
  resultSchema,
  searchResultSchema,
  serverSchema,
  statisticItemSchema,
  tsigKeySchema,
  zoneReader,
  zoneSchema,
  zoneSummarySchema,
  type PowerDnsConfigSetting,
  type PowerDnsCryptokey,
  type PowerDnsMetadata,
  type PowerDnsResult,
  type PowerDnsSearchResult,
  type PowerDnsServer,
  type PowerDnsStatisticItem,
  type PowerDnsTsigKey,
  type PowerDnsZone,
  type PowerDnsZoneSummary,
} from './schemas.js';
import {
  parsePowerDnsVersion,
  powerDnsFeatures,
  type PowerDnsFeatures,
  type PowerDnsVersion,
} from './version.js';

/** TLS settings for an `https://` API URL (a reverse proxy in front of PowerDNS). */
export interface PowerDnsTlsOptions {
  /** Trusted CA certificates (PEM), replacing Node's default list. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  /** Private key of the client certificate (PEM). */
  key?: string | Buffer;
  /** Set to `false` only for throwaway test setups; defaults to `true`. */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks when it differs from the URL's host. */
  servername?: string;
  /** Lowest TLS version accepted (default `TLSv1.2`). */
  minVersion?: ConnectionOptions['minVersion'];
}

/**
 * Backoff of retried calls (core's transport). Retries happen on connection errors, timeouts and
 * 5xx answers; creates are resent only when PowerDNS provably did nothing.
 */
export interface PowerDnsRetryOptions {
  /** Retries after the first attempt (default 4). `0` disables retrying. */
  retries?: number;
  /** Delay before the first retry in ms (default 100); doubles per retry. */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 2000). */
  maxDelayMs?: number;
}

/** What the `onRequest` hook hears of each attempt (core's `HttpRequestEvent`). */
export type PowerDnsRequestEvent = HttpRequestEvent;

/**
 * Options of {@link PowerDnsClient} (and of `PowerDnsProvider`): where the API is, the key, timeouts,
 * retries and TLS.
 */
export interface PowerDnsClientOptions {
  /**
   * Base URL of the webserver, e.g. `http://127.0.0.1:8081`. A path prefix (reverse proxy) is kept;
   * `/api/v1` is appended unless the URL already ends with it.
   */
  apiUrl: string;
  /**
   * The `X-API-Key` (PowerDNS `api-key`). Sent with every request; never appears in errors, logs or
   * `util.inspect`.
   */
  apiKey: string;
  /** Server id in API paths (default `localhost`, the only id PowerDNS Authoritative uses). */
  serverId?: string;
  /** Timeout of each HTTP attempt in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * Added to a PATCH's timeout per megabyte (10^6 bytes) of its body, in ms (default 2 000):
   * PowerDNS needs about 1.4 s per MB of rrsets (100,000 endpoints, 30 MB: 42 s), so a large write
   * is not abandoned while the server is still applying it.
   */
  timeoutPerMegabyteMs?: number;
  /** Backoff of retried calls: connection errors, timeouts and 5xx (default: 4 retries, 100 ms doubling up to 2 000 ms). */
  retry?: PowerDnsRetryOptions;
  /** TLS settings for an `https://` API URL (CA, client certificate, verification). */
  tls?: PowerDnsTlsOptions;
  /** An undici dispatcher to use instead of the client's own agent (proxies, mocks). */
  dispatcher?: Dispatcher;
  /** Most connections the client's own agent opens to the server (default 8). */
  connections?: number;
  /** Called after every HTTP attempt; exceptions it throws are ignored. */
  onRequest?: (event: PowerDnsRequestEvent) => void;
  /** Skips the `GET /servers/{id}` version probe and assumes this version (e.g. `4.7.3`). */
  assumeVersion?: string;
}

/** Options every client call accepts. */
export interface PowerDnsCallOptions {
  /** Cancels the call, retries included (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout for this call. */
  timeoutMs?: number;
}

/** Zone kinds PowerDNS accepts; it stores `Primary`/`Secondary` as `Master`/`Slave`. */
export const ZONE_KINDS = [
  'Native',
  'Master',
  'Slave',
  'Primary',
  'Secondary',
  'Producer',
  'Consumer',
] as const;
/** A zone kind PowerDNS accepts; see {@link ZONE_KINDS}. */
export type ZoneKind = (typeof ZONE_KINDS)[number];

/**
 * Every `changetype` of a PATCH rrset: `REPLACE` and `DELETE` on every version, `EXTEND` and `PRUNE` from
 * PowerDNS 4.9.12, 5.0.2 and 5.1.0 (refused before sending on older servers).
 */
export const RRSET_CHANGETYPES = ['REPLACE', 'DELETE', 'EXTEND', 'PRUNE'] as const;
/** One of {@link RRSET_CHANGETYPES}. */
export type RRsetChangeType = (typeof RRSET_CHANGETYPES)[number];

/** One record of an rrset, as PowerDNS takes it. */
export interface RecordInput {
  /** Record data in zone-file form, e.g. `192.0.2.1`, `mail.example.com.` (absolute), `"text"` (quoted). */
  content: string;
  /** Stored but not served (default false). */
  disabled?: boolean;
}

/** A comment on an rrset, as PowerDNS stores it. */
export interface CommentInput {
  /** The comment text. */
  content: string;
  /** Who made the comment (free text). */
  account?: string;
}

/** One element of a PATCH body. Names are absolute (trailing dot); the client adds a missing one. */
export interface RRsetChange {
  /** Owner name, absolute (trailing dot), e.g. `www.example.com.`. */
  name: string;
  /** Record type, e.g. `A` or `LUA`. */
  type: string;
  /**
   * `REPLACE` (the whole rrset), `DELETE`, or `EXTEND` / `PRUNE` (add or remove records; PowerDNS 4.9.12, 5.0.2, 5.1.0 and later).
   */
  changetype: RRsetChangeType;
  /** Required with `records` for REPLACE; never sent for DELETE. */
  ttl?: number;
  /** The records of the rrset, with `REPLACE`; content in PowerDNS's zone-file form. */
  records?: readonly RecordInput[];
  /** Comments to store on the rrset (replacing the existing ones). */
  comments?: readonly CommentInput[];
}

/** An rrset in a zone creation body. */
export interface RRsetInput {
  /** Owner name, absolute (trailing dot). */
  name: string;
  /** Record type. */
  type: string;
  /** TTL in seconds. */
  ttl: number;
  /** The records, content in zone-file form. */
  records: readonly RecordInput[];
  /** Comments on the rrset. */
  comments?: readonly CommentInput[];
}

/** Body of {@link PowerDnsClient.createZone}: `POST /servers/{server_id}/zones`. */
export interface CreateZoneInput {
  /**
   * Zone name; a trailing dot is added when missing. Written as PowerDNS stores names, as the
   * provider does: lower case, punycode for internationalised labels (`bücher.de` → `xn--bcher-kva.de.`);
   * the same for `nameservers` and the names of `rrsets`.
   */
  name: string;
  /** `Native`, `Primary`/`Master`, `Secondary`/`Slave`, `Producer` or `Consumer`. */
  kind: ZoneKind;
  /** Apex NS names; PowerDNS creates the NS rrset. Leave out for secondary zones. */
  nameservers?: readonly string[];
  /** Primaries to transfer from (secondary zones). */
  masters?: readonly string[];
  /** Rrsets to create with the zone. */
  rrsets?: readonly RRsetInput[];
  /** Serial handling after API writes (PowerDNS default `DEFAULT`). Avoid `EPOCH`. */
  soaEditApi?: string;
  /** SOA-EDIT setting of the zone (serial handling on outgoing transfers). */
  soaEdit?: string;
  /** Rectify after every change (default: the server's `default-api-rectify`). */
  apiRectify?: boolean;
  /** Sign the zone (generates keys; default false). */
  dnssec?: boolean;
  /** NSEC3 parameters, e.g. `1 0 0 -`; absent = NSEC. */
  nsec3param?: string;
  /** Account the zone belongs to (free text). */
  account?: string;
  /** Catalog zone this zone is a member of (PowerDNS 4.7+). */
  catalog?: string;
}

/**
 * Body of {@link PowerDnsClient.updateZone}: `PUT /servers/{server_id}/zones/{zone_id}`; absent fields are
 * left as they are.
 */
export interface UpdateZoneInput {
  /** New zone kind. */
  kind?: ZoneKind;
  /** Primaries to transfer from (secondary zones). */
  masters?: readonly string[];
  /** Account the zone belongs to. */
  account?: string;
  /** Serial handling after API writes, e.g. `DEFAULT`, `INCREASE`. */
  soaEditApi?: string;
  /** SOA-EDIT setting (serial handling on outgoing transfers). */
  soaEdit?: string;
  /** Rectify the zone after every API change. */
  apiRectify?: boolean;
  /** Sign the zone, or stop signing it. */
  dnssec?: boolean;
  /** NSEC3 parameters; `''` switches back to NSEC. */
  nsec3param?: string;
  /** Catalog zone this zone is a member of. */
  catalog?: string;
}

/** Options of {@link PowerDnsClient.getZone}. */
export interface GetZoneOptions extends PowerDnsCallOptions {
  /** Include rrsets (default true). */
  rrsets?: boolean;
  /** Only the rrsets of this name (PowerDNS 4.7+); a trailing dot is added when missing. */
  rrsetName?: string;
  /** With `rrsetName`: only this type. */
  rrsetType?: string;
}

/** Options of {@link PowerDnsClient.listZones}. */
export interface ListZonesOptions extends PowerDnsCallOptions {
  /** Only this zone (the answer is empty when it does not exist); an IDN name is converted to punycode. */
  zone?: string;
  /** Include `dnssec` and `edited_serial` (default false: much cheaper with many zones). */
  dnssec?: boolean;
}

/** What {@link PowerDnsClient.patchRRsets} returns. */
export interface PatchResult {
  /** The zone's serial after the change, from `X-PDNS-New-Serial` (absent without SOA-EDIT-API). */
  newSerial: number | undefined;
}

/** Options of {@link PowerDnsClient.search} (`GET /servers/{server_id}/search-data`). */
export interface SearchOptions extends PowerDnsCallOptions {
  /** Pattern; `*` and `?` are wildcards. */
  query: string;
  /** Most results returned (default 100). */
  max?: number;
  /** What to search: `all` (default), `zone`, `record` or `comment`. */
  objectType?: 'all' | 'zone' | 'record' | 'comment';
}

/** Options of {@link PowerDnsClient.statistics}. */
export interface StatisticsOptions extends PowerDnsCallOptions {
  /** Only this statistic (an unknown name is a 422). */
  statistic?: string;
  /** Include ring statistics (default true, as the server does). */
  includeRings?: boolean;
}

/** Body of {@link PowerDnsClient.createCryptokey}: a DNSSEC key to generate or import. */
export interface CreateCryptokeyInput {
  /** `ksk`, `zsk` or `csk` (combined). */
  keytype: 'ksk' | 'zsk' | 'csk';
  /** Sign with the key right away. */
  active: boolean;
  /** Publish the DNSKEY (default true). */
  published?: boolean;
  /** e.g. `ECDSAP256SHA256` or `13`. */
  algorithm?: string;
  /** Key size in bits, for algorithms that take one (RSA). */
  bits?: number;
  /** A private key to import instead of generating one. */
  privatekey?: string;
}

/** Body of {@link PowerDnsClient.createTsigKey}. */
export interface CreateTsigKeyInput {
  /** Key name, e.g. `transfer-key`. */
  name: string;
  /** e.g. `hmac-sha256`. */
  algorithm: string;
  /** Base64 secret; PowerDNS generates one when absent. */
  key?: string;
}

interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** How to read a success body: a zod schema (or anything with its `safeParse`), raw text, or ignore it. */
  response: Pick<z.ZodType<T>, 'safeParse'> | 'text' | 'none';
  /** Safe to send twice: retried on any transient failure, not only on ones that prove nothing happened. */
  idempotent: boolean;
}

interface Answer<T> {
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

/** Runs write requests to one server one at a time, in call order. */
class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

// Shared per server, not per client: two providers in one process writing to the same sqlite-backed
// server would otherwise make each other fail with "database is locked".
const writeQueues = new Map<string, WriteQueue>();

function writeQueueFor(key: string): WriteQueue {
  let queue = writeQueues.get(key);
  if (!queue) writeQueues.set(key, (queue = new WriteQueue()));
  return queue;
}

const DEFAULT_TIMEOUT_MS = 30_000;

const zoneExportSchema = z.object({ zone: z.string() });

function normalizeApiBase(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch (cause) {
    throw new ConfigError(`apiUrl is not a valid URL: ${JSON.stringify(apiUrl)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`apiUrl must be an http:// or https:// URL, got ${url.protocol}`);
  }
  if (url.username || url.password) throw new ConfigError('apiUrl must not contain credentials');
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/api/v1')) path += '/api/v1';
  url.pathname = path;
  return url;
}

/** Percent-encodes a path segment but keeps PowerDNS zone ids (`example.org.`, `=2E`) readable. */
function segment(value: string): string {
  return value.replace(/[^A-Za-z0-9._=-]/g, (c) => encodeURIComponent(c));
}

/**
 * The zone id PowerDNS derives from a zone name (`apiZoneNameToId`): the absolute name with every
 * byte outside `[A-Za-z0-9.-]` written as `=XX`. Prefer ids from {@link PowerDnsClient.listZones}.
 */
export function zoneIdFromName(name: string): string {
  const absolute = withTrailingDot(name);
  if (absolute === '.') return '=2E';
  let out = '';
  for (const byte of Buffer.from(absolute, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9.-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function snakeZoneFields(input: UpdateZoneInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (input.kind !== undefined) body['kind'] = input.kind;
  if (input.masters !== undefined) body['masters'] = [...input.masters];
  if (input.account !== undefined) body['account'] = input.account;
  if (input.soaEditApi !== undefined) body['soa_edit_api'] = input.soaEditApi;
  if (input.soaEdit !== undefined) body['soa_edit'] = input.soaEdit;
  if (input.apiRectify !== undefined) body['api_rectify'] = input.apiRectify;
  if (input.dnssec !== undefined) body['dnssec'] = input.dnssec;
  if (input.nsec3param !== undefined) body['nsec3param'] = input.nsec3param;
  if (input.catalog !== undefined) body['catalog'] = input.catalog;
  return body;
}

function checkZoneKind(kind: string | undefined, issues: Issue[]): void {
  // PowerDNS turns any unknown kind into Native without complaint, so check it here.
  if (kind !== undefined && !ZONE_KINDS.some((k) => k.toLowerCase() === kind.toLowerCase())) {
    issues.push({
      path: ['kind'],
      code: 'invalid_zone_kind',
      message: `${JSON.stringify(kind)} is not a zone kind (${ZONE_KINDS.join(', ')})`,
    });
  }
}

function checkTtl(ttl: unknown, path: (string | number)[], issues: Issue[]): void {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
    issues.push({ path, code: 'invalid_ttl', message: `TTL must be an integer from 0 to ${MAX_TTL}` });
  }
}

/**
 * True when a change serialises to exactly the body PowerDNS expects: absolute name, upper-case
 * type, only the fields of its changetype, records with both fields, no comments (those get their
 * defaults filled in). Checked without allocating.
 */
function isWireForm(c: RRsetChange): boolean {
  if (!c.name.endsWith('.') || upperCased(c.type) !== c.type) return false;
  for (const key in c) {
    if (key === 'name' || key === 'type' || key === 'changetype') continue;
    if ((key === 'ttl' || key === 'records') && c.changetype !== 'DELETE') continue;
    return false;
  }
  for (const record of c.records ?? []) {
    if (typeof record.disabled !== 'boolean') return false;
    for (const key in record) if (key !== 'content' && key !== 'disabled') return false;
  }
  return true;
}

function recordsBody(records: readonly RecordInput[]) {
  return records.map((r) => ({ content: r.content, disabled: r.disabled ?? false }));
}

function commentsBody(comments: readonly CommentInput[]) {
  return comments.map((c) => ({ content: c.content, account: c.account ?? '' }));
}

function headerValue(headers: Answer<unknown>['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Typed client of the PowerDNS Authoritative HTTP API (`/api/v1`), built on undici and zod.
 *
 * - every call has a timeout and accepts an `AbortSignal`;
 * - connection errors, timeouts and 5xx answers (sqlite's "database is locked" included) are
 *   retried with exponential backoff; 4xx answers are not;
 * - write requests to one server are sent one at a time (sqlite fails on parallel writers);
 * - no `Expect: 100-continue` (PowerDNS never answers it, which stalls curl for a second);
 * - the API key is kept in a private field and never appears in errors, events or `util.inspect`.
 *
 * Calls throw {@link PowerDnsApiError} (`PROVIDER`, `PROVIDER_AUTH`, `PROVIDER_UNREACHABLE`,
 * `UNKNOWN_ZONE`, `RECORD_CONFLICT`, `RECORD_REJECTED`), `ValidationError` (`VALIDATION`) for input
 * refused before sending, and `AbortedError` (`ABORTED`).
 *
 * Source: the PowerDNS Authoritative HTTP API reference (https://doc.powerdns.com/authoritative/http-api/).
 */
export class PowerDnsClient {
  /** Base URL of the API, `/api/v1` included, e.g. `http://127.0.0.1:8081/api/v1`. */
  readonly apiUrl: string;
  /** Server id in API paths (`localhost` unless configured). */
  readonly serverId: string;
  readonly #http: HttpTransport;
  readonly #writes: WriteQueue;
  readonly #timeoutMs: number;
  readonly #timeoutPerMegabyteMs: number;
  #version: Promise<PowerDnsVersion | undefined> | undefined;

  /** @throws a `ConfigError` without an API key or with an `apiUrl` that is not http(s). */
  constructor(options: PowerDnsClientOptions) {
    if (!options.apiKey) throw new ConfigError('apiKey is required');
    const base = normalizeApiBase(options.apiUrl);
    this.apiUrl = base.toString().replace(/\/$/, '');
    this.serverId = options.serverId ?? 'localhost';
    // it becomes a path segment of every request: `..` or a `/` would reach another resource
    if (!/^[A-Za-z0-9_.-]+$/.test(this.serverId) || /^\.+$/.test(this.serverId))
      throw new ConfigError(
        `pdns: serverId must be a server id such as "localhost", got ${JSON.stringify(this.serverId)}`,
      );
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#timeoutPerMegabyteMs = options.timeoutPerMegabyteMs ?? 2000;
    if (!Number.isFinite(this.#timeoutPerMegabyteMs) || this.#timeoutPerMegabyteMs < 0)
      throw new ConfigError('pdns: timeoutPerMegabyteMs must be a number of 0 or more');
    const tls = options.tls;
    this.#http = new HttpTransport({
      provider: 'pdns',
      baseUrl: base,
      headers: { 'x-api-key': options.apiKey, 'user-agent': '@openova/dns-provider-pdns' },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: {
        retries: options.retry?.retries ?? 4,
        minDelayMs: options.retry?.minDelayMs ?? 100,
        maxDelayMs: options.retry?.maxDelayMs ?? 2000,
      },
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(tls
        ? {
            tls: {
              ...(tls.ca === undefined ? {} : { ca: tls.ca }),
              ...(tls.cert === undefined ? {} : { cert: tls.cert }),
              ...(tls.key === undefined ? {} : { key: tls.key }),
              ...(tls.servername === undefined ? {} : { servername: tls.servername }),
              rejectUnauthorized: tls.rejectUnauthorized ?? true,
              minVersion: tls.minVersion ?? 'TLSv1.2',
            },
          }
        : {}),
      onRequest: options.onRequest,
      readError: powerDnsErrorReader(this.serverId),
      // sqlite's "database is locked" rolled the transaction back: even a create may be resent
      notExecuted: (error) => error instanceof PowerDnsApiError && error.isDatabaseLocked,
      createError: (message, init) =>
        new PowerDnsApiError(
          init.kind === 'timeout' && init.method === 'PATCH' ? `${message}${PATCH_OUTCOME}` : message,
          {
            ...init,
            ...(Array.isArray(init.details) ? { serverErrors: init.details as string[] } : {}),
          },
        ),
    });
    this.#writes = writeQueueFor(`${this.apiUrl}|${this.serverId}`);
    if (options.assumeVersion !== undefined) {
      this.#version = Promise.resolve(parsePowerDnsVersion(options.assumeVersion));
    }
  }

  /** Closes the client's own connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using client = new PowerDnsClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `util.inspect` shows only `apiUrl` and `serverId`: the API key never appears. */
  [inspect.custom](): string {
    return `PowerDnsClient { apiUrl: ${JSON.stringify(this.apiUrl)}, serverId: ${JSON.stringify(this.serverId)} }`;
  }

  /** The client's identity for logs: `apiUrl` and `serverId`, never the API key. */
  toJSON(): { apiUrl: string; serverId: string } {
    return { apiUrl: this.apiUrl, serverId: this.serverId };
  }

  // ---- server ---------------------------------------------------------------------------------

  /** `GET /servers/{id}`: daemon type, version and URLs. */
  serverInfo(options: PowerDnsCallOptions = {}): Promise<PowerDnsServer> {
    return this.#call(
      { method: 'GET', path: this.#server(), response: serverSchema, idempotent: true },
      options,
    );
  }

  /** The server's version, read once and cached. `undefined` when it is not a release number. */
  version(options: PowerDnsCallOptions = {}): Promise<PowerDnsVersion | undefined> {
    if (!this.#version) {
      const probe = this.serverInfo(options).then((info) => parsePowerDnsVersion(info.version));
      this.#version = probe;
      // a failed probe is not cached, so the next call asks again
      probe.catch(() => {
        if (this.#version === probe) this.#version = undefined;
      });
    }
    return this.#version;
  }

  /** Version-dependent API features of this server. */
  async features(options: PowerDnsCallOptions = {}): Promise<PowerDnsFeatures> {
    return powerDnsFeatures(await this.version(options));
  }

  /** `GET /servers/{id}/config`: every setting (the API key is shown as `***`). */
  serverConfig(options: PowerDnsCallOptions = {}): Promise<PowerDnsConfigSetting[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/config`,
        response: z.array(configSettingSchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `GET /servers/{id}/statistics`. */
  statistics(options: StatisticsOptions = {}): Promise<PowerDnsStatisticItem[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/statistics`,
        query: { statistic: options.statistic, includerings: options.includeRings },
        response: z.array(statisticItemSchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `GET /servers/{id}/search-data`: zones, records and comments matching a pattern. */
  search(options: SearchOptions): Promise<PowerDnsSearchResult[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/search-data`,
        query: { q: options.query, max: options.max ?? 100, object_type: options.objectType },
        response: z.array(searchResultSchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `PUT /servers/{id}/cache/flush?domain=`: purges cached answers at and below a name. */
  flushCache(domain: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsResult> {
    return this.#call(
      {
        method: 'PUT',
        path: `${this.#server()}/cache/flush`,
        query: { domain: withTrailingDot(domain) },
        response: resultSchema,
        idempotent: true,
      },
      options,
    );
  }

  // ---- zones ----------------------------------------------------------------------------------

  /** `GET /servers/{id}/zones` (without rrsets). */
  listZones(options: ListZonesOptions = {}): Promise<PowerDnsZoneSummary[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/zones`,
        query: {
          zone: options.zone === undefined ? undefined : apiName(options.zone),
          dnssec: options.dnssec ?? false,
        },
        response: z.array(zoneSummarySchema),
        idempotent: true,
      },
      options,
    );
  }

  /** The zone of exactly this name, or `undefined`. */
  async findZone(name: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsZoneSummary | undefined> {
    const zones = await this.listZones({ ...options, zone: name });
    return zones[0];
  }

  /** `GET /servers/{id}/zones/{zoneId}`, optionally only some rrsets. */
  getZone(zoneId: string, options: GetZoneOptions = {}): Promise<PowerDnsZone> {
    return this.#call(
      {
        method: 'GET',
        path: this.#zone(zoneId),
        query: {
          rrsets: options.rrsets === false ? false : undefined,
          rrset_name: options.rrsetName === undefined ? undefined : withTrailingDot(options.rrsetName),
          rrset_type: options.rrsetType,
        },
        response: zoneReader,
        idempotent: true,
      },
      options,
    );
  }

  /** `POST /servers/{id}/zones`. A zone that exists already is a 409 {@link PowerDnsApiError}. */
  async createZone(
    input: CreateZoneInput,
    options: PowerDnsCallOptions & { rrsets?: boolean } = {},
  ): Promise<PowerDnsZone> {
    const issues: Issue[] = [];
    checkZoneKind(input.kind, issues);
    input.rrsets?.forEach((r, i) => checkTtl(r.ttl, ['rrsets', i, 'ttl'], issues));
    if (issues.length) throw new ValidationError(issues, { summary: 'pdns: invalid zone' });
    const body: Record<string, unknown> = { name: apiName(input.name), ...snakeZoneFields(input) };
    if (input.nameservers !== undefined) body['nameservers'] = input.nameservers.map(apiName);
    if (input.rrsets !== undefined) {
      body['rrsets'] = input.rrsets.map((r) => ({
        name: apiName(r.name),
        type: r.type,
        ttl: r.ttl,
        records: recordsBody(r.records),
        ...(r.comments ? { comments: commentsBody(r.comments) } : {}),
      }));
    }
    return await this.#call(
      {
        method: 'POST',
        path: `${this.#server()}/zones`,
        query: { rrsets: options.rrsets === false ? false : undefined },
        body,
        response: zoneSchema,
        idempotent: false,
      },
      options,
    );
  }

  /** `PUT /servers/{id}/zones/{zoneId}`: changes zone settings (kind, SOA-EDIT-API, rectify, …). */
  async updateZone(zoneId: string, input: UpdateZoneInput, options: PowerDnsCallOptions = {}): Promise<void> {
    const issues: Issue[] = [];
    checkZoneKind(input.kind, issues);
    if (issues.length) throw new ValidationError(issues, { summary: 'pdns: invalid zone update' });
    await this.#call(
      {
        method: 'PUT',
        path: this.#zone(zoneId),
        body: snakeZoneFields(input),
        response: 'none',
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE /servers/{id}/zones/{zoneId}`. */
  async deleteZone(zoneId: string, options: PowerDnsCallOptions = {}): Promise<void> {
    await this.#call(
      { method: 'DELETE', path: this.#zone(zoneId), response: 'none', idempotent: true },
      options,
    );
  }

  /**
   * `PATCH /servers/{id}/zones/{zoneId}`: applies every change in one transaction, in array order
   * (put DELETEs that free a name before the REPLACEs that need it). `EXTEND`/`PRUNE` are refused
   * before sending when the server's version does not have them.
   *
   * The timeout grows with the body (`timeoutPerMegabyteMs`). A PATCH whose answer is lost (timeout,
   * connection closed after sending, a 5xx) is never simply sent again: the zone is read back
   * first, and when every change is already in effect the call succeeds (`newSerial` is then
   * undefined); otherwise it is resent within the retry budget. So a write is neither applied
   * twice nor lost. A body larger than the server's `webserver-max-bodysize` is answered 400; the
   * provider splits its writes to stay below it (see its `maxBodyBytes`).
   */
  async patchRRsets(
    zoneId: string,
    changes: readonly RRsetChange[],
    options: PowerDnsCallOptions = {},
  ): Promise<PatchResult> {
    const issues = prechecked.has(changes) ? [] : checkRRsetChanges(changes);
    if (issues.length) throw new ValidationError(issues, { summary: 'pdns: invalid rrset changes' });
    if (changes.some((c) => c.changetype === 'EXTEND' || c.changetype === 'PRUNE')) {
      const version = await this.version(options);
      if (!powerDnsFeatures(version).extendPrune) {
        throw new ValidationError(
          changes.flatMap((c, i) =>
            c.changetype === 'EXTEND' || c.changetype === 'PRUNE'
              ? [
                  {
                    path: [i, 'changetype'],
                    code: 'unsupported_changetype',
                    message: `${c.changetype} needs PowerDNS 4.9.12, 5.0.2 or 5.1+; this server is ${version?.raw ?? 'of unknown version'}`,
                  },
                ]
              : [],
          ),
          { summary: 'pdns: changetype not supported by this server' },
        );
      }
    }
    const body = {
      rrsets: changes.map((c) => {
        // changes already in wire form (all the provider builds) are sent as they are: a zone's
        // PATCH can carry tens of thousands of them
        if (isWireForm(c)) return c;
        const rrset: Record<string, unknown> = {
          name: withTrailingDot(c.name),
          type: c.type.toUpperCase(),
          changetype: c.changetype,
        };
        if (c.changetype !== 'DELETE') {
          if (c.ttl !== undefined) rrset['ttl'] = c.ttl;
          if (c.records !== undefined) rrset['records'] = recordsBody(c.records);
          if (c.comments !== undefined) rrset['comments'] = commentsBody(c.comments);
        }
        return rrset;
      }),
    };
    // 5.1 unescapes quoted strings once more and refuses raw non-ASCII: it gets them escaped, and
    // stores their portable form (the form the provider writes to every version)
    let storedForm: ((type: string, content: string) => string) | undefined;
    if (
      body.rrsets.some(hasEscapedStrings) &&
      powerDnsFeatures(await this.version(options)).txtWriteUnescapes
    ) {
      body.rrsets = body.rrsets.map((rrset) => (hasEscapedStrings(rrset) ? escapeOnceMore(rrset) : rrset));
      storedForm = portableContent;
    }
    const text = JSON.stringify(body);
    const megabytes = Buffer.byteLength(text) / 1_000_000;
    const timeoutMs =
      wholeMs(options.timeoutMs ?? this.#timeoutMs) + Math.ceil(megabytes * this.#timeoutPerMegabyteMs);
    const answer = await this.#writes.run(() =>
      this.#http.request(
        {
          method: 'PATCH',
          path: this.#zone(zoneId),
          body: text,
          idempotent: false,
          confirmApplied: (signal) => this.#applied(zoneId, changes, signal, storedForm),
        },
        { ...(options.signal ? { signal: options.signal } : {}), timeoutMs },
      ),
    );
    const serial = headerValue(answer.headers, 'x-pdns-new-serial');
    return { newSerial: serial === undefined || !/^\d+$/.test(serial) ? undefined : Number(serial) };
  }

  /**
   * `GET …/zones/{zoneId}/export`: the zone in AXFR text form (one record per line). PowerDNS
   * wraps it in JSON (`{"zone": "…"}`) when JSON is accepted (4.7) or always (5.x); the text is
   * returned either way.
   */
  async exportZone(zoneId: string, options: PowerDnsCallOptions = {}): Promise<string> {
    const text = await this.#call<string>(
      { method: 'GET', path: `${this.#zone(zoneId)}/export`, response: 'text', idempotent: true },
      options,
    );
    if (!text.trimStart().startsWith('{')) return text;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return text;
    }
    const parsed = zoneExportSchema.safeParse(json);
    return parsed.success ? parsed.data.zone : text;
  }

  /** `PUT …/zones/{zoneId}/notify`: queues NOTIFYs to the zone's secondaries. */
  notifyZone(zoneId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsResult> {
    return this.#call(
      { method: 'PUT', path: `${this.#zone(zoneId)}/notify`, response: resultSchema, idempotent: true },
      options,
    );
  }

  /** `PUT …/zones/{zoneId}/rectify`: recomputes ordering and empty non-terminals. */
  rectifyZone(zoneId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsResult> {
    return this.#call(
      { method: 'PUT', path: `${this.#zone(zoneId)}/rectify`, response: resultSchema, idempotent: true },
      options,
    );
  }

  /** `PUT …/zones/{zoneId}/axfr-retrieve`: asks a secondary zone to transfer now. */
  axfrRetrieve(zoneId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsResult> {
    return this.#call(
      {
        method: 'PUT',
        path: `${this.#zone(zoneId)}/axfr-retrieve`,
        response: resultSchema,
        idempotent: true,
      },
      options,
    );
  }

  // ---- metadata -------------------------------------------------------------------------------

  /** `GET …/zones/{zoneId}/metadata`. */
  listMetadata(zoneId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsMetadata[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#zone(zoneId)}/metadata`,
        response: z.array(metadataSchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `GET …/metadata/{kind}`; an unset kind comes back with an empty list. */
  getMetadata(zoneId: string, kind: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsMetadata> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#zone(zoneId)}/metadata/${segment(kind)}`,
        response: metadataSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `PUT …/metadata/{kind}`: replaces the values. Custom kinds must start with `X-`. */
  setMetadata(
    zoneId: string,
    kind: string,
    values: readonly string[],
    options: PowerDnsCallOptions = {},
  ): Promise<PowerDnsMetadata> {
    return this.#call(
      {
        method: 'PUT',
        path: `${this.#zone(zoneId)}/metadata/${segment(kind)}`,
        body: { kind, metadata: [...values] },
        response: metadataSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/metadata/{kind}`. */
  async deleteMetadata(zoneId: string, kind: string, options: PowerDnsCallOptions = {}): Promise<void> {
    await this.#call(
      {
        method: 'DELETE',
        path: `${this.#zone(zoneId)}/metadata/${segment(kind)}`,
        response: 'none',
        idempotent: true,
      },
      options,
    );
  }

  // ---- DNSSEC keys ----------------------------------------------------------------------------

  /** `GET …/zones/{zoneId}/cryptokeys` (without private keys). */
  listCryptokeys(zoneId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsCryptokey[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#zone(zoneId)}/cryptokeys`,
        response: z.array(cryptokeySchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `GET …/cryptokeys/{id}` (with the private key). */
  getCryptokey(zoneId: string, id: number, options: PowerDnsCallOptions = {}): Promise<PowerDnsCryptokey> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#zone(zoneId)}/cryptokeys/${id}`,
        response: cryptokeySchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `POST …/cryptokeys`: generates or imports a key. */
  createCryptokey(
    zoneId: string,
    input: CreateCryptokeyInput,
    options: PowerDnsCallOptions = {},
  ): Promise<PowerDnsCryptokey> {
    return this.#call(
      {
        method: 'POST',
        path: `${this.#zone(zoneId)}/cryptokeys`,
        body: { ...input },
        response: cryptokeySchema,
        idempotent: false,
      },
      options,
    );
  }

  /** `PUT …/cryptokeys/{id}`: activates, deactivates, publishes or unpublishes a key. */
  async setCryptokeyState(
    zoneId: string,
    id: number,
    state: { active: boolean; published?: boolean },
    options: PowerDnsCallOptions = {},
  ): Promise<void> {
    await this.#call(
      {
        method: 'PUT',
        path: `${this.#zone(zoneId)}/cryptokeys/${id}`,
        body: { ...state },
        response: 'none',
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/cryptokeys/{id}`. */
  async deleteCryptokey(zoneId: string, id: number, options: PowerDnsCallOptions = {}): Promise<void> {
    await this.#call(
      {
        method: 'DELETE',
        path: `${this.#zone(zoneId)}/cryptokeys/${id}`,
        response: 'none',
        idempotent: true,
      },
      options,
    );
  }

  // ---- TSIG keys ------------------------------------------------------------------------------

  /** `GET /servers/{id}/tsigkeys` (secrets blanked). */
  listTsigKeys(options: PowerDnsCallOptions = {}): Promise<PowerDnsTsigKey[]> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/tsigkeys`,
        response: z.array(tsigKeySchema),
        idempotent: true,
      },
      options,
    );
  }

  /** `GET /servers/{id}/tsigkeys/{keyId}` (with the secret). */
  getTsigKey(keyId: string, options: PowerDnsCallOptions = {}): Promise<PowerDnsTsigKey> {
    return this.#call(
      {
        method: 'GET',
        path: `${this.#server()}/tsigkeys/${segment(keyId)}`,
        response: tsigKeySchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `POST /servers/{id}/tsigkeys`; a duplicate name is a 409. */
  createTsigKey(input: CreateTsigKeyInput, options: PowerDnsCallOptions = {}): Promise<PowerDnsTsigKey> {
    return this.#call(
      {
        method: 'POST',
        path: `${this.#server()}/tsigkeys`,
        body: { ...input },
        response: tsigKeySchema,
        idempotent: false,
      },
      options,
    );
  }

  /** `PUT /servers/{id}/tsigkeys/{keyId}`: renames, changes the algorithm or the secret. */
  updateTsigKey(
    keyId: string,
    input: Partial<CreateTsigKeyInput>,
    options: PowerDnsCallOptions = {},
  ): Promise<PowerDnsTsigKey> {
    return this.#call(
      {
        method: 'PUT',
        path: `${this.#server()}/tsigkeys/${segment(keyId)}`,
        body: { ...input },
        response: tsigKeySchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE /servers/{id}/tsigkeys/{keyId}`. */
  async deleteTsigKey(keyId: string, options: PowerDnsCallOptions = {}): Promise<void> {
    await this.#call(
      {
        method: 'DELETE',
        path: `${this.#server()}/tsigkeys/${segment(keyId)}`,
        response: 'none',
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Whether every change of a PATCH is in effect in the zone as stored now: a REPLACE's rrset holds
   * exactly its records and TTL, a DELETE's rrset is gone, an EXTEND's record is there, a PRUNE's
   * is not. Content is compared as written (the provider writes PowerDNS's own form); a change it
   * cannot judge (comments only) counts as not in effect, which only costs a resend.
   */
  async #applied(
    zoneId: string,
    changes: readonly RRsetChange[],
    signal: AbortSignal | undefined,
    storedForm: (type: string, content: string) => string = (_type, content) => content,
  ): Promise<boolean> {
    const zone = await this.getZone(zoneId, signal ? { signal } : {});
    const stored = new Map<string, { ttl: number; contents: Set<string> }>();
    for (const rrset of zone.rrsets ?? []) {
      stored.set(`${lowerCased(rrset.name)} ${upperCased(rrset.type)}`, {
        ttl: rrset.ttl,
        contents: new Set(rrset.records.filter((r) => !r.disabled).map((r) => r.content)),
      });
    }
    return changes.every((c) => {
      const found = stored.get(`${lowerCased(withTrailingDot(c.name))} ${upperCased(c.type)}`);
      const type = upperCased(c.type);
      const records = (c.records ?? []).filter((r) => !r.disabled).map((r) => storedForm(type, r.content));
      switch (c.changetype) {
        case 'DELETE':
          return found === undefined || found.contents.size === 0;
        case 'REPLACE':
          if (c.records === undefined) return false;
          if (records.length === 0) return found === undefined || found.contents.size === 0;
          return (
            found !== undefined &&
            (c.ttl === undefined || found.ttl === c.ttl) &&
            found.contents.size === new Set(records).size &&
            records.every((r) => found.contents.has(r))
          );
        case 'EXTEND':
          return found !== undefined && records.every((r) => found.contents.has(r));
        case 'PRUNE':
          return found === undefined || records.every((r) => !found.contents.has(r));
      }
    });
  }

  // ---- transport ------------------------------------------------------------------------------

  #server(): string {
    return `/servers/${segment(this.serverId)}`;
  }

  #zone(zoneId: string): string {
    return `${this.#server()}/zones/${segment(zoneId)}`;
  }

  async #call<T>(spec: RequestSpec<T>, options: PowerDnsCallOptions): Promise<T> {
    return (await this.#send(spec, options)).data;
  }

  /** Sends one logical call through the transport; writes queue behind other writes to the server. */
  #send<T>(spec: RequestSpec<T>, options: PowerDnsCallOptions): Promise<Answer<T>> {
    const run = async (): Promise<Answer<T>> => {
      const response = await this.#http.request(
        spec,
        options.timeoutMs === undefined ? options : { ...options, timeoutMs: wholeMs(options.timeoutMs) },
      );
      const data =
        spec.response === 'none'
          ? (undefined as T)
          : spec.response === 'text'
            ? (response.text as T)
            : this.#http.readJson(response, spec.response);
      return { data, headers: response.headers };
    };
    return spec.method === 'GET' ? run() : this.#writes.run(run);
  }
}

/**
 * A name as PowerDNS stores it: the provider's normaliser (lower case, punycode for IDN labels),
 * absolute. PowerDNS refuses raw non-ASCII names (422 "contains unsupported characters").
 */
function apiName(name: string): string {
  return withTrailingDot(normalizeDnsName(name));
}

/**
 * A per-call timeout in whole milliseconds (rounded up): one computed from a deadline is rarely
 * whole, and timers and messages take whole ms.
 */
function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * Added to the message of a PATCH that timed out: PowerDNS may still have run it (a read-back only
 * sees what was committed by then).
 */
const PATCH_OUTCOME =
  '; the outcome is unknown: the write may have been applied (the next plan shows whether it was)';

/**
 * Where a 404 points: `server` for the server itself or one of its collections
 * (`/servers/{id}`, `/servers/{id}/zones`, `…/config`, `…/tsigkeys`), where only the server id can
 * be missing (PowerDNS answers a plain `Not Found` either way); `below` for anything deeper (a zone,
 * a key), which may be missing itself or sit on an unknown server.
 */
function notFoundScope(path: string): 'server' | 'below' {
  const segments = (path.split('?')[0] ?? '').split('/').filter((s) => s !== '');
  return segments[0] === 'servers' && segments.length <= 3 ? 'server' : 'below';
}

/**
 * PowerDNS's error answers: `{"error": "…", "errors": […]}` (5.1+ adds `errors`), or plain text.
 * A 404 on the server's own paths names `serverId` (PowerDNS's one server is `localhost`).
 */
function powerDnsErrorReader(serverId: string) {
  return (answer: HttpAnswer, call: HttpCallInfo): HttpErrorReading => {
    const reading = readPowerDnsError(answer, call);
    if (answer.status !== 404) return reading;
    const unknownServer = `serverId ${JSON.stringify(serverId)} is not a server of this API; PowerDNS serves "localhost"`;
    if (notFoundScope(call.path) === 'server')
      return { ...reading, code: 'PROVIDER', retryable: false, hint: ` (${unknownServer})` };
    // below the server a 404 is most often the zone; on another server id it may be the id
    return serverId === 'localhost'
      ? reading
      : { ...reading, hint: ` (the zone or key does not exist, or ${unknownServer})` };
  };
}

function readPowerDnsError(answer: HttpAnswer, call: HttpCallInfo): HttpErrorReading {
  const { status, text } = answer;
  let serverMessage = text.trim();
  let serverErrors: string[] = [];
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      serverMessage = parsed.data.error;
      serverErrors = parsed.data.errors ?? [];
    }
  } catch {
    // plain-text error bodies (`Not Found`, `Bad Request`) are used as they are
  }
  const details = serverErrors.length ? ` (${serverErrors.join('; ')})` : '';
  return {
    serverMessage,
    detail: `${serverMessage || '(no message)'}${details}`,
    hint:
      status === 400 && call.hasBody
        ? ' (a body larger than webserver-max-bodysize is also answered with 400)'
        : status === 401
          ? ' (check the API key)'
          : '',
    retryable: status >= 500,
    details: serverErrors,
    ...(status === 404
      ? { code: 'UNKNOWN_ZONE' }
      : status === 409 || (status === 422 && /conflict/i.test(serverMessage))
        ? { code: 'RECORD_CONFLICT' } // a zone that exists; a CNAME beside other data
        : status === 422
          ? { code: 'RECORD_REJECTED' } // content PowerDNS refuses: core bisects to isolate it
          : status === 401 || status === 403
            ? {}
            : { code: 'PROVIDER' }),
  };
}

/**
 * Change lists the provider assembled from endpoints it has validated, one REPLACE or DELETE per
 * rrset: {@link checkRRsetChanges} would find nothing in them, and they can hold tens of thousands.
 */
const prechecked = new WeakSet<readonly RRsetChange[]>();

/** @internal Marks a change list built by `PowerDnsProvider` as checked already. */
export function markPrechecked(changes: readonly RRsetChange[]): readonly RRsetChange[] {
  prechecked.add(changes);
  return changes;
}

/** Client-side checks of a PATCH body, for what PowerDNS 4.x does not check or reports poorly. */
export function checkRRsetChanges(changes: readonly RRsetChange[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  changes.forEach((c, i) => {
    if (!(RRSET_CHANGETYPES as readonly string[]).includes(c.changetype)) {
      issues.push({
        path: [i, 'changetype'],
        code: 'invalid_changetype',
        message: `${JSON.stringify(c.changetype)} is not a changetype (${RRSET_CHANGETYPES.join(', ')})`,
      });
    }
    if (!c.name) issues.push({ path: [i, 'name'], code: 'missing_name', message: 'name is required' });
    if (!/^[A-Za-z0-9]+$/.test(c.type)) {
      issues.push({
        path: [i, 'type'],
        code: 'invalid_type',
        message: `${JSON.stringify(c.type)} is not a record type`,
      });
    }
    const key = `${lowerCased(c.name)}${c.name.endsWith('.') ? '' : '.'} ${upperCased(c.type)} ${c.changetype}`;
    if (seen.has(key) && c.changetype !== 'EXTEND' && c.changetype !== 'PRUNE') {
      issues.push({ path: [i], code: 'duplicate_rrset', message: `${key} appears twice` });
    }
    seen.add(key);
    if (c.changetype === 'REPLACE') {
      if (c.records === undefined && c.comments === undefined) {
        issues.push({ path: [i], code: 'empty_replace', message: 'REPLACE needs records or comments' });
      }
      if (c.records !== undefined) checkTtl(c.ttl, [i, 'ttl'], issues);
    }
    if ((c.changetype === 'EXTEND' || c.changetype === 'PRUNE') && c.records?.length !== 1) {
      issues.push({
        path: [i, 'records'],
        code: 'one_record',
        message: `${c.changetype} takes exactly one record`,
      });
    }
  });
  return issues;
}

function stringRecords(rrset: unknown): { content: unknown }[] | undefined {
  const r = rrset as { type?: unknown; changetype?: unknown; records?: unknown };
  if (
    typeof r.type !== 'string' ||
    !CHARACTER_STRING_TYPES.has(r.type) ||
    r.changetype === 'DELETE' ||
    !Array.isArray(r.records)
  )
    return undefined;
  return r.records as { content: unknown }[];
}

/** A backslash (an escape), or a character other than printable ASCII. */
const needsEscaping = /[^\x20-\x7e]|\\/;

/**
 * An rrset to write, of a type with quoted character strings (TXT, SPF, CAA, NAPTR, HINFO, URI),
 * whose content holds a backslash or a character other than printable ASCII.
 */
function hasEscapedStrings(rrset: unknown): boolean {
  return (
    stringRecords(rrset)?.some((r) => typeof r.content === 'string' && needsEscaping.test(r.content)) ?? false
  );
}

/**
 * The rrset as a server that unescapes content on write (5.1) must receive it: its quoted strings
 * in the portable form (printable ASCII; every other byte, `"` and `\` as `\DDD`, since 5.1
 * refuses raw non-ASCII and control characters and a string with an odd number of escaped quotes),
 * then every backslash doubled. 5.1 stores exactly the portable form, as 4.7 and 4.9 do when sent
 * it.
 */
function escapeOnceMore<T>(rrset: T): T {
  const type = (rrset as { type: string }).type;
  const records = stringRecords(rrset) ?? [];
  return {
    ...rrset,
    records: records.map((r) =>
      typeof r.content === 'string' ? { ...r, content: contentForUnescapingServer(type, r.content) } : r,
    ),
  };
}
