// Keeps credentials out of what a client reports: servers echo request data in error messages
// ("invalid token abc…"), and paths can carry secrets in a query.

/** What replaces every occurrence of a secret. */
export const REDACTED = '[redacted]';

/** Replaces every occurrence of a set of secret strings with `[redacted]`. */
export class Redactor {
  readonly #secrets: readonly string[];

  /**
   * @param secrets Strings never to show. Empty ones are ignored; longer ones are replaced first,
   * so a secret containing another is hidden whole.
   */
  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const secret of secrets)
      if (secret.length > 0) for (const form of echoedForms(secret)) all.add(form);
    this.#secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /** The secrets found in request headers: the values of the named headers (case-insensitive). */
  static secretsInHeaders(
    headers: Readonly<Record<string, string>>,
    secretHeaderNames: Iterable<string>,
  ): string[] {
    const names = new Set([...secretHeaderNames].map((n) => n.toLowerCase()));
    const out: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (!names.has(name.toLowerCase())) continue;
      out.push(value);
      // `Bearer xyz`: the bare token may be echoed too
      const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
      if (token) out.push(token);
    }
    return out;
  }

  #pattern: RegExp | undefined;

  /**
   * `text` with every secret replaced by `[redacted]`, in one pass: a replacement is never scanned
   * again, so a short secret (a letter of `redacted`) cannot garble it.
   */
  redact(text: string): string {
    if (this.#secrets.length === 0) return text;
    // longest first: at each position the first alternative that matches wins
    this.#pattern ??= new RegExp(
      this.#secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTED);
  }
}

/**
 * The forms in which a server or proxy may echo a secret back: as it is, percent-encoded (a query
 * string or a URL), JSON-escaped (a header echoed inside a JSON body), HTML-escaped, and, for a
 * secret of 8 characters or more, base64 (HTTP Basic credentials, headers dumped in base64) and
 * upper- or lower-cased (a proxy normalising a header).
 */
function echoedForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
  forms.push(
    secret.replace(
      /[&<>"']/g,
      (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
    ),
  );
  // percent-encoding with lower-case hex digits, as some servers write it
  forms.push(encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  // only a long secret is hidden in other cases and encodings: a short one would hide common text
  if (secret.length >= 8) {
    const base64 = Buffer.from(secret, 'utf8').toString('base64');
    forms.push(base64, base64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url'));
    forms.push(secret.toUpperCase(), secret.toLowerCase());
  }
  return forms;
}
