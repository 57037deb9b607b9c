/**
 * A fake of the two Azure DNS APIs (public `Microsoft.Network/dnsZones` at api-version
 * `2018-05-01`, private `Microsoft.Network/privateDnsZones` at `2024-06-01`) for tests of this
 * package and of code built on it. It answers in process ({@link FakeAzureDns.handle}), as the
 * custom `httpClient` of the Azure SDKs ({@link FakeAzureDns.httpClient}: the SDK's whole pipeline
 * runs against it with no socket), or on loopback ({@link startFakeAzureDns}).
 *
 * What it reproduces (research brief §F, §G.3):
 * - bearer tokens (`401 AuthenticationFailed`, wrapped error body), `api-version` per API;
 * - zones by subscription, resource group and name, in either API; the same name may exist in
 *   several resource groups and in both APIs;
 * - record sets keyed by zone, type and relative name (case-insensitive), each API's JSON casing
 *   (`TTL`/`ARecords`/`caaRecords` against `ttl`/`aRecords`), resource `type`
 *   `Microsoft.Network/dnszones/A` or `Microsoft.Network/privateDnsZones/A`, `fqdn`, `provisioningState`;
 * - a fresh GUID ETag on every write; `If-Match` (an ETag or `*`) and `If-None-Match: *` → 412
 *   `PreconditionFailed`;
 * - validation with the DNS resource provider's unwrapped `{code, message}` bodies: CNAME beside
 *   another type or at the apex → 409 `Conflict`; over 20 records → 400; TXT strings over 255
 *   characters or a set over 4,096 → 400; quoted host names → 400 "The domain name … is invalid.";
 *   TTL range; aliases (`targetResource`) without records, public zones only; apex SOA/NS undeletable;
 * - lists `/all` (public), `/ALL` (private), `/recordsets` and per type with `$top` (default 100),
 *   `$recordsetnamesuffix`, and absolute `nextLink` URLs with `$skipToken`;
 * - per-zone per-minute limits (public writes 200, gets 2,000, lists 60; private 60, 200, 100) →
 *   429 `TooManyRequests` (wrapped) with `Retry-After` (10 s for private zones);
 * - faults: error answers (before or after the write was carried out), 429 storms, dropped
 *   connections, late answers.
 * @module testing
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AZURE_API_VERSIONS, AZURE_RECORD_TYPES, AZURE_WIRE_NAMES, type AzureZoneKind } from './schemas.js';

/** Per-zone, per-minute limits of the fake (defaults: Azure's documented ones). */
export interface FakeAzureLimits {
  /** Record-set `PUT`s and `DELETE`s per minute. */
  write: number;
  /** Record-set gets by name per minute. */
  get: number;
  /** Record-set list pages per minute. */
  list: number;
}

/** Azure's documented per-zone, per-minute limits of each API, the fake's defaults. */
export const FAKE_AZURE_LIMITS: Readonly<Record<AzureZoneKind, FakeAzureLimits>> = {
  public: { write: 200, get: 2000, list: 60 },
  private: { write: 60, get: 200, list: 100 },
};

/** Options of {@link FakeAzureDns} and {@link startFakeAzureDns}; every one is optional. */
export interface FakeAzureDnsOptions {
  /** Subscriptions served (default `['00000000-0000-0000-0000-000000000001']`). */
  subscriptions?: readonly string[];
  /** Accepted bearer tokens (default `['fake-azure-token']`). */
  tokens?: readonly string[];
  /** Per-zone limits; `false` turns throttling off (default: Azure's). */
  limits?: { public?: Partial<FakeAzureLimits>; private?: Partial<FakeAzureLimits> } | false;
  /** Most characters of TXT per record set (default 4,096; 1,024 in national clouds). */
  maxTxtPerSet?: number;
  /** Window of the per-zone limits in ms (default 60 000; benchmarks shorten it). */
  windowMs?: number;
}

/** A zone to create with {@link FakeAzureDns.addZone}. */
export interface FakeZoneInit {
  /** `public` (`dnsZones`, default) or `private` (`privateDnsZones`). */
  kind?: AzureZoneKind;
  /** The resource group (default `rg`). */
  resourceGroup?: string;
  /** The zone's DNS name, without trailing dot (stored lower case). */
  name: string;
  /** The subscription (default: the fake's first). */
  subscription?: string;
}

/** A record set as the fake stores it: properties in the zone's API casing. */
export interface FakeRecordSet {
  /** Relative to the zone, `@` at the apex, as written. */
  name: string;
  /** Record type, upper case (`A`, `TXT`, …). */
  type: string;
  /** The current ETag: a fresh GUID on every write. */
  etag: string;
  /** `TTL`/`ttl`, `metadata`, the record arrays and `targetResource`, in the API's casing. */
  properties: Record<string, unknown>;
}

/** One request the fake received. */
export interface FakeAzureRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** The query (`api-version`, `$top`, `$skiptoken`, …). */
  query: URLSearchParams;
  /** Request headers, names lower case, without `authorization`. */
  headers: Record<string, string>;
  /** HTTP status of the fake's answer (0: no answer, the connection was dropped). */
  status: number;
}

/** A request as {@link FakeAzureDns.handle} takes it. */
export interface FakeHttpRequest {
  /** HTTP method. */
  method: string;
  /** Absolute URL or path with query. */
  url: string;
  /** Request headers (any case). */
  headers: Record<string, string>;
  /** The JSON body of a `PUT`. */
  body?: string | undefined;
}

/** An answer of {@link FakeAzureDns.handle}. */
export interface FakeHttpResponse {
  /** HTTP status (0 with `dropped`: no answer). */
  status: number;
  /** Response headers (`content-type`, `etag`, `retry-after`, `x-ms-request-id`, …). */
  headers: Record<string, string>;
  /** The JSON body (empty when there is none). */
  body: string;
}

interface Zone {
  kind: AzureZoneKind;
  subscription: string;
  resourceGroup: string;
  name: string;
  etag: string;
  sets: Map<string, FakeRecordSet>;
}

interface Fault {
  kind: 'error' | 'throttle' | 'drop' | 'delay';
  remaining: number;
  /** `write`: only PUT/PATCH/DELETE. */
  method?: string | undefined;
  status?: number;
  code?: string;
  afterExecuting?: boolean;
  retryAfterS?: number;
  delayMs?: number;
  echoCredential?: boolean;
}

const DEFAULT_SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
/** Node's error code of a connection reset (not an SDK error code). */
const RESET = 'ECONNRESET';
const SEGMENT: Record<string, AzureZoneKind> = { dnszones: 'public', privatednszones: 'private' };
const RESOURCE_TYPE: Record<AzureZoneKind, string> = {
  public: 'Microsoft.Network/dnszones',
  private: 'Microsoft.Network/privateDnsZones',
};
const HOST_FIELDS: Record<string, string[]> = {
  CNAME: ['cname'],
  MX: ['exchange'],
  NS: ['nsdname'],
  PTR: ['ptrdname'],
  SRV: ['target'],
};

class Answer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`fake answer ${status}`);
  }
}

/** The DNS resource provider's own error body: unwrapped `{code, message}`. */
const dnsError = (status: number, code: string, message: string) => new Answer(status, { code, message });
/** ARM's error body: wrapped `{error: {code, message}}`. */
const armError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new Answer(status, { error: { code, message } }, headers);

/**
 * A stub `TokenCredential` for tests: returns `token` (default `fake-azure-token`) valid for an hour,
 * and counts its calls.
 */
export function fakeCredential(token = 'fake-azure-token'): {
  getToken(): Promise<{ token: string; expiresOnTimestamp: number }>;
  calls: number;
} {
  const credential = {
    calls: 0,
    getToken() {
      credential.calls++;
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
  return credential;
}

/** Response headers as the Azure SDK pipeline reads them (`@azure/core-rest-pipeline`'s `HttpHeaders`). */
class SdkHeaders {
  readonly #map = new Map<string, string>();
  constructor(init: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(init)) this.#map.set(k.toLowerCase(), v);
  }
  get(name: string): string | undefined {
    return this.#map.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean): void {
    this.#map.set(name.toLowerCase(), String(value));
  }
  delete(name: string): void {
    this.#map.delete(name.toLowerCase());
  }
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#map);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#map.entries();
  }
}

/** What the Azure SDKs pass to a custom `httpClient` (the parts the fake reads). */
export interface SdkPipelineRequest {
  /** Absolute URL of the request. */
  url: string;
  /** HTTP method. */
  method: string;
  /** The SDK's `HttpHeaders`; the fake reads them through `toJSON()`. */
  headers: { toJSON(options?: unknown): Record<string, string> };
  /** The body (a JSON string for `PUT`s). */
  body?: unknown;
}

/**
 * The fake's state and behaviour; {@link handle} answers one request. Tests arrange state with
 * {@link addZone} and {@link seed}, and inspect it with {@link recordSets} and {@link requests}.
 */
export class FakeAzureDns {
  /** Subscriptions served (requests to others get 404 `SubscriptionNotFound`). */
  readonly subscriptions: readonly string[];
  /** Every request received, in order. */
  readonly requests: FakeAzureRequest[] = [];
  readonly #tokens: Set<string>;
  readonly #limits: Record<AzureZoneKind, FakeAzureLimits> | undefined;
  readonly #maxTxtPerSet: number;
  readonly #windowMs: number;
  readonly #zones: Zone[] = [];
  /** Times of recent requests per zone and budget, for the per-minute limits. */
  readonly #windows = new Map<string, number[]>();
  #faults: Fault[] = [];

  constructor(options: FakeAzureDnsOptions = {}) {
    this.subscriptions = options.subscriptions ?? [DEFAULT_SUBSCRIPTION];
    this.#tokens = new Set(options.tokens ?? ['fake-azure-token']);
    this.#limits =
      options.limits === false
        ? undefined
        : {
            public: { ...FAKE_AZURE_LIMITS.public, ...options.limits?.public },
            private: { ...FAKE_AZURE_LIMITS.private, ...options.limits?.private },
          };
    this.#maxTxtPerSet = options.maxTxtPerSet ?? 4096;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /** Adds an empty zone (with Azure's apex SOA, and NS in public zones). */
  addZone(init: FakeZoneInit): void {
    const zone: Zone = {
      kind: init.kind ?? 'public',
      subscription: init.subscription ?? (this.subscriptions[0] as string),
      resourceGroup: init.resourceGroup ?? 'rg',
      name: init.name.toLowerCase(),
      etag: randomUUID(),
      sets: new Map(),
    };
    if (this.#findZone(zone.kind, zone.subscription, zone.resourceGroup, zone.name))
      throw new Error(`fake: zone ${zone.resourceGroup}/${zone.name} exists`);
    const names = AZURE_WIRE_NAMES[zone.kind];
    const soa = {
      host: zone.kind === 'public' ? 'ns1-01.azure-dns.com.' : 'azureprivatedns.net',
      email: 'azuredns-hostmaster.microsoft.com',
      serialNumber: 1,
      refreshTime: 3600,
      retryTime: 300,
      expireTime: 2419200,
      minimumTTL: 300,
    };
    zone.sets.set('SOA/@', {
      name: '@',
      type: 'SOA',
      etag: randomUUID(),
      properties: { [names.ttl]: 3600, [names.records.SOA as string]: soa },
    });
    if (zone.kind === 'public')
      zone.sets.set('NS/@', {
        name: '@',
        type: 'NS',
        etag: randomUUID(),
        properties: {
          TTL: 172800,
          NSRecords: [{ nsdname: 'ns1-01.azure-dns.com.' }, { nsdname: 'ns2-01.azure-dns.net.' }],
        },
      });
    this.#zones.push(zone);
  }

  /** Stores a record set as another tool would (no ETag or validation checks), in the zone's casing. */
  seed(zone: FakeZoneInit, type: string, name: string, properties: Record<string, unknown>): FakeRecordSet {
    const z = this.#zoneOf(zone);
    const rs = { name, type: type.toUpperCase(), etag: randomUUID(), properties };
    z.sets.set(`${rs.type}/${name.toLowerCase()}`, rs);
    return rs;
  }

  /** The record sets of a zone, SOA and NS included, sorted by name and type. */
  recordSets(zone: FakeZoneInit): FakeRecordSet[] {
    return sortSets([...this.#zoneOf(zone).sets.values()]).map((rs) => structuredClone(rs));
  }

  /** One record set, or undefined. */
  recordSet(zone: FakeZoneInit, type: string, name: string): FakeRecordSet | undefined {
    const rs = this.#zoneOf(zone).sets.get(`${type.toUpperCase()}/${name.toLowerCase()}`);
    return rs && structuredClone(rs);
  }

  /** Changes a record set's ETag behind the client's back (as another writer would). */
  touch(zone: FakeZoneInit, type: string, name: string, properties?: Record<string, unknown>): void {
    const rs = this.#zoneOf(zone).sets.get(`${type.toUpperCase()}/${name.toLowerCase()}`);
    if (!rs) throw new Error(`fake: no record set ${type} ${name}`);
    rs.etag = randomUUID();
    if (properties) rs.properties = properties;
  }

  // ---- faults ---------------------------------------------------------------------------------

  /**
   * The next `count` matching requests (`method` `write` = PUT, PATCH or DELETE) are answered
   * `status` (default 500 `InternalServerError`). With `afterExecuting` the request is carried out
   * first and only its answer is lost.
   */
  failNext(
    count: number,
    options: {
      status?: number;
      code?: string;
      afterExecuting?: boolean;
      method?: string;
      /** The answer repeats the request's `Authorization` header in its message and `x-ms-request-id`, as a careless proxy might. */
      echoCredential?: boolean;
    } = {},
  ): void {
    this.#faults.push({
      kind: 'error',
      remaining: count,
      method: options.method,
      status: options.status ?? 500,
      code: options.code ?? 'InternalServerError',
      afterExecuting: options.afterExecuting ?? false,
      echoCredential: options.echoCredential ?? false,
    });
  }

  /** The next `count` requests are answered 429 `TooManyRequests` with `Retry-After` (default 0 s). */
  throttleNext(count: number, retryAfterS = 0): void {
    this.#faults.push({ kind: 'throttle', remaining: count, retryAfterS });
  }

  /** The next `count` matching requests have their connection closed without an answer (loopback only). */
  dropNext(count: number, options: { method?: string; afterExecuting?: boolean } = {}): void {
    this.#faults.push({
      kind: 'drop',
      remaining: count,
      method: options.method,
      afterExecuting: options.afterExecuting ?? false,
    });
  }

  /** The next `count` matching requests are answered only after `delayMs` (they are not carried out). */
  delayNext(count: number, delayMs: number, options: { method?: string } = {}): void {
    this.#faults.push({ kind: 'delay', remaining: count, method: options.method, delayMs });
  }

  /** Drops the faults and delays not used yet. */
  clearFaults(): void {
    this.#faults = [];
  }

  // ---- entry points ---------------------------------------------------------------------------

  /**
   * Answers one request in process. `dropped` is set when a `dropNext` fault applies: the caller
   * (the loopback server) closes the connection instead of answering.
   */
  async handle(request: FakeHttpRequest): Promise<FakeHttpResponse & { dropped?: boolean }> {
    const url = new URL(request.url, 'https://management.azure.com');
    const method = request.method.toUpperCase();
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const fault = this.#takeFault(method);
    let answer: { status: number; body: unknown; headers: Record<string, string> };
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'throttle') {
      answer = {
        status: 429,
        body: { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } },
        headers: { 'retry-after': String(fault.retryAfterS ?? 0) },
      };
    } else if (fault?.kind === 'error' && !fault.afterExecuting) {
      const auth = headers['authorization'] ?? '';
      answer = {
        status: fault.status ?? 500,
        body: {
          error: {
            code: fault.code,
            message: fault.echoCredential ? `injected fault (Authorization: ${auth})` : 'injected fault',
          },
        },
        headers: fault.echoCredential ? { 'x-ms-request-id': auth.replace(/^Bearer /, '') } : {},
      };
    } else if (fault?.kind === 'delay') {
      answer = { status: 504, body: { error: { code: 'GatewayTimeout', message: 'late' } }, headers: {} };
    } else if (fault?.kind === 'drop' && !fault.afterExecuting) {
      this.#log(method, url, headers, 0);
      return { status: 0, headers: {}, body: '', dropped: true };
    } else {
      answer = this.#route(method, url, headers, request.body);
      if (fault?.kind === 'drop') {
        this.#log(method, url, headers, 0);
        return { status: 0, headers: {}, body: '', dropped: true };
      }
      if (fault?.kind === 'error')
        answer = {
          status: fault.status ?? 500,
          body: { error: { code: fault.code, message: 'injected fault' } },
          headers: {},
        };
    }
    this.#log(method, url, headers, answer.status);
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return {
      status: answer.status,
      headers: {
        ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        'x-ms-request-id': randomUUID(),
        ...answer.headers,
      },
      body,
    };
  }

  /**
   * A custom `httpClient` for `@azure/arm-dns` and `@azure/arm-privatedns`
   * (`new DnsManagementClient(credential, subscriptionId, { httpClient: fake.httpClient() })`):
   * the SDK's pipeline (bearer policy, retries, paging, deserialisation) runs against the fake with
   * the real `https://management.azure.com` URLs and no socket.
   */
  httpClient(): { sendRequest(request: SdkPipelineRequest): Promise<unknown> } {
    return {
      sendRequest: async (request) => {
        const answer = await this.handle({
          method: request.method,
          url: request.url,
          headers: request.headers.toJSON(),
          body: typeof request.body === 'string' ? request.body : undefined,
        });
        // a connection reset, as Node reports it (the SDK's retry policy retries these)
        if (answer.dropped) throw Object.assign(new Error('socket hang up'), { code: RESET });
        return {
          request,
          status: answer.status,
          headers: new SdkHeaders(answer.headers),
          bodyAsText: answer.body,
        };
      },
    };
  }

  // ---- routing --------------------------------------------------------------------------------

  #route(method: string, url: URL, headers: Record<string, string>, body: string | undefined) {
    try {
      return this.#dispatch(method, url, headers, body);
    } catch (error) {
      if (error instanceof Answer) return { status: error.status, body: error.body, headers: error.headers };
      throw error;
    }
  }

  #dispatch(method: string, url: URL, headers: Record<string, string>, body: string | undefined) {
    const auth = headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token)
      throw armError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    if (!this.#tokens.has(token))
      throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Network/{segment}[/{zone}[/{type}[/{name}]]]
    if (parts[0]?.toLowerCase() !== 'subscriptions' || parts.length < 5)
      throw armError(404, 'InvalidResourceType', `no route for ${url.pathname}`);
    const subscription = parts[1] as string;
    if (!this.subscriptions.includes(subscription))
      throw armError(404, 'SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
    let i = 2;
    let resourceGroup: string | undefined;
    if (parts[i]?.toLowerCase() === 'resourcegroups') {
      resourceGroup = parts[i + 1];
      i += 2;
    }
    if (parts[i]?.toLowerCase() !== 'providers' || parts[i + 1]?.toLowerCase() !== 'microsoft.network')
      throw armError(404, 'InvalidResourceType', `no route for ${url.pathname}`);
    const kind = SEGMENT[(parts[i + 2] ?? '').toLowerCase()];
    if (!kind) throw armError(404, 'InvalidResourceType', `no route for ${url.pathname}`);
    const version = url.searchParams.get('api-version');
    if (!version)
      throw armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    if (version !== AZURE_API_VERSIONS[kind])
      throw armError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${version}' is invalid for this fake (${AZURE_API_VERSIONS[kind]}).`,
      );
    const rest = parts.slice(i + 3);
    if (rest.length === 0) {
      if (method !== 'GET') throw armError(405, 'MethodNotAllowed', `${method} not allowed`);
      return this.#listZones(kind, subscription, resourceGroup, url);
    }
    if (!resourceGroup) throw armError(404, 'InvalidResourceType', `no route for ${url.pathname}`);
    const zoneName = (rest[0] as string).toLowerCase();
    const zone = this.#findZone(kind, subscription, resourceGroup, zoneName);
    if (rest.length === 1) {
      if (!zone)
        throw armError(
          404,
          'ResourceNotFound',
          `The Resource '${RESOURCE_TYPE[kind]}/${zoneName}' under resource group '${resourceGroup}' was not found.`,
        );
      if (method !== 'GET') throw armError(405, 'MethodNotAllowed', `${method} not allowed`);
      return { status: 200, body: this.#zoneWire(zone), headers: {} };
    }
    if (!zone)
      throw armError(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${zoneName}' not found.`,
      );
    const typeSegment = rest[1] as string;
    if (rest.length === 2) {
      if (method !== 'GET') throw armError(405, 'MethodNotAllowed', `${method} not allowed`);
      this.#charge(zone, 'list');
      const lower = typeSegment.toLowerCase();
      const type = lower === 'all' || lower === 'recordsets' ? undefined : typeSegment.toUpperCase();
      if (type && !AZURE_RECORD_TYPES[kind].includes(type))
        throw armError(400, 'BadRequest', `The record type '${typeSegment}' is not supported.`);
      return this.#listSets(zone, url, type);
    }
    if (rest.length !== 3) throw armError(404, 'InvalidResourceType', `no route for ${url.pathname}`);
    const type = typeSegment.toUpperCase();
    if (!AZURE_RECORD_TYPES[kind].includes(type))
      throw armError(400, 'BadRequest', `The record type '${typeSegment}' is not supported.`);
    const name = rest[2] as string;
    switch (method) {
      case 'GET':
        this.#charge(zone, 'get');
        return this.#getSet(zone, type, name);
      case 'PUT':
        this.#charge(zone, 'write');
        return this.#putSet(zone, { type, name }, headers, body);
      case 'DELETE':
        this.#charge(zone, 'write');
        return this.#deleteSet(zone, type, name, headers);
      default:
        throw armError(405, 'MethodNotAllowed', `${method} not allowed`);
    }
  }

  #listZones(kind: AzureZoneKind, subscription: string, resourceGroup: string | undefined, url: URL) {
    const zones = this.#zones
      .filter((z) => z.kind === kind && z.subscription === subscription)
      .filter(
        (z) => resourceGroup === undefined || z.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
      )
      .sort((a, b) => a.name.localeCompare(b.name) || a.resourceGroup.localeCompare(b.resourceGroup));
    return this.#page(
      zones.map((z) => this.#zoneWire(z)),
      url,
    );
  }

  #listSets(zone: Zone, url: URL, type: string | undefined) {
    const suffix = url.searchParams.get('$recordsetnamesuffix')?.toLowerCase();
    const sets = sortSets([...zone.sets.values()])
      .filter((rs) => type === undefined || rs.type === type)
      .filter((rs) => !suffix || rs.name.toLowerCase().endsWith(suffix))
      .map((rs) => this.#setWire(zone, rs));
    return this.#page(sets, url);
  }

  /** One page of `items` for `$top` and `$skipToken`, with an absolute `nextLink` when more follow. */
  #page(items: unknown[], url: URL) {
    const top = Number(url.searchParams.get('$top') ?? 100);
    if (!Number.isInteger(top) || top < 1)
      throw armError(400, 'BadRequest', `invalid $top ${url.searchParams.get('$top')}`);
    const skipToken = url.searchParams.get('$skipToken');
    const start = skipToken ? Number(Buffer.from(skipToken, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw armError(400, 'BadRequest', 'invalid $skipToken');
    const value = items.slice(start, start + top);
    const body: { value: unknown[]; nextLink?: string } = { value };
    if (start + top < items.length) {
      const next = new URL(url);
      next.searchParams.set('$skipToken', Buffer.from(String(start + top)).toString('base64url'));
      body.nextLink = next.toString();
    }
    return { status: 200, body, headers: {} };
  }

  #getSet(zone: Zone, type: string, name: string) {
    const rs = zone.sets.get(`${type}/${name.toLowerCase()}`);
    if (!rs)
      throw dnsError(
        404,
        'NotFound',
        `The resource record '${name}' does not exist in resource group '${zone.resourceGroup}' of subscription '${zone.subscription}'.`,
      );
    return { status: 200, body: this.#setWire(zone, rs), headers: { etag: rs.etag } };
  }

  #putSet(
    zone: Zone,
    at: { type: string; name: string },
    headers: Record<string, string>,
    body: string | undefined,
  ) {
    const { type, name } = at;
    const key = `${type}/${name.toLowerCase()}`;
    const existing = zone.sets.get(key);
    checkConditions(existing, headers);
    let parsed: { properties?: Record<string, unknown> };
    try {
      parsed = JSON.parse(body ?? '') as { properties?: Record<string, unknown> };
    } catch {
      throw dnsError(400, 'BadRequest', 'The request content is not valid JSON.');
    }
    const properties = this.#validate(zone, type, name, parsed?.properties ?? {});
    this.#checkCname(zone, type, name);
    const rs: FakeRecordSet = { name: existing?.name ?? name, type, etag: randomUUID(), properties };
    zone.sets.set(key, rs);
    return { status: existing ? 200 : 201, body: this.#setWire(zone, rs), headers: { etag: rs.etag } };
  }

  #deleteSet(zone: Zone, type: string, name: string, headers: Record<string, string>) {
    const key = `${type}/${name.toLowerCase()}`;
    const existing = zone.sets.get(key);
    checkConditions(existing, headers);
    if (name === '@' && (type === 'SOA' || type === 'NS'))
      throw dnsError(400, 'BadRequest', `The record set '@' of type '${type}' cannot be deleted.`);
    if (!existing) return { status: 204, body: undefined, headers: {} };
    zone.sets.delete(key);
    return { status: 200, body: undefined, headers: {} };
  }

  /** Checks a PUT body in the zone's API casing; returns the properties to store. */
  #validate(zone: Zone, type: string, name: string, props: Record<string, unknown>): Record<string, unknown> {
    const names = AZURE_WIRE_NAMES[zone.kind];
    const other = AZURE_WIRE_NAMES[zone.kind === 'public' ? 'private' : 'public'];
    // the other API's casing is not this API's property: refuse it rather than ignore it silently
    for (const key of Object.keys(props)) {
      const known =
        key === names.ttl ||
        key === 'metadata' ||
        key === 'targetResource' ||
        Object.values(names.records).includes(key);
      const foreign = key === other.ttl || Object.values(other.records).includes(key);
      if (!known && foreign && !['fqdn', 'provisioningState', 'isAutoRegistered'].includes(key))
        throw dnsError(
          400,
          'BadRequest',
          `The property '${key}' is not valid for ${RESOURCE_TYPE[zone.kind]} record sets.`,
        );
    }
    const ttl = props[names.ttl];
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 2_147_483_647)
      throw dnsError(400, 'BadRequest', `The value of ${names.ttl} must be between 1 and 2147483647.`);
    const out: Record<string, unknown> = { [names.ttl]: ttl };
    if (props.metadata !== undefined && props.metadata !== null) {
      const metadata = props.metadata as Record<string, unknown>;
      if (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string'))
        throw dnsError(400, 'BadRequest', 'metadata must map strings to strings.');
      out.metadata = metadata;
    }
    const field = names.records[type as keyof typeof names.records] as string;
    for (const [t, wire] of Object.entries(names.records))
      if (t !== type && props[wire] !== undefined && props[wire] !== null)
        throw dnsError(400, 'BadRequest', `The record set of type '${type}' cannot contain ${wire}.`);
    const target = (props.targetResource as { id?: string } | undefined)?.id;
    const value = props[field];
    if (target) {
      if (zone.kind === 'private' || !['A', 'AAAA', 'CNAME'].includes(type))
        throw dnsError(400, 'BadRequest', `Alias record sets are not supported for ${type} records here.`);
      if (value !== undefined && value !== null && (!Array.isArray(value) || value.length > 0))
        throw dnsError(400, 'BadRequest', 'An alias record set cannot have records.');
      out.targetResource = { id: target };
      return out;
    }
    const records = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    if (records.length > 20)
      throw dnsError(
        400,
        'BadRequest',
        `The number of records in the record set (${records.length}) exceeds the maximum of 20.`,
      );
    if (type === 'CNAME' && name === '@')
      throw dnsError(
        409,
        'Conflict',
        'The CNAME record could not be created because another record with the same name already exists in this zone.',
      );
    for (const r of records as Record<string, unknown>[]) {
      for (const f of HOST_FIELDS[type] ?? []) {
        const host = r[f];
        if (typeof host !== 'string' || host === '' || /["\s]/.test(host))
          throw dnsError(400, 'BadRequest', `The domain name '${String(host)}' is invalid.`);
      }
      if (type === 'A' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(String(r.ipv4Address)))
        throw dnsError(400, 'BadRequest', `The IPv4 address '${String(r.ipv4Address)}' is invalid.`);
      if (type === 'AAAA' && !String(r.ipv6Address).includes(':'))
        throw dnsError(400, 'BadRequest', `The IPv6 address '${String(r.ipv6Address)}' is invalid.`);
    }
    if (type === 'TXT') {
      let total = 0;
      for (const r of records as { value?: unknown }[]) {
        if (!Array.isArray(r.value) || r.value.some((v) => typeof v !== 'string'))
          throw dnsError(400, 'BadRequest', 'A TXT record needs a value array of strings.');
        for (const v of r.value as string[]) {
          if (v.length > 255)
            throw dnsError(
              400,
              'BadRequest',
              `The TXT record value is too long: each string is limited to 255 characters (got ${v.length}).`,
            );
          total += v.length;
        }
      }
      if (total > this.#maxTxtPerSet)
        throw dnsError(
          400,
          'BadRequest',
          `The TXT record set is too long: ${total} characters (limit ${this.#maxTxtPerSet}).`,
        );
    }
    if (value !== undefined && value !== null) out[field] = value;
    return out;
  }

  /** A CNAME cannot share its name with another type. */
  #checkCname(zone: Zone, type: string, name: string): void {
    const lower = name.toLowerCase();
    const others = [...zone.sets.values()].filter(
      (rs) => rs.name.toLowerCase() === lower && rs.type !== type,
    );
    if (type === 'CNAME' ? others.length > 0 : others.some((rs) => rs.type === 'CNAME'))
      throw dnsError(
        409,
        'Conflict',
        'The CNAME record could not be created because another record with the same name already exists in this zone.',
      );
  }

  #setWire(zone: Zone, rs: FakeRecordSet) {
    const fqdn = rs.name === '@' ? `${zone.name}.` : `${rs.name}.${zone.name}.`;
    return {
      id: `/subscriptions/${zone.subscription}/resourceGroups/${zone.resourceGroup}/providers/${RESOURCE_TYPE[zone.kind]}/${zone.name}/${rs.type}/${rs.name}`,
      name: rs.name,
      type: `${RESOURCE_TYPE[zone.kind]}/${rs.type}`,
      etag: rs.etag,
      properties: {
        ...rs.properties,
        fqdn,
        provisioningState: 'Succeeded',
        ...(zone.kind === 'private' ? { isAutoRegistered: false } : {}),
      },
    };
  }

  #zoneWire(zone: Zone) {
    return {
      id: `/subscriptions/${zone.subscription}/resourceGroups/${zone.resourceGroup}/providers/${RESOURCE_TYPE[zone.kind]}/${zone.name}`,
      name: zone.name,
      type: RESOURCE_TYPE[zone.kind],
      location: 'global',
      etag: zone.etag,
      tags: {},
      properties: {
        numberOfRecordSets: zone.sets.size,
        maxNumberOfRecordSets: zone.kind === 'public' ? 10000 : 25000,
        ...(zone.kind === 'public'
          ? {
              maxNumberOfRecordsPerRecordSet: 20,
              nameServers: ['ns1-01.azure-dns.com.', 'ns2-01.azure-dns.net.'],
              zoneType: 'Public',
            }
          : { maxNumberOfRecordsPerRecordSet: 20 }),
      },
    };
  }

  /** Counts a request against the zone's per-minute budget; a full budget is a 429 with `Retry-After`. */
  #charge(zone: Zone, budget: keyof FakeAzureLimits): void {
    if (!this.#limits) return;
    const key = `${zone.kind}/${zone.subscription}/${zone.resourceGroup}/${zone.name}#${budget}`;
    const now = Date.now();
    const times = (this.#windows.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    const limit = this.#limits[zone.kind][budget];
    if (times.length >= limit) {
      this.#windows.set(key, times);
      const retryAfter =
        zone.kind === 'private'
          ? Math.ceil((10 * this.#windowMs) / 60_000)
          : Math.max(1, Math.ceil(((times[0] as number) + this.#windowMs - now) / 1000));
      throw armError(
        429,
        'TooManyRequests',
        `The request is being throttled: ${limit} ${budget} operations per minute on zone ${zone.name}.`,
        {
          'retry-after': String(retryAfter),
        },
      );
    }
    times.push(now);
    this.#windows.set(key, times);
  }

  #takeFault(method: string): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || (f.method === 'write' ? method !== 'GET' : f.method === method)),
    );
    if (fault) fault.remaining--;
    return fault;
  }

  #log(method: string, url: URL, headers: Record<string, string>, status: number): void {
    const shown = { ...headers };
    delete shown.authorization;
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers: shown, status });
  }

  #findZone(
    kind: AzureZoneKind,
    subscription: string,
    resourceGroup: string,
    name: string,
  ): Zone | undefined {
    return this.#zones.find(
      (z) =>
        z.kind === kind &&
        z.subscription === subscription &&
        z.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() &&
        z.name === name.toLowerCase(),
    );
  }

  #zoneOf(init: FakeZoneInit): Zone {
    const zone = this.#findZone(
      init.kind ?? 'public',
      init.subscription ?? (this.subscriptions[0] as string),
      init.resourceGroup ?? 'rg',
      init.name,
    );
    if (!zone) throw new Error(`fake: no zone ${init.resourceGroup ?? 'rg'}/${init.name}`);
    return zone;
  }
}

function checkConditions(existing: FakeRecordSet | undefined, headers: Record<string, string>): void {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  if (ifMatch !== undefined && (!existing || (ifMatch !== '*' && ifMatch !== existing.etag)))
    throw dnsError(
      412,
      'PreconditionFailed',
      'The condition specified using HTTP conditional header(s) is not met.',
    );
  if (ifNoneMatch === '*' && existing)
    throw dnsError(
      412,
      'PreconditionFailed',
      'The condition specified using HTTP conditional header(s) is not met.',
    );
}

function sortSets(sets: FakeRecordSet[]): FakeRecordSet[] {
  return sets.sort((a, b) => {
    const an = a.name.toLowerCase();
    const bn = b.name.toLowerCase();
    return an < bn ? -1 : an > bn ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
  });
}

/** A {@link FakeAzureDns} served on loopback: `url` is the ARM endpoint to give the client. */
export interface LoopbackFakeAzureDns extends FakeAzureDns {
  /** The ARM endpoint to give the client: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server, closing open connections. */
  close(): Promise<void>;
}

/** Starts a {@link FakeAzureDns} on `127.0.0.1` (a free port); `close()` stops it. */
export async function startFakeAzureDns(options: FakeAzureDnsOptions = {}): Promise<LoopbackFakeAzureDns> {
  const fake = new FakeAzureDns(options);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      fake
        .handle({
          method: req.method ?? 'GET',
          url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        .then(
          (answer) => {
            if (answer.dropped) {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
