/**
 * Appends every item of `items` to `target` and returns `target`. Unlike `target.push(...items)`,
 * it never puts the items on the call stack, which throws an untyped `RangeError` past about
 * 120,000 items; lists here are sized by the user's zones and desired records.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** A value as a configuration error shows it: JSON where it has one, else its type (`undefined`, a function). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  try {
    return JSON.stringify(value) ?? `a ${typeof value}`;
  } catch {
    return `a ${typeof value}`;
  }
}

/**
 * True for an array of strings only (holes are not strings): what list options (record types,
 * domain filter entries) must be.
 */
export function isStringList(value: unknown): value is readonly string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}
