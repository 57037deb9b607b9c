/**
 * The path a request target names, cleaned as Go's `net/http` ServeMux cleans it before routing
 * (its `cleanPath`: repeated slashes collapsed, `.` and `..` segments resolved, a trailing slash
 * kept): `//records` and `/a/../records` are `/records`. ServeMux answers such a target with a
 * redirect to the clean path, which a Go client follows for a POST as a GET without its body
 * (301), so the webhook routes the clean path directly instead: every client gets the endpoint it
 * meant. Without this, `new URL('//records', base)` reads `records` as a host and the path as `/`.
 * Percent-encoded characters are decoded first, as Go routes on `r.URL.Path`.
 */

// RFC 3986 `path-abempty`: pchar (unreserved, pct-encoded, sub-delims, ":", "@") and "/"
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/**
 * The clean path of an origin-form request target (query and fragment dropped), or `undefined`
 * when the target is not one: it does not start with `/` (`*`, an absolute URL) or its path holds
 * characters a path cannot (`//[::1`), or a malformed percent-encoding (`/%zz`).
 */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  const end = target.search(/[?#]/);
  const raw = end < 0 ? target : target.slice(0, end);
  if (!PATH_CHARACTERS.test(raw)) return undefined;
  let decoded: string;
  try {
    // Go routes on the decoded path (`r.URL.Path`)
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return cleanPath(decoded);
}

/** Go's `cleanPath` (path.Clean, keeping a trailing slash): the path routing sees. */
function cleanPath(path: string): string {
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  const clean = `/${kept.join('/')}`;
  return path.endsWith('/') && clean !== '/' ? `${clean}/` : clean;
}
