import { LabelKeys, type Endpoint } from '../endpoint/endpoint.js';
import { targetsLess } from '../endpoint/targets.js';

/**
 * ExternalDNS's per-resource conflict resolver: decides which of several desired candidates for one
 * record set wins, so that the choice is stable across runs.
 */

/** The candidate with the "smallest" target list (ExternalDNS `IsLess`); ties go to the first given. */
export function resolveCreate(candidates: readonly Endpoint[]): Endpoint {
  let winner = candidates[0] as Endpoint;
  for (const candidate of candidates.slice(1)) {
    if (targetsLess(candidate.targets, winner.targets)) winner = candidate;
  }
  return winner;
}

/**
 * Keeps the resource that currently "holds" the name: the first candidate (in target order) whose
 * `resource` label equals the current record's; otherwise the create winner.
 */
export function resolveUpdate(current: Endpoint, candidates: readonly Endpoint[]): Endpoint {
  if (candidates.length === 1) return candidates[0] as Endpoint; // the only choice either way
  const sorted = stableSort(candidates, (a, b) => targetsLess(a.targets, b.targets));
  const currentResource = current.labels[LabelKeys.resource] ?? '';
  const sameResource = sorted.find((c) => (c.labels[LabelKeys.resource] ?? '') === currentResource);
  return sameResource ?? resolveCreate(candidates);
}

function stableSort<T>(items: readonly T[], less: (a: T, b: T) => boolean): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (less(a.item, b.item) ? -1 : less(b.item, a.item) ? 1 : a.index - b.index))
    .map((x) => x.item);
}
