/**
 * A fake of Cloudflare's API v4 (zones, DNS records, the batch endpoint) on loopback, for tests of
 * this package and of code built on it. It reproduces the documented behaviour: the envelope and
 * `result_info`, page-number pagination (an empty `result` past the last page), validation errors
 * with Cloudflare's codes (1004 with an `error_chain`, 81044, 81045, 81053, 81058, 9300), proxied
 * records reporting TTL 1, PUT resetting what it does not carry and PATCH merging, batches run
 * deletes → patches → puts → posts on a working copy and committed only when all succeed, the
 * per-plan batch size and record quota, both authentication schemes, and the per-credential rate
 * limit answered with 429 and `Retry-After`.
 *
 * Codes the research brief documents are used as documented. Where it has none (an invalid IP,
 * TTL or proxied flag; an oversized batch; bad paging parameters) the fake answers 400 with
 * code 1004 and a stand-in chain code as third-party clients report them; tests should not rely on
 * those numbers.
 *
 * @module testing
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import { canonicalIPv6, parseTxtStrings } from '@openova/dns-core/provider';

/** A zone's plan in the fake: it decides batch size, comment length, tags and record quota. */
export type FakePlan = 'free' | 'pro' | 'business' | 'enterprise';

/** Options of {@link startFakeCloudflare}. */
export interface FakeCloudflareOptions {
  /** API tokens accepted as `Authorization: Bearer …` (default `['test-token']`). */
  tokens?: readonly string[];
  /** Legacy key and e-mail pairs accepted as `X-Auth-Key` / `X-Auth-Email`. */
  keys?: readonly { email: string; key: string }[];
  /** Per-credential limit (default 1,200 per 5 minutes, then a 5-minute block, as Cloudflare). */
  rateLimit?: { requests: number; windowMs: number; blockMs?: number };
  /** Every token answers 403 / 9109 (a client-IP filter that excludes us). */
  ipRestricted?: boolean;
}

/** A zone to add to the fake ({@link FakeCloudflare.addZone}). */
export interface FakeZoneInit {
  /** Zone name, e.g. `example.com`. */
  name: string;
  /** The zone's plan (default `free`). */
  plan?: FakePlan;
  /** Zone id (default: 32 random hex digits). */
  id?: string;
  /** Most records the zone may hold (default 1,000 on Free, 3,500 on paid plans). */
  recordQuota?: number;
}

/** A record as the fake stores and returns it. */
export interface FakeRecord {
  /** Record id, 32 hex digits. */
  id: string;
  /** Id of the zone holding the record. */
  zone_id: string;
  /** Name of the zone holding the record. */
  zone_name: string;
  /** Owner name. */
  name: string;
  /** Record type. */
  type: string;
  /** Record data (rendered from `data` for structured types). */
  content: string;
  /** TTL in seconds; 1 = automatic (always 1 when proxied). */
  ttl: number;
  /** Whether the record is proxied. */
  proxied: boolean;
  /** Whether the type allows proxying (A, AAAA, CNAME). */
  proxiable: boolean;
  /** MX preference. */
  priority?: number;
  /** Structured data of SRV, CAA and similar types. */
  data?: Record<string, string | number>;
  /** The comment, or `null`. */
  comment: string | null;
  /** Tags as `name:value` strings. */
  tags: string[];
  /** Per-record settings (reset by a PUT that does not carry them). */
  settings: Record<string, unknown>;
  /** Cloudflare's read-only metadata. */
  meta: Record<string, unknown>;
  /** ISO 8601 creation time. */
  created_on: string;
  /** ISO 8601 time of the last change. */
  modified_on: string;
}

/** One request the fake received. */
export interface FakeRequest {
  /** HTTP method. */
  method: string;
  /** Path below `/client/v4`, without the query. */
  path: string;
  /** Query parameters. */
  query: Record<string, string>;
  /** HTTP status the fake answered. */
  status: number;
  /** Epoch ms when it arrived. */
  at: number;
  /** True when it arrived while its credential was blocked after a 429. */
  early: boolean;
}

interface FakeZone {
  id: string;
  name: string;
  plan: FakePlan;
  recordQuota: number;
  records: RecordTable;
}

/** A zone's records by id, in creation order, indexed by name so checks stay cheap in big zones. */
class RecordTable {
  readonly #byId = new Map<string, FakeRecord>();
  readonly #byName = new Map<string, Set<string>>();

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): FakeRecord | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  values(): IterableIterator<FakeRecord> {
    return this.#byId.values();
  }

  set(id: string, record: FakeRecord): void {
    const old = this.#byId.get(id);
    if (old) this.#byName.get(old.name)?.delete(id);
    this.#byId.set(id, record);
    let ids = this.#byName.get(record.name);
    if (!ids) this.#byName.set(record.name, (ids = new Set()));
    ids.add(id);
  }

  delete(id: string): void {
    const old = this.#byId.get(id);
    if (!old) return;
    this.#byName.get(old.name)?.delete(id);
    this.#byId.delete(id);
  }

  *atName(name: string): IterableIterator<FakeRecord> {
    for (const id of this.#byName.get(name) ?? []) {
      const record = this.#byId.get(id);
      if (record) yield record;
    }
  }

  clone(): RecordTable {
    const copy = new RecordTable();
    for (const [id, record] of this.#byId) copy.set(id, record);
    return copy;
  }
}

interface ErrorItem {
  code: number;
  message: string;
  error_chain?: ErrorItem[];
}

class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly items: ErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(items.map((i) => i.message).join('; '));
  }
}

const SUPPORTED_TYPES = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'NS', 'PTR']);
const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);
const EXCLUSIVE = new Set(['A', 'AAAA', 'CNAME']);
const PLAN_DETAILS: Record<FakePlan, { id: string; name: string; price: number }> = {
  free: { id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee', name: 'Free Website', price: 0 },
  pro: { id: '94f3b7b768b0458b56d2cac4fe5ec0f9', name: 'Pro Website', price: 20 },
  business: { id: '6f1b0d2d8e5a4c3b9a7e1f0c2d4b6a8e', name: 'Business Website', price: 200 },
  enterprise: { id: '3c7f2a9e1b5d4f6a8c0e2b4d6f8a0c1e', name: 'Enterprise Website', price: 5000 },
};

function validation(chainCode: number, message: string): FakeApiError {
  return new FakeApiError(400, [
    { code: 1004, message: 'DNS Validation Error', error_chain: [{ code: chainCode, message }] },
  ]);
}

function hexId(): string {
  return randomBytes(16).toString('hex');
}

function isHost(value: string): boolean {
  return (
    value === '.' || /^(?=.{1,253}$)([a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_-]+\.?$/i.test(value)
  );
}

function stripDot(value: string): string {
  return value !== '.' && value.endsWith('.') ? value.slice(0, -1) : value;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** A running fake; `url` is the API base to pass as `baseUrl`. */
export class FakeCloudflare {
  /** `http://127.0.0.1:PORT/client/v4`: pass it as `baseUrl`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: FakeRequest[] = [];
  readonly #server: Server;
  readonly #zones = new Map<string, FakeZone>();
  readonly #tokens: Set<string>;
  readonly #keys: readonly { email: string; key: string }[];
  readonly #limit: { requests: number; windowMs: number; blockMs: number };
  readonly #ipRestricted: boolean;
  readonly #sent = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();
  #throttle: { remaining: number; retryAfterSeconds: number } | undefined;
  #faults:
    | {
        remaining: number;
        status: number;
        afterExecuting: boolean;
        method?: string;
        echoCredential?: boolean;
      }
    | undefined;

  private constructor(server: Server, url: string, options: FakeCloudflareOptions) {
    this.#server = server;
    this.url = url;
    this.#tokens = new Set(options.tokens ?? ['test-token']);
    this.#keys = options.keys ?? [];
    this.#limit = {
      requests: options.rateLimit?.requests ?? 1200,
      windowMs: options.rateLimit?.windowMs ?? 300_000,
      blockMs: options.rateLimit?.blockMs ?? 300_000,
    };
    this.#ipRestricted = options.ipRestricted ?? false;
  }

  /** Starts a fake on 127.0.0.1 (a free port). */
  static async start(options: FakeCloudflareOptions = {}): Promise<FakeCloudflare> {
    // the handler needs the fake, the fake needs the server's port
    const holder: { fake?: FakeCloudflare } = {};
    const server = createServer((req, res) => {
      void holder.fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeCloudflare(server, `http://127.0.0.1:${port}/client/v4`, options);
    return holder.fake;
  }

  /** Adds a zone; returns its id. */
  addZone(init: FakeZoneInit): string {
    const plan = init.plan ?? 'free';
    const id = init.id ?? hexId();
    this.#zones.set(id, {
      id,
      name: init.name.toLowerCase(),
      plan,
      recordQuota: init.recordQuota ?? (plan === 'free' ? 1000 : 3500),
      records: new RecordTable(),
    });
    return id;
  }

  /** Adds a record as if made in the dashboard (validated like a POST); returns it. */
  addRecord(zoneName: string, record: Record<string, unknown>): FakeRecord {
    const zone = this.#zoneByName(zoneName);
    const created = this.#build(zone, record, undefined);
    this.#checkSet(zone, zone.records, created);
    zone.records.set(created.id, created);
    return structuredClone(created);
  }

  /** Removes a record, as another writer would (no request is recorded). */
  removeRecord(zoneName: string, id: string): void {
    this.#zoneByName(zoneName).records.delete(id);
  }

  /**
   * Called before each page of a DNS record listing is answered, with the zone's name and the page
   * number: a test's other writer can change the zone between two pages.
   */
  onRecordsPage: ((zoneName: string, page: number) => void) | undefined = undefined;

  /** A copy of a zone's records, in creation order. */
  records(zoneName: string): FakeRecord[] {
    return [...this.#zoneByName(zoneName).records.values()].map((r) => structuredClone(r));
  }

  /** The next `count` requests are answered 429 with `Retry-After: retryAfterSeconds` (a 429 storm). */
  throttleNext(count: number, retryAfterSeconds: number): void {
    this.#throttle = { remaining: count, retryAfterSeconds };
  }

  /**
   * The next `count` requests are answered with `status` (default 502). With `afterExecuting` the
   * request is carried out first and only its answer is lost: a write that happened although the
   * client saw an error. With `method`, only requests of that method count (e.g. `POST` for writes).
   */
  failNext(
    count: number,
    options: {
      status?: number;
      afterExecuting?: boolean;
      method?: string;
      /** The error message (and a `cf-ray` header) repeats the request's `Authorization`, as a careless proxy might. */
      echoCredential?: boolean;
    } = {},
  ): void {
    this.#faults = {
      remaining: count,
      status: options.status ?? 502,
      afterExecuting: options.afterExecuting ?? false,
      echoCredential: options.echoCredential ?? false,
      ...(options.method === undefined ? {} : { method: options.method.toUpperCase() }),
    };
  }

  /** Drops the faults and throttling not yet used (see {@link failNext}, {@link throttleNext}). */
  clearFaults(): void {
    this.#faults = undefined;
    this.#throttle = undefined;
  }

  /** Requests that arrived while their credential was blocked (a well-behaved client sends none). */
  get earlyRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.early);
  }

  /** Forgets the requests recorded so far. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Stops the server and closes its connections. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.closeAllConnections();
      this.#server.close((error) => (error ? reject(error) : resolve()));
    });
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    const query = Object.fromEntries(url.searchParams);
    const entry: FakeRequest = { method: req.method ?? 'GET', path, query, status: 0, at, early: false };
    this.requests.push(entry);
    let status = 200;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      const text = await readBody(req);
      const credential = this.#authenticate(req, path);
      this.#rateLimit(credential, entry);
      let json: unknown;
      if (text !== '') {
        try {
          json = JSON.parse(text);
        } catch {
          throw new FakeApiError(400, [{ code: 6007, message: 'Malformed JSON in request body' }]);
        }
      }
      const fault =
        this.#faults &&
        this.#faults.remaining > 0 &&
        (this.#faults.method === undefined || this.#faults.method === entry.method)
          ? this.#faults
          : undefined;
      if (fault) fault.remaining--;
      if (fault?.echoCredential) {
        const auth = String(req.headers.authorization ?? '');
        throw new FakeApiError(fault.status, [{ code: 10000, message: `Authentication error (${auth})` }], {
          'cf-ray': auth.replace(/^Bearer /, ''),
        });
      }
      if (fault && !fault.afterExecuting)
        throw new FakeApiError(fault.status, [{ code: 10001, message: 'Service unavailable' }]);
      body = this.#route(entry.method, path, url.searchParams, json);
      if (fault) throw new FakeApiError(fault.status, [{ code: 10001, message: 'Bad gateway' }]);
    } catch (error) {
      if (!(error instanceof FakeApiError)) {
        status = 500;
        body = {
          success: false,
          errors: [{ code: 10001, message: String(error) }],
          messages: [],
          result: null,
        };
      } else {
        status = error.status;
        headers = error.headers;
        body = { success: false, errors: error.items, messages: [], result: null };
      }
    }
    entry.status = status;
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(payload);
  }

  #authenticate(req: IncomingMessage, path: string): string {
    const auth = req.headers.authorization;
    const email = req.headers['x-auth-email'];
    const key = req.headers['x-auth-key'];
    let credential: string | undefined;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
      const token = auth.slice('Bearer '.length);
      if (this.#tokens.has(token)) credential = `token:${token}`;
    } else if (typeof email === 'string' && typeof key === 'string') {
      if (this.#keys.some((k) => k.email === email && k.key === key)) credential = `key:${email}`;
    }
    if (credential === undefined) {
      // Cloudflare answers a bogus credential on the records endpoint with 400 / 9106
      if (/\/dns_records/.test(path))
        throw new FakeApiError(400, [{ code: 9106, message: 'Authentication failed' }]);
      throw new FakeApiError(403, [{ code: 10000, message: 'Authentication error' }]);
    }
    if (this.#ipRestricted)
      throw new FakeApiError(403, [
        { code: 9109, message: 'Cannot use the access token from location: 127.0.0.1' },
      ]);
    return credential;
  }

  #rateLimit(credential: string, entry: FakeRequest): void {
    const now = entry.at;
    const blockedUntil = this.#blockedUntil.get(credential) ?? 0;
    const tooMany = (retryAfterMs: number) =>
      new FakeApiError(
        429,
        [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
        {
          'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
        },
      );
    if (now < blockedUntil) {
      entry.early = true;
      throw tooMany(blockedUntil - now);
    }
    if (this.#throttle && this.#throttle.remaining > 0) {
      this.#throttle.remaining--;
      const ms = this.#throttle.retryAfterSeconds * 1000;
      this.#blockedUntil.set(credential, now + ms);
      throw tooMany(ms);
    }
    const sent = (this.#sent.get(credential) ?? []).filter((t) => t > now - this.#limit.windowMs);
    if (sent.length >= this.#limit.requests) {
      this.#blockedUntil.set(credential, now + this.#limit.blockMs);
      this.#sent.set(credential, sent);
      throw tooMany(this.#limit.blockMs);
    }
    sent.push(now);
    this.#sent.set(credential, sent);
  }

  #route(method: string, path: string, query: URLSearchParams, body: unknown): unknown {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'zones' && parts.length === 1 && method === 'GET') return this.#listZones(query);
    if (parts[0] === 'zones' && parts[1] !== undefined) {
      const zone = this.#zones.get(parts[1]);
      if (!zone)
        throw new FakeApiError(404, [
          {
            code: 7003,
            message: 'Could not route to /zones/' + parts[1] + ', perhaps your object identifier is invalid?',
          },
        ]);
      if (parts.length === 2 && method === 'GET') return ok(this.#zoneJson(zone));
      if (parts[2] === 'dns_records') {
        if (parts.length === 3 && method === 'GET') return this.#listRecords(zone, query);
        if (parts.length === 3 && method === 'POST') return ok(this.#create(zone, body));
        if (parts.length === 4 && parts[3] === 'batch' && method === 'POST')
          return ok(this.#batch(zone, body));
        if (parts.length === 4 && parts[3] !== undefined) {
          const id = parts[3];
          const existing = zone.records.get(id);
          if (!existing) throw new FakeApiError(404, [{ code: 81044, message: 'Record does not exist.' }]);
          if (method === 'GET') return ok(existing);
          if (method === 'DELETE') {
            zone.records.delete(id);
            return ok({ id });
          }
          if (method === 'PATCH' || method === 'PUT') {
            const next = this.#build(zone, asObject(body), existing, method === 'PUT');
            const working = zone.records.clone();
            working.delete(id);
            this.#checkSet(zone, working, next);
            zone.records.set(id, next);
            return ok(next);
          }
        }
      }
    }
    throw new FakeApiError(404, [{ code: 7003, message: 'No route for the URI' }]);
  }

  #listZones(query: URLSearchParams): unknown {
    const perPage = intParam(query.get('per_page'), 20, 5, 50);
    const page = intParam(query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
    let zones = [...this.#zones.values()];
    const nameFilter = query.get('name');
    if (nameFilter !== null) {
      const [op, value] = nameFilter.includes(':') ? nameFilter.split(/:(.*)/s) : ['equal', nameFilter];
      const v = (value ?? '').toLowerCase();
      zones = zones.filter((z) =>
        op === 'contains'
          ? z.name.includes(v)
          : op === 'starts_with'
            ? z.name.startsWith(v)
            : op === 'ends_with'
              ? z.name.endsWith(v)
              : op === 'not_equal'
                ? z.name !== v
                : z.name === v,
      );
    }
    const status = query.get('status');
    if (status !== null && status !== 'active') zones = [];
    return paged(
      zones.map((z) => this.#zoneJson(z)),
      page,
      perPage,
    );
  }

  #listRecords(zone: FakeZone, query: URLSearchParams): unknown {
    const perPage = intParam(query.get('per_page'), 100, 1, 5_000_000);
    const page = intParam(query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
    this.onRecordsPage?.(zone.name, page);
    let records = [...zone.records.values()];
    const type = query.get('type');
    if (type) records = records.filter((r) => r.type === type.toUpperCase());
    const name = query.get('name.exact') ?? query.get('name');
    if (name) records = records.filter((r) => r.name === name.toLowerCase());
    return paged(records, page, perPage);
  }

  #create(zone: FakeZone, body: unknown): FakeRecord {
    const record = this.#build(zone, asObject(body), undefined);
    this.#checkSet(zone, zone.records, record);
    zone.records.set(record.id, record);
    return record;
  }

  #batch(zone: FakeZone, body: unknown): unknown {
    const input = asObject(body);
    const list = (name: string): Record<string, unknown>[] => {
      const value = input[name];
      if (value === undefined) return [];
      if (!Array.isArray(value)) throw validation(9000, `${name} must be an array`);
      return value.map(asObject);
    };
    const deletes = list('deletes');
    const patches = list('patches');
    const puts = list('puts');
    const posts = list('posts');
    const size = deletes.length + patches.length + puts.length + posts.length;
    const limit = zone.plan === 'free' ? 200 : 3500;
    if (size > limit)
      throw validation(9000, `A batch may contain at most ${limit} operations on this plan; got ${size}.`);
    // one transaction: everything runs on a copy, committed only when all succeeded
    const working = zone.records.clone();
    const out = {
      deletes: [] as FakeRecord[],
      patches: [] as FakeRecord[],
      puts: [] as FakeRecord[],
      posts: [] as FakeRecord[],
    };
    const existing = (item: Record<string, unknown>): FakeRecord => {
      const found = typeof item['id'] === 'string' ? working.get(item['id']) : undefined;
      if (!found) throw new FakeApiError(400, [{ code: 81044, message: 'Record does not exist.' }]);
      return found;
    };
    for (const item of deletes) {
      const record = existing(item);
      working.delete(record.id);
      out.deletes.push(record);
    }
    for (const [list, isPut] of [
      [patches, false],
      [puts, true],
    ] as const) {
      for (const item of list) {
        const record = existing(item);
        const next = this.#build(zone, item, record, isPut);
        working.delete(record.id);
        this.#checkSet(zone, working, next);
        working.set(record.id, next);
        (isPut ? out.puts : out.patches).push(next);
      }
    }
    for (const item of posts) {
      const record = this.#build(zone, item, undefined);
      this.#checkSet(zone, working, record);
      working.set(record.id, record);
      out.posts.push(record);
    }
    zone.records = working;
    return out;
  }

  /** Builds a stored record from a request body: new (`base` undefined), PUT or PATCH. */
  #build(
    zone: FakeZone,
    input: Record<string, unknown>,
    base: FakeRecord | undefined,
    replace = false,
  ): FakeRecord {
    const now = new Date().toISOString();
    const from = replace || !base ? undefined : base;
    const get = <T>(key: string, fallback: T): unknown =>
      key in input ? input[key] : (from?.[key as keyof FakeRecord] ?? fallback);
    const type = String(get('type', base?.type ?? '')).toUpperCase();
    const name = String(get('name', base?.name ?? '')).toLowerCase();
    if (!SUPPORTED_TYPES.has(type))
      throw validation(9000, `Unsupported record type ${JSON.stringify(type)}.`);
    if (name !== zone.name && !name.endsWith(`.${zone.name}`))
      throw validation(9000, `Record name ${name} does not belong to zone ${zone.name}.`);
    const proxied = get('proxied', false);
    if (typeof proxied !== 'boolean') throw validation(9003, "Invalid 'proxied' value, must be a boolean");
    if (proxied && !PROXIABLE.has(type)) throw validation(9004, 'This record type cannot be proxied.');
    const ttl = get('ttl', 1);
    const minTtl = zone.plan === 'enterprise' ? 30 : 60;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || (ttl !== 1 && (ttl < minTtl || ttl > 86400)))
      throw validation(9021, `Invalid TTL. Must be between ${minTtl} and 86400 seconds, or 1 for automatic.`);
    const comment = get('comment', null);
    if (comment !== null && typeof comment !== 'string') throw validation(9000, 'comment must be a string');
    const commentLimit = zone.plan === 'free' ? 100 : 500;
    if (typeof comment === 'string' && comment.length > commentLimit)
      throw validation(9000, `Comment is too long: at most ${commentLimit} characters on this plan.`);
    const tags = get('tags', []);
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !/^[\w-]+:.*$/.test(t)))
      throw validation(9000, 'Tags must be strings of the form name:value.');
    const tagQuota = zone.plan === 'free' ? 0 : 50;
    if (tags.length > tagQuota)
      throw validation(9300, `DNS record has ${tags.length} tags, exceeding the quota of ${tagQuota}.`);
    const record: FakeRecord = {
      id: base?.id ?? hexId(),
      zone_id: zone.id,
      zone_name: zone.name,
      name,
      type,
      content: '',
      proxied,
      proxiable: PROXIABLE.has(type),
      ttl: proxied ? 1 : ttl, // Cloudflare reports every proxied record with TTL 1 (automatic)
      comment: comment === '' ? null : comment,
      tags: [...(tags as string[])],
      settings: asObject(get('settings', {})),
      meta: {},
      created_on: base?.created_on ?? now,
      modified_on: now,
    };
    this.#content(record, input, from);
    return record;
  }

  /** Fills content (and priority / data) by type, validating them. */
  #content(record: FakeRecord, input: Record<string, unknown>, from: FakeRecord | undefined): void {
    const raw = 'content' in input ? input['content'] : from?.content;
    const content = typeof raw === 'string' ? raw : '';
    switch (record.type) {
      case 'A':
        if (!isIPv4(content)) throw validation(9005, 'Content for A record must be a valid IPv4 address.');
        record.content = content;
        return;
      case 'AAAA':
        if (!isIPv6(content)) throw validation(9006, 'Content for AAAA record must be a valid IPv6 address.');
        record.content = canonicalIPv6(content) ?? content;
        return;
      case 'CNAME':
      case 'NS':
      case 'PTR':
        if (!isHost(content)) throw validation(9007, `Content for ${record.type} record is invalid.`);
        record.content = stripDot(content).toLowerCase();
        return;
      case 'MX': {
        const priority = num('priority' in input ? input['priority'] : from?.priority);
        if (!isHost(content) || priority === undefined || priority < 0 || priority > 65535)
          throw validation(9100, 'MX records need a valid mail server host name and a priority.');
        record.content = stripDot(content).toLowerCase();
        record.priority = priority;
        return;
      }
      case 'TXT': {
        if (content === '') throw validation(9000, 'Content for TXT record is empty.');
        if (content.startsWith('"')) {
          const strings = parseTxtStrings(content);
          if (!strings) throw validation(9000, 'TXT content must consist of complete quoted strings.');
          if (strings.some((s) => Buffer.byteLength(s) > 255))
            throw validation(9000, 'Each TXT character string may have at most 255 bytes.');
        }
        record.content = content;
        return;
      }
      case 'SRV': {
        const data = asObject('data' in input ? input['data'] : from?.data);
        const [priority, weight, port] = [num(data['priority']), num(data['weight']), num(data['port'])];
        const target =
          typeof data['target'] === 'string' ? stripDot(data['target']).toLowerCase() : undefined;
        if (
          priority === undefined ||
          weight === undefined ||
          port === undefined ||
          !target ||
          !isHost(target)
        )
          throw validation(9101, 'SRV records need data with priority, weight, port and target.');
        record.data = { priority, weight, port, target };
        record.priority = priority;
        record.content = `${priority} ${weight} ${port} ${target}`;
        return;
      }
      case 'CAA': {
        const data = asObject('data' in input ? input['data'] : from?.data);
        const flags = num(data['flags']);
        const tag = data['tag'];
        const value = data['value'];
        if (
          flags === undefined ||
          typeof tag !== 'string' ||
          !/^[a-z0-9]+$/i.test(tag) ||
          typeof value !== 'string'
        )
          throw validation(9102, 'CAA records need data with flags, tag and value.');
        record.data = { flags, tag, value };
        record.content = `${flags} ${tag} "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        return;
      }
      default:
        record.content = content;
    }
  }

  /** Checks a record against the other records of the zone (`records` no longer holds its old version). */
  #checkSet(zone: FakeZone, records: RecordTable, record: FakeRecord): void {
    for (const other of records.atName(record.name)) {
      if (other.id === record.id || other.name !== record.name) continue;
      if (other.type === record.type && other.content === record.content)
        throw new FakeApiError(400, [{ code: 81058, message: 'An identical record already exists.' }]);
      if (
        EXCLUSIVE.has(record.type) &&
        EXCLUSIVE.has(other.type) &&
        (record.type === 'CNAME') !== (other.type === 'CNAME')
      )
        throw new FakeApiError(400, [
          { code: 81053, message: 'An A, AAAA, or CNAME record with that host already exists.' },
        ]);
    }
    const count = records.has(record.id) ? records.size : records.size + 1;
    if (count > zone.recordQuota)
      throw new FakeApiError(400, [{ code: 81045, message: 'Record quota exceeded.' }]);
  }

  #zoneByName(name: string): FakeZone {
    const zone = [...this.#zones.values()].find((z) => z.name === name.toLowerCase());
    if (!zone) throw new Error(`fake: no zone ${name}`);
    return zone;
  }

  #zoneJson(zone: FakeZone): Record<string, unknown> {
    const plan = PLAN_DETAILS[zone.plan];
    return {
      id: zone.id,
      name: zone.name,
      status: 'active',
      paused: false,
      type: 'full',
      development_mode: 0,
      name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
      original_name_servers: null,
      original_registrar: null,
      original_dnshost: null,
      created_on: '2026-01-01T00:00:00Z',
      modified_on: '2026-01-01T00:00:00Z',
      activated_on: '2026-01-01T00:00:00Z',
      meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
      owner: { id: null, type: 'user', email: null },
      account: { id: '01a7362d577a6c3019a474fd6f485823', name: 'Fake account' },
      permissions: ['#dns_records:edit', '#dns_records:read', '#zone:read'],
      plan: {
        id: plan.id,
        name: plan.name,
        price: plan.price,
        currency: 'USD',
        frequency: plan.price ? 'monthly' : '',
        is_subscribed: zone.plan !== 'free',
        can_subscribe: false,
        legacy_id: zone.plan,
        legacy_discount: false,
        externally_managed: false,
      },
    };
  }
}

/** Starts a {@link FakeCloudflare} on loopback. */
export function startFakeCloudflare(options: FakeCloudflareOptions = {}): Promise<FakeCloudflare> {
  return FakeCloudflare.start(options);
}

function ok(result: unknown): unknown {
  return { success: true, errors: [], messages: [], result };
}

function paged(items: readonly unknown[], page: number, perPage: number): unknown {
  const start = (page - 1) * perPage;
  const result = items.slice(start, start + perPage);
  return {
    success: true,
    errors: [],
    messages: [],
    result,
    result_info: {
      page,
      per_page: perPage,
      count: result.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    },
  };
}

function intParam(value: string | null, fallback: number, min: number, max: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new FakeApiError(400, [
      { code: 1001, message: `Invalid paging parameter ${JSON.stringify(value)} (${min}–${max})` },
    ]);
  return n;
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw validation(9000, 'Expected a JSON object.');
  return value as Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
