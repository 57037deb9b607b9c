import { ConfigError } from './errors.js';
import { dnsNameToUnicode } from './endpoint/names.js';

/** The JSON form ExternalDNS uses (also the webhook negotiation body). */
export type DomainFilterJSON =
  { include?: string[]; exclude?: string[] } | { regexInclude?: string; regexExclude?: string };

export interface DomainFilterOptions {
  /** Domains to include; empty = everything. `example.org` matches itself and its subdomains, `.example.org` only subdomains. */
  include?: readonly string[];
  /** Domains to exclude, same matching rules; exclusion wins. */
  exclude?: readonly string[];
  /** Regular expression a name must match (unanchored). When a regex is set the lists are ignored. */
  regexInclude?: string | RegExp;
  /** Regular expression that rejects a name (unanchored). */
  regexExclude?: string | RegExp;
}

function normalizeEntry(entry: string): string {
  const trimmed = entry.trim();
  if (trimmed === '') return '';
  const leadingDot = trimmed.startsWith('.');
  const body = dnsNameToUnicode(leadingDot ? trimmed.slice(1) : trimmed);
  return leadingDot ? `.${body}` : body;
}

function toRegExp(value: string | RegExp | undefined, name: string): RegExp | undefined {
  if (value === undefined || value === '') return undefined;
  if (value instanceof RegExp) return value;
  try {
    return new RegExp(value);
  } catch (cause) {
    throw new ConfigError(`${name} is not a valid regular expression: ${JSON.stringify(value)}`, { cause });
  }
}

function matchesEntry(name: string, entry: string): boolean {
  if (entry.startsWith('.')) return name.endsWith(entry);
  return name === entry || name.endsWith(`.${entry}`);
}

/**
 * Which DNS names a provider or controller manages, with ExternalDNS's matching rules: include and
 * exclude lists (case-insensitive, IDNA-aware), or a regex pair that replaces the lists entirely.
 */
export class DomainFilter {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly regexInclude: RegExp | undefined;
  readonly regexExclude: RegExp | undefined;

  constructor(options: DomainFilterOptions = {}) {
    this.regexInclude = toRegExp(options.regexInclude, 'regexInclude');
    this.regexExclude = toRegExp(options.regexExclude, 'regexExclude');
    this.include = [...new Set((options.include ?? []).map(normalizeEntry).filter(Boolean))].sort();
    this.exclude = [...new Set((options.exclude ?? []).map(normalizeEntry).filter(Boolean))].sort();
  }

  /** A filter that matches every name. */
  static all(): DomainFilter {
    return new DomainFilter();
  }

  /** Reads the ExternalDNS JSON form; `null` or `{}` matches everything. Both forms at once is an error. */
  static fromJSON(json: DomainFilterJSON | null | undefined): DomainFilter {
    if (!json) return new DomainFilter();
    const j = json as Record<string, unknown>;
    const hasList = Array.isArray(j['include']) || Array.isArray(j['exclude']);
    const hasRegex = typeof j['regexInclude'] === 'string' || typeof j['regexExclude'] === 'string';
    if (hasList && hasRegex)
      throw new ConfigError('a domain filter cannot have both list (include/exclude) and regex fields');
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const list = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    const opts: DomainFilterOptions = { include: list(j['include']), exclude: list(j['exclude']) };
    const ri = str(j['regexInclude']);
    const re = str(j['regexExclude']);
    if (ri !== undefined) opts.regexInclude = ri;
    if (re !== undefined) opts.regexExclude = re;
    return new DomainFilter(opts);
  }

  /** True when the filter uses the regex form. */
  get isRegex(): boolean {
    return this.regexInclude !== undefined || this.regexExclude !== undefined;
  }

  /** True when the filter restricts nothing. */
  get isEmpty(): boolean {
    return !this.isRegex && this.include.length === 0 && this.exclude.length === 0;
  }

  /** True when `name` is managed under this filter. */
  matches(name: string): boolean {
    const n = dnsNameToUnicode(name);
    if (this.isRegex) {
      if (this.regexExclude && this.regexExclude.test(n)) return false;
      return this.regexInclude ? this.regexInclude.test(n) : true;
    }
    const included = this.include.length === 0 || this.include.some((f) => matchesEntry(n, f));
    return included && !this.exclude.some((f) => matchesEntry(n, f));
  }

  /** The ExternalDNS JSON form: lists sorted and omitted when empty, or the regex pair. */
  toJSON(): DomainFilterJSON {
    if (this.isRegex) {
      const out: { regexInclude?: string; regexExclude?: string } = {};
      if (this.regexInclude) out.regexInclude = this.regexInclude.source;
      if (this.regexExclude) out.regexExclude = this.regexExclude.source;
      return out;
    }
    const out: { include?: string[]; exclude?: string[] } = {};
    if (this.include.length) out.include = [...this.include];
    if (this.exclude.length) out.exclude = [...this.exclude];
    return out;
  }

  /** A filter that matches only names both filters match (ExternalDNS `MatchAllDomainFilters`). */
  and(other: DomainFilter): DomainFilterLike {
    return { matches: (name) => this.matches(name) && other.matches(name) };
  }
}

/** Anything that can say whether it manages a name. */
export interface DomainFilterLike {
  matches(name: string): boolean;
}
