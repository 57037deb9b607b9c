import {
  CHANGE_LISTS,
  ValidationError,
  safeParseEndpoints,
  type ChangeList,
  type Changes,
  type EndpointParseOptions,
  type Issue,
  type SafeParseResult,
} from '@openova/dns-core';
import { appendAll } from '@openova/dns-core/provider';

// Go decodes object keys case-insensitively (`Create`, `UpdateOld` are seen in the wild).
const listByLowerKey = new Map<string, ChangeList>(CHANGE_LISTS.map((list) => [list.toLowerCase(), list]));

/**
 * Parses a `POST /records` body as ExternalDNS sends it: `{"create":[…],"updateOld":[…],…}`, every
 * list optional or `null`, keys in any casing, unknown keys ignored. Each endpoint is validated
 * with core's parser; every issue is reported with its path (`create[0].targets[1]`). Never throws.
 *
 * `updateOld` and `updateNew` are not required to be the same length: ExternalDNS's registry filters
 * them separately, and refusing what ExternalDNS sends would make it exit.
 */
export function safeParseChanges(
  input: unknown,
  options: EndpointParseOptions = {},
): SafeParseResult<Changes> {
  // Go decodes `null` into an empty struct: nothing to change
  if (input === null)
    return { success: true, data: { create: [], updateOld: [], updateNew: [], delete: [] } };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return {
      success: false,
      error: new ValidationError([
        {
          path: [],
          code: 'invalid_type',
          message: 'expected a changes object {create, updateOld, updateNew, delete}',
        },
      ]),
    };
  }
  const raw: Partial<Record<ChangeList, unknown>> = {};
  for (const [key, value] of Object.entries(input)) {
    const list = listByLowerKey.get(key.toLowerCase());
    if (list !== undefined) raw[list] = value;
  }
  const changes: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
  const issues: Issue[] = [];
  for (const list of CHANGE_LISTS) {
    const parsed = safeParseEndpoints(raw[list] ?? null, options);
    if (parsed.success) changes[list] = parsed.data;
    else
      appendAll(
        issues,
        parsed.error.issues.map((issue) => ({ ...issue, path: [list, ...issue.path] })),
      );
  }
  return issues.length
    ? { success: false, error: new ValidationError(issues) }
    : { success: true, data: changes };
}
