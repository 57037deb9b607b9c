import { ConfigError } from '../errors.js';

/**
 * An API base URL as every HTTP provider client takes it: http(s) only, no credentials in it, no
 * query or fragment, no trailing slash (paths are appended to it).
 * @param provider Provider name for messages, e.g. `cloudflare`.
 * @param option The option's name for messages, e.g. `baseUrl`.
 * @throws ConfigError when the value is not such a URL.
 */
export function apiBaseUrl(provider: string, option: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(`${provider}: ${option} is not a valid URL: ${JSON.stringify(value)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${provider}: ${option} must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username || url.password)
    throw new ConfigError(`${provider}: ${option} must not contain credentials`);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}
