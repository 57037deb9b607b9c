/**
 * A fake of the Hetzner Cloud DNS API (zones, RRSets, actions) on loopback, for tests of this
 * package and of code built on it. It reproduces the documented behaviour (research brief §C.3,
 * §D.4):
 *
 * - Bearer project tokens, read-only tokens answered `403 token_readonly` on writes, unknown ones
 *   `401 unauthorized`;
 * - zones by numeric id or name, `primary` and `secondary` modes (any RRSet operation on a secondary
 *   zone, reads included: `422 incorrect_zone_mode`), zone file export;
 * - RRSets keyed `name/type`; the name rules (lower case, no trailing dot, not ending in the zone
 *   name, `@` at the apex, ASCII only), records non-empty and distinct, values returned in shuffled
 *   order, `uniqueness_error` on a duplicate create, `protected` while `protection.change` is set;
 * - every write returns a `running` action that turns `success` (or `error`) after some polls of
 *   `GET /actions?id=…` (or, for an action nobody polls, after some later requests); reads show the
 *   change only then; a second write to a record set with a running action is `423 locked`;
 * - pagination with `meta.pagination` and a `Link` header, `per_page` default 25, max 50 (a
 *   larger `per_page` gets 50, as documented);
 * - a token bucket per token (3,600, one back per second) with `RateLimit-Limit`, `-Remaining` and
 *   `-Reset` on every answer, and `429 rate_limit_exceeded` (no `Retry-After`) when it is empty;
 * - faults: error answers (before or after the write was carried out), 429 storms, dropped
 *   connections, late answers, failing actions.
 *
 * HTTP statuses of error codes the brief does not give are the usual ones (`locked` and `protected`
 * 423, `uniqueness_error` and `conflict` 409, `invalid_input` 400); tests should rely on codes.
 *
 * @module testing
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo, type Socket } from 'node:net';
import { parseTxtStrings } from '@openova/dns-core/provider';

/** Record types the Cloud API stores (SOA is Hetzner's own). */
export const HETZNER_RECORD_TYPES: readonly string[] = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HINFO',
  'HTTPS',
  'MX',
  'NS',
  'PTR',
  'RP',
  'SOA',
  'SRV',
  'SVCB',
  'TLSA',
  'TXT',
];

/** Options of {@link startFakeHetzner}. */
export interface FakeHetznerOptions {
  /** Read & Write tokens (default `['test-token']`). */
  tokens?: readonly string[];
  /** Read-only tokens (default `['read-only-token']`). */
  readOnlyTokens?: readonly string[];
  /** Token bucket per token: size and refill per second (default 3,600 and 1). */
  rateLimit?: { limit: number; refillPerSecond: number };
  /** Polls of an action before it finishes (default 1: the first poll sees it finished). */
  actionPolls?: number;
  /** Later requests (of any kind) after which an action nobody polls finishes (default 10). */
  actionSettleRequests?: number;
  /**
   * Largest `per_page` honoured (default 50, Hetzner's documented maximum: the API reference's
   * Pagination section says "the maximum value is 50 except otherwise specified", and neither
   * `list_zones` nor `list_zone_rrsets` specifies otherwise). A larger `per_page` is answered with
   * this many entries, and `meta.pagination.per_page` and the `Link` header say so.
   */
  maxPerPage?: number;
  /** Seed of the value shuffle (default 1). */
  seed?: number;
}

/** A zone to add to the fake ({@link FakeHetzner.addZone}). */
export interface FakeZoneInit {
  /** Zone name, e.g. `example.com`. */
  name: string;
  /** `primary` (default) or `secondary`. */
  mode?: 'primary' | 'secondary';
  /** Default TTL of the zone, in seconds (default 3600). */
  ttl?: number;
  /** Labels of the zone. */
  labels?: Record<string, string>;
  /** Numeric zone id (default: the next free one). */
  id?: number;
}

/** An RRSet as the fake stores it. */
export interface FakeRRSet {
  /** Name relative to the zone, `@` at the apex. */
  name: string;
  /** Record type. */
  type: string;
  /** TTL in seconds, `null` = the zone's default. */
  ttl: number | null;
  /** Labels of the RRSet. */
  labels: Record<string, string>;
  /** Change protection (set with `protect`). */
  protection: { change: boolean };
  /** The values, each with its comment. */
  records: { value: string; comment: string | null }[];
}

interface Zone {
  id: number;
  name: string;
  mode: 'primary' | 'secondary';
  ttl: number;
  labels: Record<string, string>;
  protection: { delete: boolean };
  created: string;
  rrsets: Map<string, FakeRRSet>;
}

interface Action {
  id: number;
  command: string;
  status: 'running' | 'success' | 'error';
  started: string;
  finished: string | null;
  resources: { id: number; type: string }[];
  error: { code: string; message: string } | null;
  /** `zone id/name/type` while running. */
  lock: string | undefined;
  polls: number;
  requestsSince: number;
  fail: { code: string; message: string } | undefined;
  apply: () => void;
}

/** One request the fake received. */
export interface FakeHetznerRequest {
  /** HTTP method. */
  method: string;
  /** Path below `/v1`, without the query. */
  path: string;
  /** Query parameters. */
  query: URLSearchParams;
  /** HTTP status the fake answered. */
  status: number;
  /** When the request arrived (epoch ms). */
  at: number;
}

interface Fault {
  kind: 'error' | 'throttle' | 'drop' | 'delay';
  remaining: number;
  /** `write`: only non-GET requests. */
  method?: string | undefined;
  status?: number;
  code?: string;
  afterExecuting?: boolean;
  delayMs?: number;
  echoCredential?: boolean;
}

const LABEL_PART = /^[a-z0-9A-Z](?:[a-z0-9A-Z._-]{0,61}[a-z0-9A-Z])?$/;

/** Hetzner's label rules: `[prefix/]name` (prefix a DNS subdomain ≤ 253), name and value ≤ 63. */
function checkLabels(input: unknown): Record<string, string> {
  const labels = { ...((input ?? {}) as Record<string, string>) };
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const okPrefix =
      prefix === undefined ||
      (prefix.length <= 253 &&
        !/(^|\.)hetzner\.cloud$/.test(prefix) &&
        prefix.split('.').every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l)));
    if (!okPrefix || !LABEL_PART.test(name) || (value !== '' && !LABEL_PART.test(String(value))))
      throw new ApiError(400, 'invalid_input', "invalid input in field 'labels'", {
        fields: [{ name: 'labels', messages: [`label ${key}=${String(value)} is invalid`] }],
      });
  }
  return labels;
}

/** The name servers Hetzner assigns to a zone, as its apex NS lists them. */
export const HETZNER_NAMESERVERS: readonly string[] = [
  'hydrogen.ns.hetzner.com',
  'oxygen.ns.hetzner.com',
  'helium.ns.hetzner.de',
];

function soaValue(serial: number): string {
  return `hydrogen.ns.hetzner.com. dns.hetzner.com. ${serial} 86400 10800 3600000 3600`;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = {},
  ) {
    super(message);
  }
}

const invalid = (field: string, message: string) =>
  new ApiError(400, 'invalid_input', `invalid input in field '${field}'`, {
    fields: [{ name: field, messages: [message] }],
  });

const HOST =
  /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$|^@$|^\.$/i;

/** Checks one value as zone-file RDATA of its type (loosely: enough to catch a wrong spelling). */
function checkValue(type: string, value: string): string | undefined {
  const parts = value.trim().split(/\s+/);
  switch (type) {
    case 'A':
      return isIPv4(value) ? undefined : 'not an IPv4 address';
    case 'AAAA':
      return isIPv6(value) ? undefined : 'not an IPv6 address';
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return HOST.test(value) ? undefined : 'not a host name';
    case 'MX':
      return parts.length === 2 && /^\d+$/.test(parts[0] ?? '') && HOST.test(parts[1] ?? '')
        ? undefined
        : 'expected "<preference> <host>"';
    case 'SRV':
      return parts.length === 4 &&
        parts.slice(0, 3).every((p) => /^\d+$/.test(p)) &&
        HOST.test(parts[3] ?? '')
        ? undefined
        : 'expected "<priority> <weight> <port> <host>"';
    case 'CAA':
      return /^\d+\s+[a-z0-9]+\s+"/i.test(value) ? undefined : 'expected "<flags> <tag> \\"<value>\\""';
    case 'TXT': {
      const chunks = value.startsWith('"') ? parseTxtStrings(value) : undefined;
      if (!chunks) return 'TXT values must be one or more quoted strings';
      return chunks.some((c) => Buffer.byteLength(c) > 255)
        ? 'a TXT string is longer than 255 octets'
        : undefined;
    }
    default:
      return undefined;
  }
}

/** A small deterministic PRNG (mulberry32), for shuffling values. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fake; see the module comment. Start it with {@link startFakeHetzner}. */
export class FakeHetzner {
  /** API base, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: FakeHetznerRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #zones = new Map<number, Zone>();
  readonly #actions = new Map<number, Action>();
  readonly #rw: Set<string>;
  readonly #ro: Set<string>;
  readonly #limit: number;
  readonly #refill: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #actionPolls: number;
  readonly #settle: number;
  readonly #maxPerPage: number;
  readonly #random: () => number;
  #faults: Fault[] = [];
  #failActions: { remaining: number; code: string } | undefined;
  #nextZoneId = 1000;
  #nextActionId = 1;

  /** @internal use {@link startFakeHetzner} */
  constructor(server: Server, options: FakeHetznerOptions) {
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/v1`;
    this.#rw = new Set(options.tokens ?? ['test-token']);
    this.#ro = new Set(options.readOnlyTokens ?? ['read-only-token']);
    this.#limit = options.rateLimit?.limit ?? 3600;
    this.#refill = options.rateLimit?.refillPerSecond ?? 1;
    this.#actionPolls = options.actionPolls ?? 1;
    this.#settle = options.actionSettleRequests ?? 10;
    this.#maxPerPage = options.maxPerPage ?? 50;
    this.#random = prng(options.seed ?? 1);
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res));
  }

  // ---- setup and inspection ---------------------------------------------------------------------

  /**
   * Adds a zone (primary, TTL 3600 by default) and returns its id. A primary zone starts as
   * Hetzner creates one: an apex SOA (Hetzner's own, read-only, its serial raised by every finished
   * change) and an apex NS with Hetzner's three name servers ({@link HETZNER_NAMESERVERS}).
   */
  addZone(init: FakeZoneInit): number {
    const id = init.id ?? this.#nextZoneId++;
    const zone: Zone = {
      id,
      name: init.name.toLowerCase().replace(/\.$/, ''),
      mode: init.mode ?? 'primary',
      ttl: init.ttl ?? 3600,
      labels: { ...init.labels },
      protection: { delete: false },
      created: new Date().toISOString(),
      rrsets: new Map(),
    };
    if (zone.mode === 'primary') {
      const apex = (type: string, values: string[]): FakeRRSet => ({
        name: '@',
        type,
        ttl: null,
        labels: {},
        protection: { change: false },
        records: values.map((value) => ({ value, comment: '' })),
      });
      zone.rrsets.set('@/SOA', apex('SOA', [soaValue(2026010100)]));
      zone.rrsets.set(
        '@/NS',
        apex(
          'NS',
          HETZNER_NAMESERVERS.map((n) => `${n}.`),
        ),
      );
    }
    this.#zones.set(id, zone);
    return id;
  }

  /** The RRSets of a zone as stored now (finished actions only), sorted by id. */
  rrsets(zone: string): FakeRRSet[] {
    const z = this.#zoneByName(zone);
    return [...(z?.rrsets.values() ?? [])]
      .map((r) => structuredClone(r))
      .sort((a, b) => (`${a.name}/${a.type}` < `${b.name}/${b.type}` ? -1 : 1));
  }

  /** Removes an RRSet directly, as another tool would (no request is recorded). */
  removeRRSet(zone: string, name: string, type: string): void {
    this.#zoneByName(zone)?.rrsets.delete(`${name}/${type}`);
  }

  /**
   * Called before each page of a list answer is made, with the request path and the page number:
   * a test's other writer can change the zone between two pages.
   */
  onListPage: ((path: string, page: number) => void) | undefined = undefined;

  /** Stores an RRSet directly, as if written by another tool. */
  putRRSet(zone: string, rrset: Partial<FakeRRSet> & Pick<FakeRRSet, 'name' | 'type' | 'records'>): void {
    const z = this.#zoneByName(zone);
    if (!z) throw new Error(`no zone ${zone}`);
    z.rrsets.set(`${rrset.name}/${rrset.type}`, {
      ttl: null,
      labels: {},
      protection: { change: false },
      ...structuredClone(rrset),
    });
  }

  /** Sets `protection.change` of an RRSet. */
  protect(zone: string, name: string, type: string, change = true): void {
    const set = this.#zoneByName(zone)?.rrsets.get(`${name}/${type}`);
    if (!set) throw new Error(`no rrset ${name}/${type} in ${zone}`);
    set.protection = { change };
  }

  /** Actions still running. */
  get runningActions(): number {
    return [...this.#actions.values()].filter((a) => a.status === 'running').length;
  }

  /** Empties a token's bucket: its next request gets 429 until a token is back. */
  drain(token = 'test-token'): void {
    this.#buckets.set(token, { tokens: 0, at: Date.now() });
  }

  /** Tokens left in a token's bucket now. */
  tokensLeft(token = 'test-token'): number {
    return Math.floor(this.#tokens(token));
  }

  // ---- faults ---------------------------------------------------------------------------------

  /**
   * The next `count` matching requests (`method` `write` = any but GET) are answered `status`
   * (default 500 `server_error`). With `afterExecuting` the request is carried out first and only
   * its answer is lost.
   */
  failNext(
    count: number,
    options: {
      status?: number;
      code?: string;
      afterExecuting?: boolean;
      method?: string;
      /** The answer repeats the request's `Authorization` header in its message and `X-Correlation-Id`, as a careless proxy might. */
      echoCredential?: boolean;
    } = {},
  ): void {
    this.#faults.push({
      kind: 'error',
      remaining: count,
      method: options.method,
      status: options.status ?? 500,
      code: options.code ?? 'server_error',
      afterExecuting: options.afterExecuting ?? false,
      echoCredential: options.echoCredential ?? false,
    });
  }

  /** The next `count` requests are answered `429 rate_limit_exceeded` with an empty bucket in the headers. */
  throttleNext(count: number): void {
    this.#faults.push({ kind: 'throttle', remaining: count });
  }

  /** The next `count` matching requests have their connection closed without an answer (optionally after executing). */
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

  /** The next `count` actions end in `error` with `code` (default `action_failed`) and change nothing. */
  failActionsNext(count: number, code = 'action_failed'): void {
    this.#failActions = { remaining: count, code };
  }

  /** Cancels every pending fault (`failNext`, `throttleNext`, `dropNext`, `delayNext`, `failActionsNext`). */
  clearFaults(): void {
    this.#faults = [];
    this.#failActions = undefined;
  }

  /** Stops the server and closes its connections. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  #takeFault(method: string): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === method || (f.method === 'write' && method !== 'GET')),
    );
    if (fault) fault.remaining--;
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    return fault;
  }

  #tokens(token: string, now = Date.now()): number {
    const b = this.#buckets.get(token);
    if (!b) return this.#limit;
    return Math.min(this.#limit, b.tokens + ((now - b.at) / 1000) * this.#refill);
  }

  #rateHeaders(token: string, tokens: number, now: number): Record<string, string> {
    const reset = Math.ceil(now / 1000 + (this.#limit - tokens) / this.#refill);
    return {
      'ratelimit-limit': String(this.#limit),
      'ratelimit-remaining': String(Math.max(0, Math.floor(tokens))),
      'ratelimit-reset': String(reset),
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/v1/, '');
    const now = Date.now();
    const log: FakeHetznerRequest = { method, path, query: url.searchParams, status: 0, at: now };
    this.requests.push(log);
    for (const a of this.#actions.values()) if (a.status === 'running') a.requestsSince++;
    this.#settleActions();

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const sendError = (e: ApiError, headers: Record<string, string>) =>
      send(e.status, { error: { code: e.code, message: e.message, details: e.details } }, headers);

    if (!this.#rw.has(auth) && !this.#ro.has(auth)) {
      sendError(new ApiError(401, 'unauthorized', 'unable to authenticate'), {});
      return;
    }
    const fault = this.#takeFault(method);
    if (fault?.kind === 'throttle') {
      sendError(
        new ApiError(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached'),
        this.#rateHeaders(auth, 0, now),
      );
      return;
    }
    // the bucket
    const tokens = this.#tokens(auth, now);
    if (tokens < 1) {
      sendError(
        new ApiError(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached'),
        this.#rateHeaders(auth, tokens, now),
      );
      return;
    }
    this.#buckets.set(auth, { tokens: tokens - 1, at: now });
    const headers = this.#rateHeaders(auth, tokens - 1, now);

    if (fault && !fault.afterExecuting) {
      if (fault.kind === 'drop') {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        sendError(new ApiError(503, 'unavailable', 'late answer'), headers);
        return;
      }
      if (fault.kind === 'error') {
        const echoed = fault.echoCredential
          ? ` (request had Authorization: ${req.headers.authorization ?? ''})`
          : '';
        sendError(
          new ApiError(fault.status ?? 500, fault.code ?? 'server_error', `injected fault${echoed}`, {
            ...(echoed ? { token: auth } : {}),
          }),
          fault.echoCredential ? { ...headers, 'x-correlation-id': auth } : headers,
        );
        return;
      }
    }
    let status = 200;
    let body: unknown;
    const extra: Record<string, string> = {};
    try {
      if (method !== 'GET' && this.#ro.has(auth))
        throw new ApiError(403, 'token_readonly', 'the token is read-only');
      let json: unknown;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          throw new ApiError(400, 'json_error', 'invalid JSON in the request body');
        }
      }
      [status, body] = this.#route({ method, path, query: url.searchParams, body: json, headers: extra });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendError(error, headers);
      return;
    }
    if (fault) {
      // carried out; only the answer is lost
      if (fault.kind === 'drop') {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      sendError(new ApiError(fault.status ?? 500, fault.code ?? 'server_error', 'injected fault'), headers);
      return;
    }
    send(status, body, { ...headers, ...extra });
  }

  #route(request: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: unknown;
    headers: Record<string, string>;
  }): [number, unknown] {
    const { method, path, query, body, headers } = request;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const input = (body ?? {}) as Record<string, unknown>;
    if (parts[0] === 'actions') {
      if (method !== 'GET') throw new ApiError(405, 'not_found', 'method not allowed');
      if (parts.length === 2) {
        const action = this.#poll(Number(parts[1]));
        if (!action) throw new ApiError(404, 'not_found', 'action not found');
        return [200, { action }];
      }
      const ids = query.getAll('id').map(Number);
      if (ids.length === 0) throw invalid('id', 'listing actions requires at least one id');
      const actions = ids.flatMap((id) => {
        const a = this.#poll(id);
        return a ? [a] : [];
      });
      return [
        200,
        { actions, meta: { pagination: pagination(1, Math.max(1, actions.length), actions.length) } },
      ];
    }
    if (parts[0] !== 'zones') throw new ApiError(404, 'not_found', 'not found');
    if (parts.length === 1) {
      if (method !== 'GET') throw new ApiError(405, 'not_found', 'method not allowed');
      let zones = [...this.#zones.values()].sort((a, b) => a.id - b.id);
      const name = query.get('name');
      if (name !== null) zones = zones.filter((z) => z.name === name.toLowerCase());
      const mode = query.get('mode');
      if (mode !== null) zones = zones.filter((z) => z.mode === mode);
      const selector = query.get('label_selector');
      if (selector !== null) zones = zones.filter((z) => matchesSelector(z.labels, selector));
      return this.#page('zones', zones.map(zoneJson), { query, path: '/zones', headers });
    }
    const zone = this.#zoneOf(parts[1] as string);
    if (parts.length === 2) {
      if (method !== 'GET') throw new ApiError(405, 'not_found', 'method not allowed');
      return [200, { zone: zoneJson(zone) }];
    }
    if (parts[2] === 'zonefile' && parts.length === 3) return [200, { zonefile: zoneFile(zone) }];
    if (parts[2] === 'actions' && parts.length === 3 && method === 'GET') {
      const statuses = query.getAll('status');
      const actions = [...this.#actions.values()]
        .filter((a) => a.resources.some((r) => r.id === zone.id))
        .filter((a) => statuses.length === 0 || statuses.includes(a.status))
        .map(actionJson);
      return this.#page('actions', actions, { query, path: `/zones/${zone.id}/actions`, headers });
    }
    if (parts[2] !== 'rrsets') throw new ApiError(404, 'not_found', 'not found');
    if (parts.length === 3) {
      // RRSet operations, reads included, exist only for primary zones
      this.#writable(zone);
      if (method === 'GET') {
        let sets = [...zone.rrsets.values()].sort((a, b) =>
          `${a.name}/${a.type}` < `${b.name}/${b.type}` ? -1 : 1,
        );
        const name = query.get('name');
        if (name !== null) sets = sets.filter((s) => s.name === name);
        const types = query.getAll('type');
        if (types.length) sets = sets.filter((s) => types.includes(s.type));
        const selector = query.get('label_selector');
        if (selector !== null) sets = sets.filter((s) => matchesSelector(s.labels, selector));
        return this.#page(
          'rrsets',
          sets.map((s) => this.#rrsetJson(zone, s)),
          {
            query,
            path: `/zones/${zone.id}/rrsets`,
            headers,
          },
        );
      }
      if (method !== 'POST') throw new ApiError(405, 'not_found', 'method not allowed');
      this.#writable(zone);
      const name = this.#checkName(zone, input.name);
      const type = checkType(input.type);
      const records = checkRecords(type, input.records, true);
      const ttl = checkTtl(input.ttl);
      const key = `${name}/${type}`;
      this.#checkLock(zone, key);
      if (zone.rrsets.has(key)) throw new ApiError(409, 'uniqueness_error', `rrset ${key} already exists`);
      // the apex holds the SOA and NS: a CNAME there would have data beside it
      if (type === 'CNAME' && name === '@') throw invalid('type', 'CNAME is not allowed at the zone apex');
      const labels = checkLabels(input.labels);
      const created: FakeRRSet = { name, type, ttl, labels, protection: { change: false }, records };
      const action = this.#action('create_rrset', zone, key, () =>
        zone.rrsets.set(key, structuredClone(created)),
      );
      return [201, { rrset: this.#rrsetJson(zone, created), action }];
    }
    const name = parts[3] as string;
    const type = parts[4] as string;
    const key = `${name}/${type}`;
    this.#writable(zone);
    if (parts.length === 5) {
      const set = zone.rrsets.get(key);
      if (method === 'GET') {
        if (!set) throw new ApiError(404, 'not_found', `rrset ${key} not found`);
        return [200, { rrset: this.#rrsetJson(zone, set) }];
      }
      this.#writable(zone);
      if (!set) throw new ApiError(404, 'not_found', `rrset ${key} not found`);
      if (method === 'PUT') {
        set.labels = checkLabels(input.labels);
        return [200, { rrset: this.#rrsetJson(zone, set) }];
      }
      if (method !== 'DELETE') throw new ApiError(405, 'not_found', 'method not allowed');
      this.#checkLock(zone, key);
      this.#checkProtection(set);
      const action = this.#action('delete_rrset', zone, key, () => zone.rrsets.delete(key));
      return [201, { action }];
    }
    if (parts.length !== 7 || parts[5] !== 'actions' || method !== 'POST')
      throw new ApiError(404, 'not_found', 'not found');
    this.#writable(zone);
    this.#checkName(zone, name);
    checkType(type);
    this.#checkLock(zone, key);
    const current = zone.rrsets.get(key);
    const command = parts[6] as string;
    if (current && command !== 'change_protection') this.#checkProtection(current);
    let apply: () => void;
    switch (command) {
      case 'set_records': {
        const records = checkRecords(type, input.records, false);
        apply = () => {
          if (records.length === 0) zone.rrsets.delete(key);
          else if (current) current.records = records;
          else
            zone.rrsets.set(key, {
              name,
              type,
              ttl: null,
              labels: {},
              protection: { change: false },
              records,
            });
        };
        break;
      }
      case 'add_records': {
        const records = checkRecords(type, input.records, true);
        const ttl = 'ttl' in input ? checkTtl(input.ttl) : undefined;
        apply = () => {
          const set = zone.rrsets.get(key);
          if (!set) {
            zone.rrsets.set(key, {
              name,
              type,
              ttl: ttl ?? null,
              labels: {},
              protection: { change: false },
              records,
            });
            return;
          }
          for (const r of records) if (!set.records.some((o) => o.value === r.value)) set.records.push(r);
          if (ttl !== undefined) set.ttl = ttl;
        };
        break;
      }
      case 'remove_records': {
        if (!current) throw new ApiError(404, 'not_found', `rrset ${key} not found`);
        const records = checkRecords(type, input.records, true);
        apply = () => {
          const set = zone.rrsets.get(key);
          if (!set) return;
          set.records = set.records.filter((o) => !records.some((r) => r.value === o.value));
          if (set.records.length === 0) zone.rrsets.delete(key);
        };
        break;
      }
      case 'change_ttl': {
        if (!current) throw new ApiError(404, 'not_found', `rrset ${key} not found`);
        if (!('ttl' in input)) throw invalid('ttl', 'required');
        const ttl = checkTtl(input.ttl);
        apply = () => {
          const set = zone.rrsets.get(key);
          if (set) set.ttl = ttl;
        };
        break;
      }
      case 'change_protection': {
        if (!current) throw new ApiError(404, 'not_found', `rrset ${key} not found`);
        if (typeof input.change !== 'boolean') throw invalid('change', 'must be a boolean');
        const change = input.change;
        apply = () => {
          const set = zone.rrsets.get(key);
          if (set) set.protection = { change };
        };
        break;
      }
      default:
        throw new ApiError(404, 'not_found', `unknown action ${command}`);
    }
    const action = this.#action(command, zone, key, apply);
    return [201, { action }];
  }

  // ---- helpers --------------------------------------------------------------------------------

  #page(
    key: string,
    items: unknown[],
    at: { query: URLSearchParams; path: string; headers: Record<string, string> },
  ): [number, unknown] {
    const { query, path, headers } = at;
    const page = Number(query.get('page') ?? 1);
    this.onListPage?.(path, page);
    const perPage = Math.min(this.#maxPerPage, Number(query.get('per_page') ?? 25));
    if (!Number.isInteger(page) || page < 1) throw invalid('page', 'must be a positive integer');
    if (!Number.isInteger(perPage) || perPage < 1) throw invalid('per_page', 'must be a positive integer');
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const p = pagination(page, perPage, items.length);
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `<${this.url}${path}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (p.previous_page !== null) links.push(link(p.previous_page, 'prev'));
    if (p.next_page !== null) links.push(link(p.next_page, 'next'));
    links.push(link(last, 'last'));
    headers.link = links.join(', ');
    return [200, { [key]: items.slice((page - 1) * perPage, page * perPage), meta: { pagination: p } }];
  }

  #zoneByName(name: string): Zone | undefined {
    const wanted = name.toLowerCase().replace(/\.$/, '');
    return [...this.#zones.values()].find((z) => z.name === wanted);
  }

  #zoneOf(idOrName: string): Zone {
    const zone = /^\d+$/.test(idOrName) ? this.#zones.get(Number(idOrName)) : this.#zoneByName(idOrName);
    if (!zone) throw new ApiError(404, 'not_found', `zone ${idOrName} not found`);
    return zone;
  }

  #writable(zone: Zone): void {
    if (zone.mode !== 'primary')
      throw new ApiError(422, 'incorrect_zone_mode', `zone ${zone.name} is a secondary zone`);
  }

  #checkName(zone: Zone, value: unknown): string {
    if (typeof value !== 'string' || value === '') throw invalid('name', 'required');
    if (value !== value.toLowerCase()) throw invalid('name', 'must be lower case');
    if (value.endsWith('.')) throw invalid('name', 'must not end with a dot');
    if (value === zone.name || value.endsWith(`.${zone.name}`))
      throw invalid('name', 'must be relative to the zone (not end with the zone name)');
    if (!/^[\x21-\x7e]+$/.test(value)) throw invalid('name', 'non-ASCII names must be in punycode');
    if (
      value !== '@' &&
      !/^(\*|[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(value)
    )
      throw invalid('name', 'not a valid record name');
    return value;
  }

  #checkLock(zone: Zone, key: string): void {
    const lock = `${zone.id}/${key}`;
    for (const a of this.#actions.values())
      if (a.status === 'running' && a.lock === lock)
        throw new ApiError(423, 'locked', `rrset ${key} is locked by action ${a.id}`);
  }

  #checkProtection(set: FakeRRSet): void {
    if (set.protection.change)
      throw new ApiError(423, 'protected', `rrset ${set.name}/${set.type} is protected against changes`);
  }

  #action(command: string, zone: Zone, key: string, apply: () => void): unknown {
    const fail = this.#failActions && this.#failActions.remaining > 0 ? this.#failActions : undefined;
    if (fail) fail.remaining--;
    const action: Action = {
      id: this.#nextActionId++,
      command,
      status: 'running',
      started: new Date().toISOString(),
      finished: null,
      resources: [{ id: zone.id, type: 'zone' }],
      error: null,
      lock: `${zone.id}/${key}`,
      polls: 0,
      requestsSince: 0,
      fail: fail ? { code: fail.code, message: `${command} failed` } : undefined,
      apply,
    };
    this.#actions.set(action.id, action);
    return actionJson(action);
  }

  #poll(id: number): unknown {
    const action = this.#actions.get(id);
    if (!action) return undefined;
    if (action.status === 'running') {
      action.polls++;
      if (action.polls >= this.#actionPolls) this.#finish(action);
    }
    return actionJson(action);
  }

  #settleActions(): void {
    for (const a of this.#actions.values())
      if (a.status === 'running' && a.requestsSince > this.#settle) this.#finish(a);
  }

  #finish(action: Action): void {
    action.finished = new Date().toISOString();
    action.lock = undefined;
    if (action.fail) {
      action.status = 'error';
      action.error = action.fail;
      return;
    }
    action.apply();
    action.status = 'success';
    // Hetzner keeps the SOA serial itself: every change raises it
    const zone = this.#zones.get((action.resources[0] as { id: number }).id);
    const soa = zone?.rrsets.get('@/SOA');
    if (soa) {
      const serial = Number(soa.records[0]?.value.split(' ')[2] ?? 0);
      soa.records = [{ value: soaValue(serial + 1), comment: '' }];
    }
  }

  #rrsetJson(zone: Zone, s: FakeRRSet): unknown {
    const records = [...s.records];
    // Hetzner does not promise an order: shuffle
    for (let i = records.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [records[i], records[j]] = [
        records[j] as FakeRRSet['records'][number],
        records[i] as FakeRRSet['records'][number],
      ];
    }
    return {
      id: `${s.name}/${s.type}`,
      name: s.name,
      type: s.type,
      ttl: s.ttl,
      labels: s.labels,
      protection: s.protection,
      records,
      zone: zone.id,
    };
  }
}

function pagination(page: number, perPage: number, total: number) {
  const last = Math.max(1, Math.ceil(total / perPage));
  return {
    page,
    per_page: perPage,
    previous_page: page > 1 ? page - 1 : null,
    next_page: page < last ? page + 1 : null,
    last_page: last,
    total_entries: total,
  };
}

function actionJson(a: Action): unknown {
  return {
    id: a.id,
    command: a.command,
    status: a.status,
    progress: a.status === 'running' ? 0 : 100,
    started: a.started,
    finished: a.finished,
    resources: a.resources,
    error: a.error,
  };
}

function zoneJson(z: Zone): unknown {
  return {
    id: z.id,
    name: z.name,
    created: z.created,
    ttl: z.ttl,
    mode: z.mode,
    primary_nameservers: [],
    protection: z.protection,
    labels: z.labels,
    authoritative_nameservers: {
      assigned: ['hydrogen.ns.hetzner.com.', 'oxygen.ns.hetzner.com.', 'helium.ns.hetzner.de.'],
      delegated: [],
      delegation_last_check: null,
      delegation_status: 'unknown',
    },
    registrar: 'other',
    status: 'ok',
    record_count: z.rrsets.size,
  };
}

function zoneFile(z: Zone): string {
  const lines = [`$ORIGIN ${z.name}.`, `$TTL ${z.ttl}`];
  for (const s of z.rrsets.values())
    for (const r of s.records)
      lines.push(`${s.name}\t${s.ttl ?? ''}\tIN\t${s.type}\t${r.value}`.replace('\t\t', '\t'));
  return `${lines.join('\n')}\n`;
}

function checkType(value: unknown): string {
  if (typeof value !== 'string' || !HETZNER_RECORD_TYPES.includes(value))
    throw invalid('type', 'unsupported type');
  if (value === 'SOA') throw new ApiError(400, 'invalid_input', 'SOA is managed by Hetzner');
  return value;
}

function checkTtl(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 2147483647)
    throw invalid('ttl', 'must be an integer of at least 60');
  return value;
}

function checkRecords(type: string, value: unknown, nonEmpty: boolean): FakeRRSet['records'] {
  if (!Array.isArray(value)) throw invalid('records', 'required');
  if (nonEmpty && value.length === 0) throw invalid('records', 'must not be empty');
  const seen = new Set<string>();
  return value.map((r: unknown, i) => {
    const v = (r as { value?: unknown } | null)?.value;
    if (typeof v !== 'string') throw invalid(`records[${i}].value`, 'required');
    if (seen.has(v)) throw invalid(`records[${i}].value`, 'values must be distinct');
    seen.add(v);
    const problem = checkValue(type, v);
    if (problem) throw invalid(`records[${i}].value`, problem);
    const comment = (r as { comment?: unknown }).comment;
    return { value: v, comment: typeof comment === 'string' ? comment : null };
  });
}

function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const neq = /^([^!=]+)!=(.*)$/.exec(term);
      if (neq) return labels[(neq[1] as string).trim()] !== (neq[2] as string).trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[(eq[1] as string).trim()] === (eq[2] as string).trim();
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

/** Starts the fake on a free loopback port. */
export async function startFakeHetzner(options: FakeHetznerOptions = {}): Promise<FakeHetzner> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new FakeHetzner(server, options);
}
