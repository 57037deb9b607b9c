/**
 * `@openova/dns-core/http`: the HTTP transport every provider client is built on. A separate entry
 * so that code which only plans never loads undici.
 * @module http
 */
export { HttpTransport } from './transport.js';
export type {
  HttpCallInfo,
  HttpErrorInit,
  HttpErrorReading,
  HttpRequest,
  HttpRequestEvent,
  HttpResponse,
  HttpRetryEvent,
  HttpRetryOptions,
  HttpTlsOptions,
  HttpTransportOptions,
  SafeParser,
} from './transport.js';
export { sendHttpAttempt, pathWithQuery, HttpAttemptFailure } from './attempt.js';
export type { HttpAnswer, HttpAttempt, HttpAttemptFailureKind, HttpHeaders, HttpMethod } from './attempt.js';
export {
  RateLimiter,
  RateLimitWaitTooLong,
  RATE_LIMITS,
  rateLimiterFor,
  abortableSleep,
} from './rateLimiter.js';
export type {
  AcquireOptions,
  RateLimiterKey,
  RateLimiterLike,
  RateLimitPolicy,
  RateLimitStrategy,
} from './rateLimiter.js';
export { Redactor, REDACTED } from './redactor.js';
export {
  isConnectionRefused,
  isUnsentFailure,
  describeNetworkFailure,
  parseRetryAfter,
} from './networkFailures.js';
export { HttpProviderError } from '../errors.js';
export type { HttpFailureKind, HttpProviderErrorOptions } from '../errors.js';
export { apiBaseUrl } from './baseUrl.js';
