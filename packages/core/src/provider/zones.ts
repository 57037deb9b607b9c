import { normalizeDnsName } from '../endpoint/names.js';

/**
 * Finds the zone a name belongs to: the longest zone that equals the name or is a parent of it.
 * Zones are matched by normalised name; returns the zone as given, or `undefined`.
 */
export function findZone<Z extends string>(name: string, zones: readonly Z[]): Z | undefined {
  return zoneMatcher(zones)(name);
}

/**
 * {@link findZone} for many names against the same zones: the zones are normalised once, longest
 * first, so each lookup is one normalisation and a few suffix tests (change sets hold tens of
 * thousands of names).
 */
export function zoneMatcher<Z extends string>(zones: readonly Z[]): (name: string) => Z | undefined {
  const sorted = zones
    .map((zone) => ({ zone, normal: normalizeDnsName(zone) }))
    .sort((a, b) => b.normal.length - a.normal.length);
  return (name) => {
    const n = normalizeDnsName(name);
    for (const { zone, normal } of sorted) {
      if (
        normal === '.' ||
        n === normal ||
        (n.length > normal.length && n.endsWith(normal) && n.charCodeAt(n.length - normal.length - 1) === 46)
      )
        return zone;
    }
    return undefined;
  };
}
