import { LabelKeys } from './endpoint.js';

/** The `heritage` token that marks a TXT value as an ExternalDNS ownership record. */
export const HERITAGE = 'external-dns';
const labelPrefix = 'external-dns/';

/**
 * Serialises labels into the ExternalDNS TXT value, quoted:
 * `"heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/api"`.
 * Keys are sorted byte-wise; the in-memory encryption nonce is never written.
 */
export function serializeLabels(
  labels: Readonly<Record<string, string>>,
  options: { quoted?: boolean } = {},
): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== LabelKeys.encryptionNonce)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const tokens = [`heritage=${HERITAGE}`, ...keys.map((k) => `${labelPrefix}${k}=${labels[k] ?? ''}`)];
  const value = tokens.join(',');
  return options.quoted === false ? value : `"${value}"`;
}

/**
 * Parses an ExternalDNS TXT value back into labels. Returns `undefined` when the value is not an
 * ownership record (no `heritage=external-dns` token): it is then an ordinary TXT record.
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
    } else if (key.startsWith(labelPrefix)) {
      labels[key.slice(labelPrefix.length)] = val;
    }
  }
  return heritageSeen ? labels : undefined;
}
