/**
 * Appends every item of `items` to `target` and returns `target`. Unlike `target.push(...items)`,
 * it never puts the items on the call stack, which throws an untyped `RangeError` past about
 * 120,000 items; lists here are sized by the user's zones and desired records.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
