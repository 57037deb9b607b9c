import { lowerCased } from '../endpoint/names.js';
import { ConfigError } from '../errors.js';
import { describeValue } from '../lists.js';

/** How registry TXT names are derived from record names (ExternalDNS `--txt-prefix`, `--txt-suffix`, …). */
export interface TxtNameConfig {
  /** Glued to the front of the whole name; may contain `%{record_type}` and dots. */
  prefix?: string;
  /** Glued to the end of the first label; may contain `%{record_type}` and dots. */
  suffix?: string;
  /** Replaces a leading `*` label, because most providers reject `*` inside a TXT owner name. */
  wildcardReplacement?: string;
}

/** What {@link toEndpointName} found: `recordType: ''` = legacy untyped name; `endpointName: ''` = not ours. */
export interface TxtNameTarget {
  /**
   * The record name the marker belongs to; `''` when the TXT is not a marker name under this
   * configuration.
   */
  endpointName: string;
  /** The record type encoded in the name; `''` for a legacy untyped marker. */
  recordType: string;
}

/** The template placeholder ExternalDNS substitutes with the lower-cased record type. */
export const RECORD_TYPE_TEMPLATE = '%{record_type}';

/**
 * The record types a TXT name can encode, in ExternalDNS's fixed parse order. The order matters:
 * templated affixes are tried type by type and the first match wins. A mapper built with
 * `extraRecordTypes` (the TXT registry passes every type its provider stores) tries those after
 * these: ExternalDNS v0.22 writes `caa` or `lua` markers but cannot read them back, so such records
 * are never owned there.
 */
export const TXT_NAME_RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'NS',
  'MX',
  'PTR',
  'SRV',
  'NAPTR',
  'TXT',
  'DNAME',
] as const;

type TypeNames = readonly (readonly [type: string, lower: string])[];

const typesLower: TypeNames = TXT_NAME_RECORD_TYPES.map((t) => [t, t.toLowerCase()] as const);

/**
 * ExternalDNS's affix name mapper (`registry/mapper`). Affixes are lower-cased once here, as
 * ExternalDNS does at construction, so TXT names never depend on the configured spelling.
 */
export class TxtNameMapper {
  /** Prefix glued to the front of the name, lower-cased; may contain `%{record_type}`. */
  readonly prefix: string;
  /** Suffix glued to the end of the first label, lower-cased; may contain `%{record_type}`. */
  readonly suffix: string;
  /** What replaces a leading `*` label in marker names (`''` = none). */
  readonly wildcardReplacement: string;
  readonly #templated: boolean;
  #checked = false;
  /** Concrete affixes per type, computed once: parsing runs for every TXT of every zone read. */
  readonly #typedAffixes: readonly { type: string; lower: string; prefix: string; suffix: string }[];
  readonly #types: TypeNames;

  /**
   * @param extraRecordTypes Types parsed after ExternalDNS's fixed list (e.g. `CAA`, `LUA`), in the
   *   order given; types already in the list are ignored.
   */
  constructor(config: TxtNameConfig = {}, extraRecordTypes: readonly string[] = []) {
    for (const key of ['prefix', 'suffix', 'wildcardReplacement'] as const) {
      const v: unknown = config[key];
      if (v !== undefined && typeof v !== 'string')
        throw new ConfigError(`TXT registry: ${key}, when set, must be a string, got ${describeValue(v)}`);
    }
    this.prefix = (config.prefix ?? '').toLowerCase();
    this.suffix = (config.suffix ?? '').toLowerCase();
    this.wildcardReplacement = (config.wildcardReplacement ?? '').toLowerCase();
    this.#templated =
      this.prefix.includes(RECORD_TYPE_TEMPLATE) || this.suffix.includes(RECORD_TYPE_TEMPLATE);
    const fixed = new Set<string>(TXT_NAME_RECORD_TYPES);
    const extra = [...new Set(extraRecordTypes.map((t) => t.toUpperCase()))].filter((t) => !fixed.has(t));
    this.#types = extra.length
      ? [...typesLower, ...extra.map((t) => [t, t.toLowerCase()] as const)]
      : typesLower;
    this.#typedAffixes = this.#types.map(([type, lower]) => ({
      type,
      lower,
      prefix: this.prefix.replaceAll(RECORD_TYPE_TEMPLATE, lower),
      suffix: this.suffix.replaceAll(RECORD_TYPE_TEMPLATE, lower),
    }));
  }

  /**
   * Throws {@link ConfigError} for a configuration that cannot name TXT records: a prefix and a
   * suffix together, or an affix or wildcard replacement that can only give invalid names (characters
   * other than letters, digits, `-`, `_` and `.`; an empty label from `..`, a prefix starting with
   * `.`, a suffix ending with `.`). ExternalDNS takes such flags and then fails on every marker.
   */
  validate(): this {
    if (this.prefix !== '' && this.suffix !== '')
      throw new ConfigError(
        `TXT registry: prefix ${JSON.stringify(this.prefix)} and suffix ${JSON.stringify(this.suffix)} are both set; configure only one of them`,
      );
    if (!this.#checked) {
      checkAffix('prefix', this.prefix, (a) => a.startsWith('.'));
      checkAffix('suffix', this.suffix, (a) => a.endsWith('.'));
      checkAffix(
        'wildcardReplacement',
        this.wildcardReplacement,
        (a) => a.startsWith('.') || a.endsWith('.'),
      );
      this.#checked = true;
    }
    return this;
  }

  /** Record name and type → registry TXT name (§2.2). The record name's spelling is kept. */
  toTxtName(name: string, recordType: string): string {
    this.validate();
    const type = lowerCased(recordType);
    // the affixes of the common types are computed once (a large apply names thousands of TXTs)
    const affixes = this.#typedAffixes.find((a) => a.lower === type) ?? {
      prefix: this.prefix.replaceAll(RECORD_TYPE_TEMPLATE, type),
      suffix: this.suffix.replaceAll(RECORD_TYPE_TEMPLATE, type),
    };
    // prefix mode without wildcard replacement: the name is kept whole
    if (this.suffix === '' && this.wildcardReplacement === '')
      return this.#templated ? affixes.prefix + name : `${affixes.prefix}${type}-${name}`;
    const dot = name.indexOf('.');
    let first = dot < 0 ? name : name.slice(0, dot);
    const rest = dot < 0 ? undefined : name.slice(dot + 1);
    if (this.wildcardReplacement !== '' && first === '*') first = this.wildcardReplacement;
    if (!this.#templated) first = `${type}-${first}`;
    const head = affixes.prefix + first + affixes.suffix;
    return rest === undefined ? head : `${head}.${rest}`;
  }

  /** Registry TXT name → record name and type (§2.3). The result is lower-cased. */
  toEndpointName(txtName: string): TxtNameTarget {
    const lower = lowerCased(txtName);
    if (this.prefix !== '' && this.suffix !== '') return none;
    if (this.suffix === '') return this.#dropAffix(lower);
    // Suffix mode: the suffix sits at the end of the first label, but may itself contain dots.
    const dots = this.suffix.split('.').length - 1;
    const parts = splitN(lower, '.', dots + 2);
    if (parts.length < dots + 1) return none;
    const found = this.#dropAffix(parts.slice(0, dots + 1).join('.'));
    const rest = parts[dots + 1];
    if (found.endpointName === '' || rest === undefined) return found;
    return { endpointName: `${found.endpointName}.${rest}`, recordType: found.recordType };
  }

  #dropAffix(name: string): TxtNameTarget {
    const isPrefix = this.suffix === '';
    let prefix = this.prefix;
    let suffix = this.suffix;
    if (this.#templated) {
      for (const { type, prefix: p, suffix: s } of this.#typedAffixes) {
        if (isPrefix && name.startsWith(p)) return { endpointName: name.slice(p.length), recordType: type };
        if (!isPrefix && name.endsWith(s))
          return { endpointName: name.slice(0, name.length - s.length), recordType: type };
      }
      // Names written before the template was configured.
      prefix = prefix.replaceAll(RECORD_TYPE_TEMPLATE, '');
      suffix = suffix.replaceAll(RECORD_TYPE_TEMPLATE, '');
    }
    if (isPrefix && name.startsWith(prefix))
      return extractDefaultType(name.slice(prefix.length), this.#types);
    if (!isPrefix && name.endsWith(suffix))
      return extractDefaultType(name.slice(0, name.length - suffix.length), this.#types);
    return none;
  }
}

const none: TxtNameTarget = Object.freeze({ endpointName: '', recordType: '' });

/** Throws {@link ConfigError} when an affix (lower-cased, template filled in) cannot be part of a DNS name. */
function checkAffix(what: string, affix: string, badEdge: (filled: string) => boolean): void {
  if (affix === '') return;
  const filled = affix.replaceAll(RECORD_TYPE_TEMPLATE, 'a');
  const why = /[^a-z0-9_.-]/.test(filled)
    ? `has characters other than letters, digits, "-", "_" and "."`
    : filled.includes('..') || badEdge(filled)
      ? 'would leave an empty label in every ownership TXT name'
      : undefined;
  if (why !== undefined)
    throw new ConfigError(
      `TXT registry: ${what} ${JSON.stringify(affix)} ${why}; no ownership TXT could be stored`,
    );
}

/** `a-foo.example.com` → (`foo.example.com`, A); anything else is a legacy untyped name. */
function extractDefaultType(name: string, types: TypeNames): TxtNameTarget {
  const dash = name.indexOf('-');
  const head = dash < 0 ? name : name.slice(0, dash);
  for (const [type, lower] of types) {
    if (head === lower) return { endpointName: dash < 0 ? name : name.slice(dash + 1), recordType: type };
  }
  return { endpointName: name, recordType: '' };
}

/** Go's `strings.SplitN`: at most `n` parts, the last one holding the remainder. */
function splitN(value: string, separator: string, n: number): string[] {
  const parts = value.split(separator);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(separator)];
}

/**
 * The registry TXT name for a record (ExternalDNS `ToTXTName`), e.g. `A api.example.com` with prefix
 * `_externaldns.` → `_externaldns.a-api.example.com`. Throws {@link ConfigError} when both a prefix
 * and a suffix are set.
 */
export function toTxtName(name: string, recordType: string, config: TxtNameConfig = {}): string {
  return new TxtNameMapper(config).toTxtName(name, recordType);
}

/**
 * Reads a registry TXT name back (ExternalDNS `ToEndpointName`). `recordType: ''` means a legacy
 * untyped name; `endpointName: ''` means the name is not a registry name under this configuration
 * (including the impossible prefix-and-suffix configuration, as ExternalDNS).
 */
export function toEndpointName(txtName: string, config: TxtNameConfig = {}): TxtNameTarget {
  return new TxtNameMapper(config).toEndpointName(txtName);
}
