import { ConfigError } from './errors.js';
import { goRegExp } from './goRegExp.js';
import { dnsNameToUnicode, isInZone } from './endpoint/names.js';
import { describeValue, isStringList } from './lists.js';

/** The JSON form ExternalDNS uses (also the webhook negotiation body). */
export type DomainFilterJSON =
  | {
      /** Domains to include (sorted; absent when empty = everything). */
      include?: string[];
      /** Domains to exclude (sorted; absent when empty). */
      exclude?: string[];
    }
  | {
      /** Source of the include expression. */
      regexInclude?: string;
      /** Source of the exclude expression. */
      regexExclude?: string;
    };

/**
 * Options of {@link DomainFilter}: lists (ExternalDNS `--domain-filter`, `--exclude-domains`) or regular
 * expressions (`--regex-domain-filter`, `--regex-domain-exclusion`).
 */
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

// ExternalDNS filters are Go RE2 expressions: RE2 spellings are translated (see goRegExp). A RegExp
// given as one is used as it is; `g` and `y` are dropped: they make `test` stateful.
function toRegExp(value: string | RegExp | undefined, name: string): RegExp | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' && !(value instanceof RegExp))
    throw new ConfigError(
      `domain filter "${name}" must be a string or a RegExp, got ${describeValue(value)}`,
    );
  if (value instanceof RegExp) return new RegExp(value.source, value.flags.replace(/[gy]/g, ''));
  try {
    return goRegExp(value);
  } catch (cause) {
    throw new ConfigError(
      `${name} is not a valid regular expression: ${JSON.stringify(value)}${cause instanceof SyntaxError ? ` (${cause.message})` : ''}`,
      { cause },
    );
  }
}

function regexSource(value: string | RegExp | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : value.source;
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
  /**
   * Include entries, normalised (lower case, Unicode, no trailing dot; a leading `.` kept); empty =
   * everything.
   */
  readonly include: readonly string[];
  /** Exclude entries, normalised like `include`; an excluded name never matches. */
  readonly exclude: readonly string[];
  /** Include expression, when the filter is a regex filter (the lists are then ignored). */
  readonly regexInclude: RegExp | undefined;
  /** Exclude expression of a regex filter; a name it matches is rejected. */
  readonly regexExclude: RegExp | undefined;
  // the expressions as given, so toJSON returns exactly what was configured
  readonly #regexSources: { include: string | undefined; exclude: string | undefined };

  /**
   * @param options Include and exclude lists, or a regex pair (which replaces the lists).
   * @throws `ConfigError` (`CONFIG`) when `options` is not an object, a list is not a list of
   *   strings (`include: 'example.com'` for `['example.com']`), or a regex is not a valid expression.
   */
  constructor(options: DomainFilterOptions = {}) {
    if (typeof (options as unknown) !== 'object' || options === null || Array.isArray(options))
      throw new ConfigError(
        `a domain filter's options must be an object ({ include, exclude } or { regexInclude, regexExclude }), got ${describeValue(options)}`,
      );
    for (const key of ['include', 'exclude'] as const) {
      const v: unknown = options[key];
      if (v !== undefined && !isStringList(v))
        throw new ConfigError(
          `domain filter "${key}" must be a list of strings (e.g. ["example.com"]), got ${describeValue(v)}`,
        );
    }
    this.regexInclude = toRegExp(options.regexInclude, 'regexInclude');
    this.regexExclude = toRegExp(options.regexExclude, 'regexExclude');
    this.#regexSources = {
      include: regexSource(options.regexInclude),
      exclude: regexSource(options.regexExclude),
    };
    this.include = [...new Set((options.include ?? []).map(normalizeEntry).filter(Boolean))].sort();
    this.exclude = [...new Set((options.exclude ?? []).map(normalizeEntry).filter(Boolean))].sort();
  }

  /** A filter that matches every name. */
  static all(): DomainFilter {
    return new DomainFilter();
  }

  /**
   * Reads the ExternalDNS JSON form; `null`, `undefined` or `{}` match everything. Like ExternalDNS,
   * non-empty lists together with a non-empty regex are an error; wrong JSON types are too.
   * @throws {@link ConfigError}
   */
  static fromJSON(json: unknown): DomainFilter {
    if (json === null || json === undefined) return new DomainFilter();
    if (typeof json !== 'object' || Array.isArray(json))
      throw new ConfigError(`a domain filter must be a JSON object, got ${JSON.stringify(json)}`);
    const fields = json as Record<string, unknown>;
    const list = (key: 'include' | 'exclude'): string[] => {
      const v = fields[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
        throw new ConfigError(`domain filter "${key}" must be a list of strings, got ${JSON.stringify(v)}`);
      return v;
    };
    const text = (key: 'regexInclude' | 'regexExclude'): string => {
      const v = fields[key];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string')
        throw new ConfigError(`domain filter "${key}" must be a string, got ${JSON.stringify(v)}`);
      return v;
    };
    const include = list('include');
    const exclude = list('exclude');
    const regexInclude = text('regexInclude');
    const regexExclude = text('regexExclude');
    const hasRegex = regexInclude !== '' || regexExclude !== '';
    if (hasRegex && (include.length > 0 || exclude.length > 0))
      throw new ConfigError('a domain filter cannot have both list (include/exclude) and regex fields');
    return hasRegex
      ? new DomainFilter({ regexInclude, regexExclude })
      : new DomainFilter({ include, exclude });
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
    if (this.isEmpty) return true; // the common case needs no normalisation
    const n = dnsNameToUnicode(name);
    if (this.isRegex) {
      if (this.regexExclude && this.regexExclude.test(n)) return false;
      return this.regexInclude ? this.regexInclude.test(n) : true;
    }
    const included = this.include.length === 0 || this.include.some((f) => matchesEntry(n, f));
    return included && !this.exclude.some((f) => matchesEntry(n, f));
  }

  /**
   * True when records inside `zone` may pass the filter, so a provider should read the zone: the
   * filter matches the zone or names something inside it. A regex filter cannot tell, so every
   * zone is read and records are filtered one by one.
   */
  selectsZone(zone: string): boolean {
    if (this.isEmpty || this.isRegex || this.matches(zone)) return true;
    return this.include.some((entry) => isInZone(entry.startsWith('.') ? entry.slice(1) : entry, zone));
  }

  /** The ExternalDNS JSON form: lists sorted and omitted when empty, or the regex pair. */
  toJSON(): DomainFilterJSON {
    if (this.isRegex) {
      const out: { regexInclude?: string; regexExclude?: string } = {};
      if (this.#regexSources.include !== undefined) out.regexInclude = this.#regexSources.include;
      if (this.#regexSources.exclude !== undefined) out.regexExclude = this.#regexSources.exclude;
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
  /** True when `name` (any spelling: case, trailing dot, Unicode or punycode) may be read and written. */
  matches(name: string): boolean;
}
