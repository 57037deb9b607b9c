import { appendAll } from '@openova/dns-core/provider';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type Change,
  type ChangeInfo,
  type HostedZone,
  type ResourceRecordSet,
  type RRType,
  type Route53ClientConfig,
} from '@aws-sdk/client-route-53';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { inspect } from 'node:util';
import { ConfigError } from '@openova/dns-core';
import {
  abortableSleep,
  RATE_LIMITS,
  rateLimiterFor,
  Redactor,
  type HttpMethod,
  type HttpRequestEvent,
  type RateLimiterLike,
} from '@openova/dns-core/http';
import { toRoute53Error } from './errors.js';

/** Record sets Route53 returns per `ListResourceRecordSets` page at most. */
export const MAX_RECORD_SETS_PER_PAGE = 300;
/** Hosted zones per `ListHostedZones` page at most. */
export const MAX_ZONES_PER_PAGE = 100;

/**
 * The pace the default limiter keeps: Route53's 5 requests per second per account, over a window of
 * 1,100 ms rather than 1,000. Requests are counted when they leave the limiter and Route53 counts
 * them when they arrive; without the margin, a request delayed on its way (a large change batch
 * being signed and sent, a GC pause) and a quick one after it land in one second and are throttled.
 */
export const ROUTE53_PACE = {
  requests: RATE_LIMITS.route53.requests,
  windowMs: 1100,
  strategy: 'sliding-window',
} as const;

/** Static credentials, or a provider of them (any `@aws-sdk/credential-providers` function). */
export type Route53Credentials = Route53ClientConfig['credentials'];

/** How to build the SDK client when none is given. */
export interface Route53ConnectionOptions {
  /** Signing region (default `us-east-1`, the `aws` partition's). */
  region?: string;
  /**
   * Credentials; default the SDK's Node chain (environment, SSO, profiles, web identity (IRSA),
   * container (ECS, EKS Pod Identity), IMDSv2).
   */
  credentials?: Route53Credentials;
  /** A named profile of the shared config files for the default chain (ExternalDNS `--aws-profile`). */
  profile?: string;
  /** Assume this role on top of the credentials (ExternalDNS `--aws-assume-role`). */
  assumeRole?: { roleArn: string; externalId?: string; sessionName?: string };
  /** API endpoint (tests: the loopback fake). */
  endpoint?: string;
  /**
   * Attempts per call, retries included (default {@link DEFAULT_ROUTE53_MAX_ATTEMPTS}: a burst of 9
   * `Throttling` answers in a row is survived; ExternalDNS `--aws-api-retries`, whose default is 3).
   */
  maxAttempts?: number;
  /** The SDK's retry mode: `standard` (default) or `adaptive` (a client-side token bucket). */
  retryMode?: 'standard' | 'adaptive';
  /**
   * Backoff between attempts in `standard` mode, as core's transport does it: randomised
   * exponential from `minDelayMs` (default 250) doubling up to `maxDelayMs` (default 4,000), each
   * delay between 1 and 2 times its step. A `Throttling` answer also blocks the account's limiter
   * for `throttleBackoffMs`, so a throttled retry waits for the longer of the two.
   */
  retryBackoff?: { minDelayMs?: number; maxDelayMs?: number };
  /** Per-attempt timeout in ms (default 30 000); a timed-out attempt is retried. */
  requestTimeoutMs?: number;
}

/**
 * Options of {@link Route53Api}: how to reach Route53 (region, endpoint, credentials) and how to pace
 * requests.
 */
export interface Route53ClientOptions extends Route53ConnectionOptions {
  /** A ready SDK client; the connection options are then ignored. */
  client?: Route53Client;
  /**
   * The account's request budget, shared by every client with the same `account` in this process
   * (default: core's limiter at {@link ROUTE53_PACE}, Route53's 5 requests/s with a margin). `false` leaves pacing to the SDK.
   */
  rateLimiter?: RateLimiterLike | false;
  /** Names the account for the shared limiter (default `default`). Hashed, never stored. */
  account?: string;
  /** How long (ms) nothing is sent after a `Throttling` answer (default 1,000, Route53's window). */
  throttleBackoffMs?: number;
  /** Longest wait (ms) for the limiter before a call fails as rate limited (default 60,000). */
  maxRateLimitWaitMs?: number;
  /**
   * Hears every HTTP attempt (retries included), as core's transport reports them for the other
   * providers (`HttpRequestEvent`: provider `route53`, method, path, attempt, status or failure,
   * duration, `x-amzn-RequestId`); for metrics and logs. Never carries a header, body or credential.
   * What it throws is ignored.
   */
  onRequest?: (event: HttpRequestEvent) => void;
}

/** Options every {@link Route53Api} call accepts. */
export interface Route53CallOptions {
  /** Cancels the call, budget waits and retries included (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal | undefined;
}

/** What the client has done so far: the benchmark's and the tests' view. */
export interface Route53ClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests by operation. */
  byOperation: Record<string, number>;
  /** Throttling answers received. */
  throttled: number;
  /** Time (ms) spent waiting on the request budget. */
  waitedMs: number;
}

/**
 * Attempts per call by default: Route53 allows 5 requests/s per account, shared with every other
 * tool of the account, and throttling comes in bursts; 10 attempts survive 9 `Throttling` answers in
 * a row (25 to 48 s with the default backoff and `throttleBackoffMs`).
 */
export const DEFAULT_ROUTE53_MAX_ATTEMPTS = 10;

/** The delay before retry `attempt` (1-based): core's transport backoff, randomised in [1, 2). */
function backoffDelay(minDelayMs: number, maxDelayMs: number): (attempt: number) => number {
  return (attempt) => Math.round(Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1)) * (1 + Math.random()));
}

const THROTTLE_CODES = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);

/** The parts of the SDK's HTTP request and response an attempt's event is made of. */
interface SdkHttpMessage {
  method?: string;
  path?: string;
  statusCode?: number;
  headers?: Record<string, string | undefined>;
}

/**
 * Reports one attempt to `onRequest` in core's `HttpRequestEvent` shape. The attempt number is the
 * one the SDK's retry middleware writes into `amz-sdk-request` (`attempt=2; max=4`).
 */
function report(
  onRequest: (event: HttpRequestEvent) => void,
  request: unknown,
  sent: number,
  outcome: { response: unknown } | { error: unknown },
): void {
  const req = (request ?? {}) as SdkHttpMessage;
  const attempt = Number(/attempt=(\d+)/.exec(req.headers?.['amz-sdk-request'] ?? '')?.[1] ?? 1);
  let status: number | undefined;
  let requestId: string | undefined;
  let failure: HttpRequestEvent['failure'];
  if ('response' in outcome) {
    const res = (outcome.response ?? {}) as SdkHttpMessage;
    status = res.statusCode;
    requestId = res.headers?.['x-amzn-requestid'];
  } else {
    const error = (outcome.error ?? {}) as {
      name?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number; requestId?: string };
      $response?: { statusCode?: number };
    };
    status = error.$metadata?.httpStatusCode ?? error.$response?.statusCode;
    requestId = error.$metadata?.requestId;
    if (status === undefined)
      failure =
        error.name === 'AbortError'
          ? 'aborted'
          : error.name === 'TimeoutError' || error.code === 'ETIMEDOUT' || error.name === 'RequestTimeout'
            ? 'timeout'
            : 'network';
  }
  try {
    onRequest({
      provider: 'route53',
      method: (req.method ?? 'GET').toUpperCase() as HttpMethod,
      path: req.path ?? '/',
      attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : 1,
      durationMs: performance.now() - sent,
      ...(status === undefined ? { failure: failure ?? 'network' } : { status }),
      ...(requestId ? { requestId } : {}),
    });
  } catch {
    // a listener's failure is not the call's
  }
}

function buildSdkClient(options: Route53ConnectionOptions): Route53Client {
  const region = options.region ?? 'us-east-1';
  let credentials =
    options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  if (options.assumeRole) {
    credentials = fromTemporaryCredentials({
      masterCredentials: credentials,
      params: {
        RoleArn: options.assumeRole.roleArn,
        RoleSessionName: options.assumeRole.sessionName ?? 'openova-dns',
        ...(options.assumeRole.externalId ? { ExternalId: options.assumeRole.externalId } : {}),
      },
      clientConfig: { region },
    });
  }
  if (
    options.maxAttempts !== undefined &&
    !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)
  )
    throw new ConfigError('route53: maxAttempts must be a positive integer');
  const maxAttempts = options.maxAttempts ?? DEFAULT_ROUTE53_MAX_ATTEMPTS;
  const retryMode = options.retryMode ?? 'standard';
  return new Route53Client({
    region,
    credentials,
    maxAttempts,
    retryMode,
    ...(retryMode === 'standard'
      ? {
          retryStrategy: new ConfiguredRetryStrategy(
            maxAttempts,
            backoffDelay(options.retryBackoff?.minDelayMs ?? 250, options.retryBackoff?.maxDelayMs ?? 4000),
          ),
        }
      : {}),
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
}

/**
 * The Route53 calls the provider makes, on the AWS SDK v3 client: every page of a list, the
 * account's 5 requests/s budget applied to every attempt (retries included), SDK errors mapped onto
 * {@link Route53ApiError}. The SDK signs requests, parses REST-XML (both InvalidChangeBatch shapes)
 * and retries throttling with backoff.
 *
 * Calls throw {@link Route53ApiError} (`PROVIDER`, `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`,
 * `UNKNOWN_ZONE`, `RECORD_REJECTED`) and `AbortedError` (`ABORTED`).
 *
 * Source: the Amazon Route 53 API reference (https://docs.aws.amazon.com/Route53/latest/APIReference/).
 */
export class Route53Api {
  /**
   * The AWS SDK v3 client every call goes through (`@aws-sdk/client-route-53`); its middleware counts
   * requests into `stats`.
   */
  readonly sdk: Route53Client;
  /**
   * Requests sent (retries included), per operation, `Throttling` answers and time spent waiting for the
   * account budget, since the client was made.
   */
  readonly stats: Route53ClientStats = { requests: 0, byOperation: {}, throttled: 0, waitedMs: 0 };
  readonly #limiter: RateLimiterLike | undefined;
  readonly #throttleBackoffMs: number;
  readonly #maxWaitMs: number;
  readonly #identity: { region?: string; endpoint?: string };

  constructor(options: Route53ClientOptions = {}) {
    this.sdk = options.client ?? buildSdkClient(options);
    // what the caller configured; an SDK client passed in keeps its own settings to itself
    this.#identity = options.client
      ? {}
      : {
          region: options.region ?? 'us-east-1',
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        };
    this.#limiter =
      options.rateLimiter === false
        ? undefined
        : (options.rateLimiter ??
          rateLimiterFor({
            scope: `route53:${options.endpoint ?? 'aws'}`,
            credential: options.account ?? 'default',
            policy: ROUTE53_PACE,
          }));
    this.#throttleBackoffMs = options.throttleBackoffMs ?? 1000;
    this.#maxWaitMs = options.maxRateLimitWaitMs ?? 60_000;
    const limiter = this.#limiter;
    const onRequest = options.onRequest;
    // per attempt (after the SDK's retry middleware): wait for the budget, count, note throttling
    this.sdk.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        if (limiter) {
          const started = Date.now();
          await limiter.acquire({ maxWaitMs: this.#maxWaitMs, signal: this.#signal });
          this.stats.waitedMs += Date.now() - started;
        }
        this.stats.requests++;
        this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
        const sent = performance.now();
        try {
          const result = await next(args);
          if (onRequest) report(onRequest, args.request, sent, { response: result.response });
          return result;
        } catch (error) {
          if (onRequest) report(onRequest, args.request, sent, { error });
          const name = (error as { name?: string }).name ?? '';
          if (THROTTLE_CODES.has(name)) {
            this.stats.throttled++;
            limiter?.block(Date.now() + this.#throttleBackoffMs);
          }
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'openovaRoute53Budget', override: true },
    );
  }

  /**
   * Keeps the SDK client (its credential provider and resolved identity) out of `util.inspect` and
   * `console.log`: region and endpoint as configured, and the request counts.
   */
  [inspect.custom](): string {
    return `Route53Api { ${[
      ...Object.entries(this.#identity).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
      `stats: ${JSON.stringify(this.stats)}`,
      'credentials: [redacted]',
    ].join(', ')} }`;
  }

  /**
   * The client's identity for logs: region and endpoint as configured (neither for an SDK client
   * passed in), never a credential. `JSON.stringify` of the SDK client itself throws (its config is
   * circular).
   */
  toJSON(): { region?: string; endpoint?: string } {
    return { ...this.#identity };
  }

  // The signal of the call in flight, for waits inside the middleware (calls are sequential per use).
  #signal: AbortSignal | undefined;

  async #send<T>(
    operation: string,
    call: { method: string; path: string },
    run: (abortSignal: AbortSignal | undefined) => Promise<T>,
    options: Route53CallOptions,
  ): Promise<T> {
    this.#signal = options.signal;
    try {
      return await run(options.signal);
    } catch (error) {
      // a proxy or server may echo the session token: our errors never repeat a credential
      const id = await Promise.resolve()
        .then(() =>
          typeof this.sdk.config.credentials === 'function' ? this.sdk.config.credentials() : undefined,
        )
        .catch(() => undefined);
      const redactor = new Redactor([id?.secretAccessKey ?? '', id?.sessionToken ?? '']);
      throw toRoute53Error(error, { operation, ...call, redact: (text) => redactor.redact(text) });
    }
  }

  /** Every hosted zone of the account (`ListHostedZones`, all pages). */
  async listHostedZones(options: Route53CallOptions = {}): Promise<HostedZone[]> {
    const out: HostedZone[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#send(
        'ListHostedZones',
        { method: 'GET', path: '/2013-04-01/hostedzone' },
        (abortSignal) =>
          this.sdk.send(
            new ListHostedZonesCommand({
              MaxItems: MAX_ZONES_PER_PAGE,
              ...(marker ? { Marker: marker } : {}),
            }),
            abortSignal ? { abortSignal } : {},
          ),
        options,
      );
      appendAll(out, page.HostedZones ?? []);
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return out;
  }

  /** Zones named `dnsName` (`ListHostedZonesByName`; a name can exist as several zones). */
  async listHostedZonesByName(dnsName: string, options: Route53CallOptions = {}): Promise<HostedZone[]> {
    const want = dnsName.toLowerCase().replace(/\.?$/, '.');
    const page = await this.#send(
      'ListHostedZonesByName',
      { method: 'GET', path: '/2013-04-01/hostedzonesbyname' },
      (abortSignal) =>
        this.sdk.send(
          new ListHostedZonesByNameCommand({ DNSName: want, MaxItems: MAX_ZONES_PER_PAGE }),
          abortSignal ? { abortSignal } : {},
        ),
      options,
    );
    return (page.HostedZones ?? []).filter((z) => (z.Name ?? '').toLowerCase() === want);
  }

  /** One zone by id (`GetHostedZone`). */
  async getHostedZone(id: string, options: Route53CallOptions = {}): Promise<HostedZone> {
    const out = await this.#send(
      'GetHostedZone',
      { method: 'GET', path: `/2013-04-01/hostedzone/${id}` },
      (abortSignal) =>
        this.sdk.send(new GetHostedZoneCommand({ Id: id }), abortSignal ? { abortSignal } : {}),
      options,
    );
    if (!out.HostedZone)
      throw toRoute53Error(new Error('no HostedZone in the answer'), {
        operation: 'GetHostedZone',
        method: 'GET',
        path: `/2013-04-01/hostedzone/${id}`,
      });
    return out.HostedZone;
  }

  /** Tags of zones (`ListTagsForResources`, 10 zones per call), by zone id. */
  async listZoneTags(
    ids: readonly string[],
    options: Route53CallOptions = {},
  ): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (let i = 0; i < ids.length; i += 10) {
      const chunk = ids.slice(i, i + 10);
      const page = await this.#send(
        'ListTagsForResources',
        { method: 'POST', path: '/2013-04-01/tags/hostedzone' },
        (abortSignal) =>
          this.sdk.send(
            new ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds: chunk }),
            abortSignal ? { abortSignal } : {},
          ),
        options,
      );
      for (const set of page.ResourceTagSets ?? []) {
        const tags: Record<string, string> = {};
        for (const t of set.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
        if (set.ResourceId) out.set(set.ResourceId, tags);
      }
    }
    return out;
  }

  /** Every record set of a zone (`ListResourceRecordSets`, all pages of up to 300). */
  async listRecordSets(
    zoneId: string,
    options: Route53CallOptions & { maxItems?: number } = {},
  ): Promise<ResourceRecordSet[]> {
    const out: ResourceRecordSet[] = [];
    let start: { name: string; type: RRType | undefined; identifier: string | undefined } | undefined;
    const maxItems = options.maxItems ?? MAX_RECORD_SETS_PER_PAGE;
    for (;;) {
      const from = start;
      const page = await this.#send(
        'ListResourceRecordSets',
        { method: 'GET', path: `/2013-04-01/hostedzone/${zoneId}/rrset` },
        (abortSignal) =>
          this.sdk.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: zoneId,
              MaxItems: maxItems,
              ...(from
                ? {
                    StartRecordName: from.name,
                    ...(from.type ? { StartRecordType: from.type } : {}),
                    ...(from.identifier ? { StartRecordIdentifier: from.identifier } : {}),
                  }
                : {}),
            }),
            abortSignal ? { abortSignal } : {},
          ),
        options,
      );
      appendAll(out, page.ResourceRecordSets ?? []);
      if (!page.IsTruncated || !page.NextRecordName) return out;
      start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
    }
  }

  /** One change batch (`ChangeResourceRecordSets`): all of it is applied, or none. */
  async changeRecordSets(
    zoneId: string,
    changes: Change[],
    options: Route53CallOptions & { comment?: string } = {},
  ): Promise<Partial<ChangeInfo>> {
    const out = await this.#send(
      'ChangeResourceRecordSets',
      { method: 'POST', path: `/2013-04-01/hostedzone/${zoneId}/rrset` },
      (abortSignal) =>
        this.sdk.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Changes: changes, ...(options.comment ? { Comment: options.comment } : {}) },
          }),
          abortSignal ? { abortSignal } : {},
        ),
      options,
    );
    return out.ChangeInfo ?? {};
  }

  /** A change's status (`GetChange`): `PENDING` until every Route53 server has it, then `INSYNC`. */
  async getChange(id: string, options: Route53CallOptions = {}): Promise<Partial<ChangeInfo>> {
    const out = await this.#send(
      'GetChange',
      { method: 'GET', path: `/2013-04-01/change/${id}` },
      (abortSignal) => this.sdk.send(new GetChangeCommand({ Id: id }), abortSignal ? { abortSignal } : {}),
      options,
    );
    return out.ChangeInfo ?? {};
  }

  /** Polls `GetChange` every `intervalMs` until `INSYNC`; false when `timeoutMs` passed first. */
  async waitForInsync(
    id: string,
    options: Route53CallOptions & { intervalMs?: number; timeoutMs?: number } = {},
  ): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const info = await this.getChange(id, options);
      if (info.Status === 'INSYNC') return true;
      if (Date.now() >= deadline) return false;
      await abortableSleep(options.intervalMs ?? 10_000, options.signal);
    }
  }
}
