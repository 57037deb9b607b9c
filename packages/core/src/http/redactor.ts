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
    this.#secrets = [...new Set([...secrets].filter((s) => s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
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
