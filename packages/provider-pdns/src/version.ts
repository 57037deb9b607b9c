/** A PowerDNS release number; `undefined` parts of a development build are treated as unknown. */
export interface PowerDnsVersion {
  /** Major version, e.g. 4 in `4.9.3`. */
  readonly major: number;
  /** Minor version, e.g. 9 in `4.9.3`. */
  readonly minor: number;
  /** Patch version, e.g. 3 in `4.9.3`. */
  readonly patch: number;
  /** The string the server reported, e.g. `4.7.3` or `5.0.0-beta1`. */
  readonly raw: string;
}

/** API features that depend on the server's version (see the research notes, §2.11). */
export interface PowerDnsFeatures {
  /** `rrset_name` / `rrset_type` filters on GET zone (4.7.0). */
  readonly rrsetFilters: boolean;
  /** `EXTEND` / `PRUNE` changetypes in PATCH (4.9.12, 5.0.2, 5.1.0). */
  readonly extendPrune: boolean;
  /** PUT of a zone carrying `rrsets` replaces its whole content (4.9.0). */
  readonly zoneReplace: boolean;
  /** `include_disabled` on GET zone (5.0.0). */
  readonly includeDisabled: boolean;
  /** LUA writes through the API need `enable-lua-record-updates=yes` (5.1.0). */
  readonly luaWritesNeedSetting: boolean;
  /** The `priority` field of a record is rejected (4.9.0); never sent by this client anyway. */
  readonly priorityRejected: boolean;
  /**
   * Quoted strings in content written through the API (TXT, SPF, CAA, NAPTR, HINFO, URI; not LUA)
   * are unescaped once more before they are parsed, and raw non-ASCII and control characters are
   * refused (observed on 5.1.5): `"a \\ b"` is stored as `"a \ b"`, and a string with an odd
   * number of `\"` is refused. The client sends such content in the portable form (`\DDD`
   * escapes) with its backslashes doubled, so 5.1 stores what 4.7 and 4.9 store.
   */
  readonly txtWriteUnescapes: boolean;
}

/** Parses `4.7.3`, `5.0.0-rc1`, `4.9.12.1`; returns `undefined` for anything else (e.g. git builds). */
export function parsePowerDnsVersion(raw: string): PowerDnsVersion | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(raw.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw };
}

/** -1, 0 or 1 as `a` is lower than, equal to or higher than `major.minor.patch`. */
function compare(a: PowerDnsVersion, major: number, minor: number, patch: number): number {
  const d = a.major - major || a.minor - minor || a.patch - patch;
  return Math.sign(d);
}

const atLeast = (v: PowerDnsVersion, major: number, minor: number, patch: number) =>
  compare(v, major, minor, patch) >= 0;

/**
 * Features of a server version. An unparsable version (a development build) is assumed to be
 * newer than every release, since such builds come from the main branch.
 */
export function powerDnsFeatures(version: PowerDnsVersion | undefined): PowerDnsFeatures {
  if (version === undefined) {
    return {
      rrsetFilters: true,
      extendPrune: true,
      zoneReplace: true,
      includeDisabled: true,
      luaWritesNeedSetting: true,
      priorityRejected: true,
      txtWriteUnescapes: true,
    };
  }
  // EXTEND/PRUNE were backported to two maintenance branches, so the check is per branch.
  const extendPrune =
    atLeast(version, 5, 1, 0) ||
    (version.major === 5 && version.minor === 0 && version.patch >= 2) ||
    (version.major === 4 && version.minor === 9 && version.patch >= 12);
  return {
    rrsetFilters: atLeast(version, 4, 7, 0),
    extendPrune,
    zoneReplace: atLeast(version, 4, 9, 0),
    includeDisabled: atLeast(version, 5, 0, 0),
    luaWritesNeedSetting: atLeast(version, 5, 1, 0),
    priorityRejected: atLeast(version, 4, 9, 0),
    txtWriteUnescapes: atLeast(version, 5, 1, 0),
  };
}
