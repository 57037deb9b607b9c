import { isInZone, normalizeDnsName } from '../endpoint/names.js';

/**
 * Finds the zone a name belongs to: the longest zone that equals the name or is a parent of it.
 * Zones are matched by normalised name; returns the zone as given, or `undefined`.
 */
export function findZone<Z extends string>(name: string, zones: readonly Z[]): Z | undefined {
  let best: Z | undefined;
  let bestLength = -1;
  const n = normalizeDnsName(name);
  for (const zone of zones) {
    const length = normalizeDnsName(zone).length;
    if (length > bestLength && isInZone(n, zone)) {
      best = zone;
      bestLength = length;
    }
  }
  return best;
}
