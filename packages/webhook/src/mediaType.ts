/**
 * The media type of ExternalDNS webhook protocol version 1. Negotiation compares the response
 * `Content-Type` with this string byte for byte, so it is sent exactly so: no spaces, no charset.
 */
export const WEBHOOK_MEDIA_TYPE = 'application/external.dns.webhook+json;version=1';

/** The media type without parameters, for lenient matching of request headers. */
const WEBHOOK_MEDIA_ESSENCE = 'application/external.dns.webhook+json';

/**
 * True when a request `Content-Type` announces a body this server can read: the webhook media type
 * (version 1 or no version; any spacing, case or extra parameters such as a charset), plain
 * `application/json` (handy for curl), or no header at all (ExternalDNS v0.13 sends none, and
 * ExternalDNS's own webhook server ignores the header). Anything else is refused.
 * @internal
 */
export function isAcceptedRequestMediaType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const [essence = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (essence === 'application/json') return true;
  if (essence !== WEBHOOK_MEDIA_ESSENCE) return false;
  const version = parameters.find((p) => p.startsWith('version='))?.slice('version='.length);
  return version === undefined || version.replace(/^"|"$/g, '') === '1';
}
