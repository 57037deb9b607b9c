import { ProviderError } from '../errors.js';

/** One page of a listing, as a provider's client read it. */
export interface ListingPage<T> {
  /** The page's items; those with an `id` (string or number) are kept once across pages. */
  items: readonly T[];
  /** The listing's total as this page states it (`undefined`: the API does not say). */
  total?: number | null;
  /** The number of the next page, or `undefined` when this page is the last. */
  next: number | undefined;
}

/** Options of {@link readAllPages}. */
export interface ReadAllPagesOptions {
  /** The provider's name, for the error. */
  provider: string;
  /** What is listed, for the error, e.g. `GET /zones/x/dns_records`. */
  what: string;
  /** Readings before giving up (default 3). */
  attempts?: number;
}

/**
 * Every page of a listing that holds still while it is read. With numbered pages (Cloudflare,
 * Hetzner), an item written or removed by someone else between two pages shifts the later ones: an
 * item is then read twice or not at all. When the total changes from one page to the next, or the
 * items (by `id`) do not add up to it, the listing is read again; items read twice are kept once.
 * @param readPage reads page `n` (from 1).
 * @throws `ProviderError` (`PROVIDER`, retryable) when it never held still in `attempts` readings.
 */
export async function readAllPages<T>(
  readPage: (page: number) => Promise<ListingPage<T>>,
  options: ReadAllPagesOptions,
): Promise<T[]> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const out: T[] = [];
    const ids = new Set<string>();
    let total: number | null | undefined;
    let steady = true;
    for (let page: number | undefined = 1; page !== undefined;) {
      const answer: ListingPage<T> = await readPage(page);
      for (const item of answer.items) {
        const id = (item as { id?: unknown }).id;
        if (typeof id === 'string' || typeof id === 'number') {
          const key = String(id);
          if (ids.has(key)) {
            steady = false;
            continue;
          }
          ids.add(key);
        }
        out.push(item);
      }
      if (answer.total !== undefined) {
        if (total !== undefined && total !== answer.total) steady = false;
        total = answer.total;
      }
      page = answer.next;
    }
    if (typeof total === 'number' && out.length !== total) steady = false;
    if (steady) return out;
    if (attempt >= attempts)
      throw new ProviderError(
        `${options.provider}: ${options.what} changed while its pages were read, ${attempt} times in a row (another writer?); nothing was planned from it, try again`,
        { provider: options.provider, retryable: true },
      );
  }
}
