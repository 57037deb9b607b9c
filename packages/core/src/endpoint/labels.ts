import type { Issue, IssuePath } from '../errors.js';
import { LabelKeys } from './endpoint.js';

/** The `heritage` token that marks a TXT value as an ExternalDNS ownership record. */
export const HERITAGE = 'external-dns';
const labelPrefix = 'external-dns/';

/**
 * Problems that would make labels unreadable after {@link serializeLabels}: a `,` anywhere (it
 * separates tokens), a `=` in a key (the first `=` separates key and value), or a `"` or `\`
 * anywhere (the marker is a quoted TXT string, written unescaped as ExternalDNS writes it: a quote
 * would end it, and a backslash would be read back as an escape, so the marker would not read back
 * as written).
 */
export function checkLabels(labels: Readonly<Record<string, string>>, path: IssuePath): Issue[] {
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (key === '' || key.includes(',') || key.includes('=')) {
      issues.push({
        path: [...path, key],
        code: 'label_key',
        message: `label key ${JSON.stringify(key)} must be non-empty and contain neither "," nor "="`,
      });
    }
    if (value.includes(',')) {
      issues.push({
        path: [...path, key],
        code: 'label_value',
        message: `label value ${JSON.stringify(value)} must not contain "," (it separates ownership tokens)`,
      });
    }
    const unquotable = /["\\]/.exec(key + value);
    if (unquotable) {
      issues.push({
        path: [...path, key],
        code: key.includes(unquotable[0]) ? 'label_key' : 'label_value',
        message: `label ${JSON.stringify(key)}: ${JSON.stringify(unquotable[0])} cannot be stored in the ownership TXT (it is written unescaped inside quotes)`,
      });
    }
  }
  return issues;
}

/**
 * Serialises labels into the ExternalDNS TXT value, quoted:
 * `"heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/api"`.
 * Keys are sorted byte-wise; the in-memory encryption nonce is never written.
 */
export function serializeLabels(
  labels: Readonly<Record<string, string>>,
  options: { quoted?: boolean } = {},
): string {
  // built in one pass: every record an apply writes gets one
  const keys = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let value = `heritage=${HERITAGE}`;
  for (const k of keys)
    if (k !== LabelKeys.encryptionNonce) value += `,${labelPrefix}${k}=${labels[k] ?? ''}`;
  return options.quoted === false ? value : `"${value}"`;
}

/**
 * Parses an ExternalDNS TXT value back into labels: all surrounding `"` are stripped, tokens are split
 * at `,` and at their first `=`, tokens without `=` are ignored, and any `heritage` other than
 * `external-dns` (or none at all) means the value is not an ownership record. Returns `undefined`
 * in that case: the TXT is then an ordinary record.
 */
export function parseLabels(value: string): Record<string, string> | undefined {
  const unquoted = value.replace(/^"+|"+$/g, '');
  const labels: Record<string, string> = {};
  let heritageSeen = false;
  for (const token of unquoted.split(',')) {
    const eq = token.indexOf('=');
    if (eq < 0) continue;
    const key = token.slice(0, eq);
    const val = token.slice(eq + 1);
    if (key === 'heritage') {
      if (val !== HERITAGE) return undefined;
      heritageSeen = true;
    } else if (key.startsWith(HERITAGE)) {
      // ExternalDNS keeps every key that starts with `external-dns`, trimming `external-dns/` if present
      const name = key.startsWith(labelPrefix) ? key.slice(labelPrefix.length) : key;
      // defineProperty, so a key like `__proto__` from a foreign TXT is stored as data
      Object.defineProperty(labels, name, {
        value: val,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return heritageSeen ? labels : undefined;
}
