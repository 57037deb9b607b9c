/**
 * Typed builders for PowerDNS LUA records (`enable-lua-records=yes`).
 *
 * Each builder checks its arguments and renders a Lua expression; {@link lua.content} wraps it as
 * record content (`A "ifportup(443, {'192.0.2.1', '192.0.2.2'})"`) and {@link lua.endpoint} as a
 * core endpoint of type `LUA`, which the provider writes like any other record.
 *
 * Rendering rules (PowerDNS hands the text between the double quotes to Lua without unescaping):
 * Lua strings are single-quoted with `\\`, `\'` and `\ddd` escapes, so the code never contains a
 * double quote; option values are quoted strings (a Lua boolean makes 4.7 answer SERVFAIL); code
 * longer than 255 bytes is split only after a space outside string literals, which 4.x (joins with
 * a space) and 5.x (joins without) both read back as the same code.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { endpoint, ValidationError, type Endpoint, type Issue, type IssuePath } from '@openova/dns-core';
import { checkDnsName, withoutTrailingDot, withTrailingDot } from '@openova/dns-core/provider';
import { latestRequirement, luaCodeRequirements } from './luaRequirements.js';

/** Record types a LUA record can answer for. */
export type LuaQueryType =
  'A' | 'AAAA' | 'CNAME' | 'TXT' | 'PTR' | 'MX' | 'SRV' | 'NS' | 'LUA' | (string & {});

/** A rendered Lua expression, with the record type its result answers (when it is implied). */
export interface LuaExpression {
  /** Always `expression` (tells expressions from conditions). */
  readonly kind: 'expression';
  /** Lua source of the expression, free of double quotes. */
  readonly code: string;
  /** The type the values are of: `A` for IPv4 pools, `AAAA` for IPv6, `CNAME` for host names. */
  readonly queryType: LuaQueryType | undefined;
  /** Lowest PowerDNS version that evaluates it (e.g. nested address sets in `ifportup` need 4.8.0). */
  readonly minimumVersion: string | undefined;
}

/** A Lua predicate for {@link lua.choose}, e.g. `country({'NL', 'BE'})`. */
export interface LuaCondition {
  /** Always `condition`. */
  readonly kind: 'condition';
  /** Lua source of the predicate, free of double quotes. */
  readonly code: string;
}

/** How a health-checking function picks among live addresses (and, as backup, among all). */
export type LuaSelector = 'random' | 'all' | 'hashed' | 'pickclosest';
/** How to pick when no address is up: a {@link LuaSelector}, or `empty` (answer nothing). */
export type LuaBackupSelector = LuaSelector | 'empty';

/** Options shared by `ifportup` and `ifurlup`. Values are sent as quoted strings. */
export interface LuaHealthCheckOptions {
  /** Picks among live addresses (PowerDNS default `random`). */
  selector?: LuaSelector;
  /** Picks when nothing is up (default `random` over all addresses). */
  backupSelector?: LuaBackupSelector;
  /** Source address of the checks. */
  source?: string;
  /** Seconds per check (PowerDNS default 2). */
  timeout?: number;
  /** Seconds between checks (PowerDNS 5.0+). */
  interval?: number;
  /** Consecutive failures before an address counts as down (PowerDNS 5.0+). */
  minimumFailures?: number;
  /** Answer SERVFAIL instead of the backup while the first check runs (PowerDNS 5.0+). */
  failOnIncompleteCheck?: boolean;
}

/** Options of `ifurlup`. */
export interface LuaUrlCheckOptions extends LuaHealthCheckOptions {
  /** The body must contain this string. */
  stringmatch?: string;
  /** `User-Agent` header of the health-check requests (default: PowerDNS's own). */
  useragent?: string;
  /** Most bytes of the body read (PowerDNS 4.8+). */
  byteslimit?: number;
  /** Status code that means "up" (PowerDNS 5.0+; default 200). */
  httpcode?: number;
}

/** One weighted value of `pickwrandom` / `pickwhashed`. */
export interface LuaWeightedValue {
  /** Positive integer weight. */
  weight: number;
  /** The value answered: an address, or a host name with `queryType: 'CNAME'`. */
  value: string;
}

/** What a case of {@link lua.choose} answers: an expression or fixed values. */
export type LuaAnswer = LuaExpression | string | readonly string[];

/** Input of {@link lua.choose}: conditions tried in order, and a fallback. */
export interface LuaChooseInput {
  /** Tried in order; the first condition that holds gives the answer. */
  cases: readonly { when: LuaCondition; then: LuaAnswer }[];
  /** Answer when no condition holds. */
  otherwise: LuaAnswer;
}

/** Options of the value pickers (`pickrandom`, `pickwrandom`, …). */
export interface LuaValuesOptions {
  /** Type of the values when they are not all IPv4 (A) or all IPv6 (AAAA) addresses. */
  queryType?: LuaQueryType;
}

/** Input of {@link lua.endpoint}: a name and its expressions. */
export interface LuaEndpointInput {
  /** Owner name of the LUA record, e.g. `api.example.com`. */
  dnsName: string;
  /**
   * One expression, or several for one name: PowerDNS keeps every LUA record of a name in one rrset
   * and answers each query type from the record of that type, so a dual-stack name is
   * `[lua.ifportup(443, v4s), lua.ifportup(443, v6s)]` — one endpoint, never two.
   */
  expression: LuaExpression | readonly LuaExpression[];
  /** Defaults to the expression's query type (one expression only). */
  queryType?: LuaQueryType;
  /** TTL of the answers (0 = the provider's default). */
  recordTTL?: number;
}

const CONTINENTS = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;
const MAX_CHUNK_OCTETS = 255;

// ---- rendering ---------------------------------------------------------------------------------

/**
 * A Lua string literal in single quotes. Every byte outside printable ASCII, and the double quote,
 * becomes a three-digit `\ddd` escape, so the result is pure ASCII without `"`.
 */
export function luaString(value: string): string {
  let out = "'";
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f || byte === 0x22) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}'`;
}

function luaList(items: readonly string[]): string {
  return `{${items.join(', ')}}`;
}

function renderOptions(options: Record<string, string | number | boolean | undefined>): string | undefined {
  const keys = Object.keys(options)
    .filter((k) => options[k] !== undefined)
    .sort();
  if (keys.length === 0) return undefined;
  // PowerDNS reads options as a string→string map: quote every value, booleans included.
  return `{${keys.map((k) => `${k}=${luaString(String(options[k]))}`).join(', ')}}`;
}

/**
 * Splits Lua code into chunks of at most 255 bytes, only right after a space outside a string
 * literal. Returns one chunk when no such split exists (PowerDNS accepts long chunks; only AXFR to
 * secondaries re-chunks).
 */
export function splitLuaCode(code: string): string[] {
  if (Buffer.byteLength(code, 'utf8') <= MAX_CHUNK_OCTETS) return [code];
  const safeEnds: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'") quote = c;
    else if (c === ' ') safeEnds.push(i + 1);
  }
  const chunks: string[] = [];
  let start = 0;
  let lastSafe = -1;
  for (const end of safeEnds) {
    if (Buffer.byteLength(code.slice(start, end), 'utf8') > MAX_CHUNK_OCTETS) {
      if (lastSafe <= start) return [code];
      chunks.push(code.slice(start, lastSafe));
      start = lastSafe;
    }
    lastSafe = end;
  }
  if (Buffer.byteLength(code.slice(start), 'utf8') > MAX_CHUNK_OCTETS) {
    if (lastSafe <= start) return [code];
    chunks.push(code.slice(start, lastSafe));
    start = lastSafe;
  }
  if (Buffer.byteLength(code.slice(start), 'utf8') > MAX_CHUNK_OCTETS) return [code];
  chunks.push(code.slice(start));
  return chunks;
}

// ---- validation --------------------------------------------------------------------------------

class IssueList {
  readonly issues: Issue[] = [];
  add(path: IssuePath, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }
  throwIfAny(what: string): void {
    if (this.issues.length)
      throw new ValidationError(this.issues, { summary: `lua.${what}: invalid arguments` });
  }
}

function checkAddresses(addresses: readonly string[], path: IssuePath, issues: IssueList): void {
  if (!Array.isArray(addresses) || addresses.length === 0) {
    issues.add(path, 'empty_pool', 'needs at least one address');
    return;
  }
  addresses.forEach((a, i) => {
    if (typeof a !== 'string' || isIP(a) === 0)
      issues.add([...path, i], 'invalid_ip', `${JSON.stringify(a)} is not an IP address`);
  });
}

function addressFamily(
  addresses: readonly string[],
  path: IssuePath,
  issues: IssueList,
): 'A' | 'AAAA' | undefined {
  const v4 = addresses.filter((a) => isIPv4(a)).length;
  const v6 = addresses.filter((a) => isIPv6(a)).length;
  if (v4 && v6) {
    issues.add(
      path,
      'mixed_families',
      'IPv4 and IPv6 addresses cannot answer the same query type; use two records (A and AAAA)',
    );
    return undefined;
  }
  return v6 ? 'AAAA' : v4 ? 'A' : undefined;
}

function checkInteger(
  value: unknown,
  range: { min: number; max: number },
  path: IssuePath,
  issues: IssueList,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    issues.add(
      path,
      'invalid_integer',
      `must be an integer from ${range.min} to ${range.max}, got ${String(value)}`,
    );
  }
}

function checkUrl(url: string, path: IssuePath, issues: IssueList): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    issues.add(path, 'invalid_url', `${JSON.stringify(url)} is not an http(s) URL`);
  }
}

function checkHealthOptions(options: LuaUrlCheckOptions, issues: IssueList): void {
  const selectors = ['random', 'all', 'hashed', 'pickclosest'];
  if (options.selector !== undefined && !selectors.includes(options.selector)) {
    issues.add(
      ['options', 'selector'],
      'invalid_selector',
      `selector must be one of ${selectors.join(', ')}`,
    );
  }
  if (options.backupSelector !== undefined && ![...selectors, 'empty'].includes(options.backupSelector)) {
    issues.add(
      ['options', 'backupSelector'],
      'invalid_selector',
      `backupSelector must be one of ${selectors.join(', ')}, empty`,
    );
  }
  if (options.source !== undefined && isIP(options.source) === 0) {
    issues.add(['options', 'source'], 'invalid_ip', `${JSON.stringify(options.source)} is not an IP address`);
  }
  for (const key of ['timeout', 'interval'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      issues.add(['options', key], 'invalid_number', `${key} must be a positive number of seconds`);
    }
  }
  if (options.minimumFailures !== undefined)
    checkInteger(options.minimumFailures, { min: 1, max: 1000 }, ['options', 'minimumFailures'], issues);
  if (options.byteslimit !== undefined)
    checkInteger(options.byteslimit, { min: 1, max: 2 ** 31 - 1 }, ['options', 'byteslimit'], issues);
  if (options.httpcode !== undefined)
    checkInteger(options.httpcode, { min: 100, max: 599 }, ['options', 'httpcode'], issues);
}

function healthOptionValues(
  options: LuaUrlCheckOptions,
): Record<string, string | number | boolean | undefined> {
  return {
    selector: options.selector,
    backupSelector: options.backupSelector,
    source: options.source,
    timeout: options.timeout,
    interval: options.interval,
    minimumFailures: options.minimumFailures,
    failOnIncompleteCheck: options.failOnIncompleteCheck,
    stringmatch: options.stringmatch,
    useragent: options.useragent,
    byteslimit: options.byteslimit,
    httpcode: options.httpcode,
  };
}

// The minimum version comes from the rendered code, by the same rules the provider applies to any
// LUA content before it writes (one table of features, in luaRequirements.ts).
function expression(code: string, queryType: LuaQueryType | undefined): LuaExpression {
  return {
    kind: 'expression',
    code,
    queryType,
    minimumVersion: latestRequirement(luaCodeRequirements(code)),
  };
}

/**
 * Values rendered as Lua strings: host names made absolute for CNAME-like answers; TXT text escaped
 * for the quotes PowerDNS puts around a TXT result before parsing it as record content.
 */
function renderValues(values: readonly string[], queryType: LuaQueryType | undefined): string[] {
  const absolute = queryType === 'CNAME' || queryType === 'PTR' || queryType === 'NS';
  const txt = queryType === 'TXT' || queryType === 'SPF';
  return values.map((v) =>
    luaString(absolute ? withTrailingDot(v) : txt ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v),
  );
}

function valuesQueryType(
  values: readonly string[],
  options: LuaValuesOptions,
  input: { path: IssuePath; issues: IssueList },
): LuaQueryType | undefined {
  const { path, issues } = input;
  const allIPs = values.every((v) => typeof v === 'string' && isIP(v) !== 0);
  const family = allIPs ? addressFamily(values, path, issues) : undefined;
  const queryType = options.queryType?.toUpperCase() ?? family;
  if (queryType === undefined && !allIPs) {
    issues.add(
      [...path.slice(0, -1), 'queryType'],
      'query_type_needed',
      'values are not all IP addresses: say which queryType they answer (CNAME, TXT, …)',
    );
  }
  if (queryType === 'A' || queryType === 'AAAA') {
    values.forEach((v, i) => {
      const ok = queryType === 'A' ? isIPv4(v) : isIPv6(v);
      if (!ok)
        issues.add(
          [...path, i],
          'invalid_ip',
          `${JSON.stringify(v)} is not an ${queryType === 'A' ? 'IPv4' : 'IPv6'} address`,
        );
    });
  }
  if (queryType === 'CNAME' || queryType === 'PTR' || queryType === 'NS') {
    values.forEach((v, i) => {
      for (const problem of checkDnsName(withoutTrailingDot(v), [...path, i], { what: 'host name' }))
        issues.issues.push(problem);
    });
  }
  return queryType;
}

function checkPool(values: readonly unknown[], path: IssuePath, issues: IssueList): boolean {
  if (!Array.isArray(values) || values.length === 0) {
    issues.add(path, 'empty_pool', 'needs at least one value');
    return false;
  }
  return true;
}

function weighted(
  name: 'pickwrandom' | 'pickwhashed',
  entries: readonly LuaWeightedValue[],
  options: LuaValuesOptions,
): LuaExpression {
  const issues = new IssueList();
  if (!checkPool(entries, ['values'], issues)) issues.throwIfAny(name);
  entries.forEach((e, i) =>
    checkInteger(e.weight, { min: 1, max: 2 ** 31 - 1 }, ['values', i, 'weight'], issues),
  );
  const values = entries.map((e) => e.value);
  const queryType = valuesQueryType(values, options, { path: ['values'], issues });
  issues.throwIfAny(name);
  const rendered = renderValues(values, queryType);
  return expression(
    `${name}(${luaList(entries.map((e, i) => `{${e.weight}, ${rendered[i] ?? ''}}`))})`,
    queryType,
  );
}

function condition(name: 'country' | 'continent', codes: string | readonly string[]): LuaCondition {
  const issues = new IssueList();
  const list = typeof codes === 'string' ? [codes] : [...codes];
  if (list.length === 0) issues.add(['codes'], 'empty_pool', 'needs at least one code');
  const normalized = list.map((c) => (typeof c === 'string' ? c.toUpperCase() : ''));
  normalized.forEach((c, i) => {
    const ok = name === 'country' ? /^[A-Z]{2}$/.test(c) : (CONTINENTS as readonly string[]).includes(c);
    if (!ok) {
      issues.add(
        ['codes', i],
        name === 'country' ? 'invalid_country' : 'invalid_continent',
        name === 'country'
          ? `${JSON.stringify(list[i])} is not an ISO 3166 two-letter country code`
          : `${JSON.stringify(list[i])} is not a continent code (${CONTINENTS.join(', ')})`,
      );
    }
  });
  issues.throwIfAny(name);
  const argument =
    normalized.length === 1 ? luaString(normalized[0] ?? '') : luaList(normalized.map(luaString));
  return { kind: 'condition', code: `${name}(${argument})` };
}

function answerCode(
  answer: LuaAnswer,
  path: IssuePath,
  issues: IssueList,
): { code: string; queryType: LuaQueryType | undefined } {
  if (
    typeof answer === 'object' &&
    !Array.isArray(answer) &&
    (answer as LuaExpression).kind === 'expression'
  ) {
    const expr = answer as LuaExpression;
    return { code: expr.code, queryType: expr.queryType };
  }
  const values = typeof answer === 'string' ? [answer] : (answer as readonly string[]);
  if (!checkPool(values, path, issues)) return { code: '{}', queryType: undefined };
  const queryType = values.every((v) => isIP(v) !== 0) ? addressFamily(values, path, issues) : undefined;
  return {
    code: values.length === 1 ? luaString(values[0] ?? '') : luaList(values.map(luaString)),
    queryType,
  };
}

// ---- builders ----------------------------------------------------------------------------------

/** The LUA record builders. */
/**
 * The address sets of `ifportup`/`ifurlup` (a flat list is one set), checked together with the
 * health-check options; throws every issue found, then the sets' common address family.
 */
function healthCheckedSets(
  fn: string,
  input: {
    addresses: readonly string[] | readonly (readonly string[])[];
    options: LuaHealthCheckOptions;
    issues: IssueList;
  },
): { nested: boolean; sets: readonly (readonly string[])[]; family: LuaQueryType | undefined } {
  const { addresses, options, issues } = input;
  const nested = Array.isArray(addresses) && addresses.some((a) => Array.isArray(a));
  const sets = (nested ? addresses : [addresses]) as readonly (readonly string[])[];
  if (!Array.isArray(addresses) || addresses.length === 0)
    issues.add(['addresses'], 'empty_pool', 'needs at least one address');
  else sets.forEach((set, i) => checkAddresses(set, nested ? ['addresses', i] : ['addresses'], issues));
  checkHealthOptions(options, issues);
  issues.throwIfAny(fn);
  const family = addressFamily(sets.flat(), ['addresses'], issues);
  issues.throwIfAny(fn);
  return { nested, sets, family };
}

/**
 * Builders of PowerDNS LUA record expressions and endpoints. Each returns typed Lua source, checked before
 * anything is sent (bad addresses, ports, weights are a `ValidationError` with the path); `lua.endpoint`
 * turns expressions into a `LUA` endpoint for `reconcile`. Source: PowerDNS "Lua Records" documentation.
 */
export const lua = {
  /**
   * `ifportup(port, addresses, options)`: answers the addresses accepting TCP connections on `port`.
   * Pass a list of lists for priority groups (the first group with a live address wins; PowerDNS 4.8+).
   */
  ifportup(
    port: number,
    addresses: readonly string[] | readonly (readonly string[])[],
    options: LuaHealthCheckOptions = {},
  ): LuaExpression {
    const issues = new IssueList();
    checkInteger(port, { min: 1, max: 65535 }, ['port'], issues);
    const { nested, sets, family } = healthCheckedSets('ifportup', { addresses, options, issues });
    const list = nested
      ? luaList(sets.map((s) => luaList(s.map(luaString))))
      : luaList(sets.flat().map(luaString));
    const rendered = renderOptions(healthOptionValues(options));
    return expression(`ifportup(${port}, ${list}${rendered ? `, ${rendered}` : ''})`, family);
  },

  /**
   * `ifurlup(url, addressSets, options)`: answers the addresses where an HTTP(S) GET of `url`
   * (sent to that address) returns 200 (and contains `stringmatch`). A flat list is one set.
   */
  ifurlup(
    url: string,
    addresses: readonly string[] | readonly (readonly string[])[],
    options: LuaUrlCheckOptions = {},
  ): LuaExpression {
    const issues = new IssueList();
    checkUrl(url, ['url'], issues);
    const { sets, family } = healthCheckedSets('ifurlup', { addresses, options, issues });
    const list = luaList(sets.map((s) => luaList(s.map(luaString))));
    const rendered = renderOptions(healthOptionValues(options));
    return expression(`ifurlup(${luaString(url)}, ${list}${rendered ? `, ${rendered}` : ''})`, family);
  },

  /** `pickclosest(addresses)`: the address closest to the client (needs the geoip backend). */
  pickclosest(addresses: readonly string[]): LuaExpression {
    const issues = new IssueList();
    checkAddresses(addresses, ['addresses'], issues);
    issues.throwIfAny('pickclosest');
    const family = addressFamily(addresses, ['addresses'], issues);
    issues.throwIfAny('pickclosest');
    return expression(`pickclosest(${luaList(addresses.map(luaString))})`, family);
  },

  /** `pickrandom(values)`: one value at random. Non-IP values need `queryType`. */
  pickrandom(values: readonly string[], options: LuaValuesOptions = {}): LuaExpression {
    const issues = new IssueList();
    if (!checkPool(values, ['values'], issues)) issues.throwIfAny('pickrandom');
    const queryType = valuesQueryType(values, options, { path: ['values'], issues });
    issues.throwIfAny('pickrandom');
    return expression(`pickrandom(${luaList(renderValues(values, queryType))})`, queryType);
  },

  /** `pickwrandom({{weight, value}, …})`: one value at random, by weight. */
  pickwrandom(values: readonly LuaWeightedValue[], options: LuaValuesOptions = {}): LuaExpression {
    return weighted('pickwrandom', values, options);
  },

  /** `pickwhashed({{weight, value}, …})`: one value by weight, stable per client address. */
  pickwhashed(values: readonly LuaWeightedValue[], options: LuaValuesOptions = {}): LuaExpression {
    return weighted('pickwhashed', values, options);
  },

  /** `country(code)`: true when the client is in one of these countries (needs the geoip backend). */
  country(codes: string | readonly string[]): LuaCondition {
    return condition('country', codes);
  },

  /** `continent(code)`: true when the client is on one of these continents (AF AN AS EU NA OC SA). */
  continent(codes: string | readonly string[]): LuaCondition {
    return condition('continent', codes);
  },

  /**
   * The first case whose condition holds answers, else `otherwise`; rendered as one expression
   * `(c1 and a1) or (c2 and a2) or … or otherwise` (every answer is a non-empty string or table,
   * which Lua treats as true, so `and`/`or` pick correctly).
   */
  choose(input: LuaChooseInput): LuaExpression {
    const issues = new IssueList();
    if (input.cases.length === 0) issues.add(['cases'], 'empty_pool', 'needs at least one case');
    const parts = input.cases.map((c, i) => {
      if (c.when?.kind !== 'condition')
        issues.add(['cases', i, 'when'], 'invalid_condition', 'must be a condition such as lua.country(…)');
      const answer = answerCode(c.then, ['cases', i, 'then'], issues);
      return { code: `(${c.when?.code ?? 'false'} and ${answer.code})`, queryType: answer.queryType };
    });
    const fallback = answerCode(input.otherwise, ['otherwise'], issues);
    const types = new Set(
      [...parts.map((p) => p.queryType), fallback.queryType].filter((t) => t !== undefined),
    );
    if (types.size > 1)
      issues.add([], 'mixed_query_types', `answers are of different types: ${[...types].join(', ')}`);
    issues.throwIfAny('choose');
    return expression([...parts.map((p) => p.code), fallback.code].join(' or '), [...types][0]);
  },

  /**
   * Lua code written by hand, as an escape hatch (e.g. the `;`-prefixed script form). It must not
   * contain a double quote: PowerDNS would cut the code there.
   */
  raw(code: string, options: LuaValuesOptions = {}): LuaExpression {
    const issues = new IssueList();
    if (typeof code !== 'string' || code.trim() === '') issues.add(['code'], 'empty_code', 'code is empty');
    else if (code.includes('"'))
      issues.add(
        ['code'],
        'double_quote',
        "Lua code must not contain '\"'; use single-quoted strings or \\34",
      );
    issues.throwIfAny('raw');
    return expression(code, options.queryType?.toUpperCase());
  },

  /** Record content: `<QTYPE> "<code>"`, split into chunks only where safe. */
  content(expr: LuaExpression, options: LuaValuesOptions = {}): string {
    const queryType = (options.queryType ?? expr.queryType)?.toUpperCase();
    if (queryType === undefined || !/^[A-Z0-9]+$/.test(queryType)) {
      throw new ValidationError(
        [
          {
            path: ['queryType'],
            code: 'query_type_needed',
            message: 'say which record type the LUA record answers (A, AAAA, CNAME, TXT, …)',
          },
        ],
        { summary: 'lua.content: invalid arguments' },
      );
    }
    return `${queryType} ${splitLuaCode(expr.code)
      .map((chunk) => `"${chunk}"`)
      .join(' ')}`;
  },

  /**
   * A core endpoint of type `LUA` for the provider to write: one target per expression.
   * @throws ValidationError when two expressions answer the same query type (PowerDNS would pick
   *   one at random per query), or for bad expression arguments.
   */
  endpoint(input: LuaEndpointInput): Endpoint {
    const expressions: readonly LuaExpression[] = Array.isArray(input.expression)
      ? input.expression
      : [input.expression as LuaExpression];
    const options =
      input.queryType === undefined || expressions.length > 1 ? {} : { queryType: input.queryType };
    const targets = expressions.map((e) => lua.content(e, options));
    const types = targets.map((t) => t.slice(0, t.indexOf(' ')));
    const twice = types.find((t, i) => types.indexOf(t) !== i);
    if (twice !== undefined)
      throw new ValidationError(
        [
          {
            path: ['expression', types.lastIndexOf(twice)],
            code: 'lua_query_type_twice',
            message: `two expressions answer ${twice} queries for ${input.dnsName}; give one expression per query type`,
          },
        ],
        { summary: 'lua.endpoint: invalid arguments' },
      );
    return endpoint({
      dnsName: input.dnsName,
      recordType: 'LUA',
      targets,
      recordTTL: input.recordTTL ?? 0,
    });
  },
} as const;
