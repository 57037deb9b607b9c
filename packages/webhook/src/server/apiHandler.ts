import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CHANGE_LISTS,
  describeEndpoint,
  ValidationError,
  type ChangeList,
  type Endpoint,
  type Logger,
  type Provider,
} from '@openova/dns-core';
import type { DomainFilter } from '@openova/dns-core';
import { isAcceptedRequestMediaType } from '../mediaType.js';
import { readJsonBody } from './body.js';
import { describeFailure, safeMessage } from './errorMessage.js';
import {
  applyLeniently,
  describeMalformed,
  describeRejections,
  MAX_LISTED_REJECTIONS,
  parseEach,
  parseOptionsFor,
  labelOfEntry,
  isValueIssuePath,
  keyUnwritableReason,
  noTargets,
  recordsLeftOut,
  type Entry,
  type Rejection,
  type RejectionReason,
} from './lenient.js';
import { Busy, deadlineIn, type Gate } from './limits.js';
import type { ErrorReason, WebhookMetrics } from './metrics.js';
import { sendEndpoints, sendText, sendWebhookJson } from './respond.js';

/** The fixed route names used in metrics and logs (raw paths would make label values unbounded). */
export type ApiRoute = 'negotiate' | 'records' | 'adjustendpoints' | 'unknown';

/** Everything the API handler needs; built once by the server. @internal */
export interface ApiContext {
  provider: Provider;
  domainFilter: DomainFilter;
  maxBodyBytes: number;
  /** Time budget of one request in ms: past it the answer is 503 (ExternalDNS's client waits 15 s). */
  deadlineMs: number;
  /** Bounds the bodies read and parsed at once. */
  bodyGate: Gate;
  /** Bounds the applies running at once (one: the provider's writes are not interleaved). */
  applyGate: Gate;
  metrics: WebhookMetrics;
  logger: Logger;
  secrets: readonly string[];
  /** Called after an apply that wrote everything it was sent. */
  onApplied?: () => void;
  /**
   * Fires when the server's drain deadline is reached at shutdown: every provider call still
   * running is aborted, writes included (see `WebhookServer.stop`).
   */
  shutdown: AbortSignal;
  /** Told of each request's work, which may outlive its answer (a write past the deadline). */
  track: (work: Promise<unknown>) => void;
}

/** Thrown inside the handler to answer with an error status; never leaves it. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: ErrorReason,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

/** Seconds a client is asked to wait after a 503 (ExternalDNS retries at its next interval anyway). */
const RETRY_AFTER_SECONDS = '5';

/** Longest error answer naming rejected records (a few kB: readable in ExternalDNS's log line). */
const MAX_REJECTION_MESSAGE = 4000;

export function routeOf(pathname: string): ApiRoute {
  if (pathname === '/') return 'negotiate';
  if (pathname === '/records') return 'records';
  if (pathname === '/adjustendpoints') return 'adjustendpoints';
  return 'unknown';
}

function methodNotSupported(method: string, route: ApiRoute): Refusal {
  // 400, not 405: ExternalDNS's own webhook server answers unsupported methods so
  return new Refusal(400, 'method_not_allowed', `method ${method} is not supported on this route (${route})`);
}

function busy(message: string): Refusal {
  return new Refusal(503, 'busy', message, { 'retry-after': RETRY_AFTER_SECONDS });
}

/** The answer of a request cut at the drain deadline of a shutdown (a 5xx: retried by the next pod). */
function shuttingDown(): Refusal {
  return new Refusal(
    503,
    'busy',
    'the webhook is shutting down and aborted this request; what was written stays, the rest is left for the next run',
    { 'retry-after': RETRY_AFTER_SECONDS, connection: 'close' },
  );
}

/**
 * Handles one request of ExternalDNS webhook protocol v1. Shape checks (method, content type, body
 * size, JSON) run before the provider is called; records are then handled one by one (see
 * `lenient.ts`). Every request is answered within `deadlineMs`: with its result, or with 503 and
 * `Retry-After` (a soft error ExternalDNS retries at its next interval).
 * @internal
 */
export async function handleApiRequest(
  context: ApiContext,
  exchange: { request: IncomingMessage; response: ServerResponse; route: ApiRoute },
): Promise<void> {
  const { request, response, route } = exchange;
  const method = request.method ?? 'GET';
  const deadline = deadlineIn(context.deadlineMs, context.shutdown);
  const work = serve(context, { route, method, request, response }, deadline.signal);
  context.track(work);
  const onCut = () => {
    // logged whatever LOG_LEVEL is; an apply adds what it had not written (see applyChanges)
    work.then(
      () => context.logger.warn?.('request cut at shutdown', { route, method }),
      (error: unknown) =>
        context.logger.warn?.('request cut at shutdown', {
          route,
          method,
          error: safeMessage(describeFailure(error), context.secrets),
        }),
    );
  };
  context.shutdown.addEventListener('abort', onCut, { once: true });
  void work.then(
    () => context.shutdown.removeEventListener('abort', onCut),
    () => context.shutdown.removeEventListener('abort', onCut),
  );
  try {
    const first = await Promise.race([
      work.then(() => 'done' as const),
      deadline.reached.then(() => 'late' as const),
    ]);
    if (first === 'late' && !response.headersSent) {
      // the work goes on (the deadline never cuts an apply in flight; only a shutdown's drain
      // deadline does) and is logged when it ends
      work.catch((error: unknown) =>
        context.logger.warn?.('request finished after its deadline', {
          route,
          error: safeMessage(describeFailure(error), context.secrets),
        }),
      );
      throw busy(
        `not finished within ${context.deadlineMs} ms (the ${context.provider.name} API is slow); a write under way goes on unless the webhook shuts down first, and the next run sees what was stored`,
      );
    }
    await work;
  } catch (error) {
    const refusal = error instanceof Refusal ? error : providerFailure(context, route, error);
    context.metrics.observeError(route, refusal.reason);
    if (response.headersSent) return void response.destroy();
    sendText(response, refusal.status, refusal.message, refusal.headers);
  } finally {
    deadline.clear();
  }
}

async function serve(
  context: ApiContext,
  exchange: { route: ApiRoute; method: string; request: IncomingMessage; response: ServerResponse },
  signal: AbortSignal,
): Promise<void> {
  const { route, method, request, response } = exchange;
  switch (route) {
    case 'negotiate':
      if (method !== 'GET') throw methodNotSupported(method, route);
      return sendWebhookJson(response, 200, context.domainFilter.toJSON());
    case 'records':
      if (method === 'GET')
        return gated(context, request, signal, () => getRecords(context, response, signal));
      if (method === 'POST')
        return gated(context, request, signal, () => applyChanges(context, request, response, signal));
      throw methodNotSupported(method, route);
    case 'adjustendpoints':
      if (method !== 'POST') throw methodNotSupported(method, route);
      return gated(context, request, signal, () => adjustEndpoints(context, request, response, signal));
    case 'unknown':
      throw new Refusal(
        404,
        'not_found',
        'not found; the webhook API serves /, /records and /adjustendpoints',
      );
  }
}

/**
 * Runs a request that reads or writes a list of endpoints (the memory-heavy ones) once the work gate
 * admits it: at most `maxConcurrentBodies` at once, from reading the body to the last byte of the
 * answer. A request that cannot be admitted before its deadline gets 503 with `Retry-After`.
 */
async function gated(
  context: ApiContext,
  request: IncomingMessage,
  signal: AbortSignal,
  work: () => Promise<void>,
): Promise<void> {
  let release: () => void;
  try {
    release = await context.bodyGate.acquire(signal);
  } catch (error) {
    if (!(error instanceof Busy)) throw error;
    if (context.shutdown.aborted) throw shuttingDown();
    // a body not read: the connection is closed after the answer
    throw new Refusal(503, 'busy', error.message, {
      'retry-after': RETRY_AFTER_SECONDS,
      ...(request.method === 'POST' ? { connection: 'close' } : {}),
    });
  }
  try {
    await work();
  } finally {
    release();
  }
}

function providerFailure(context: ApiContext, route: ApiRoute, error: unknown): Refusal {
  if (context.shutdown.aborted) return shuttingDown();
  if (error instanceof Busy) return busy(error.message);
  const message = safeMessage(describeFailure(error), context.secrets);
  context.logger.error?.('provider call failed', { route, provider: context.provider.name, error });
  // 500 is what ExternalDNS treats as a soft error: it retries at its next interval
  return new Refusal(500, 'provider', `${context.provider.name} provider failed: ${message}`);
}

/** Reads and parses the body (within the work gate, see `gated`). */
async function readBody(
  context: ApiContext,
  request: IncomingMessage,
  signal: AbortSignal,
): Promise<unknown> {
  if (!isAcceptedRequestMediaType(request.headers['content-type'])) {
    request.resume();
    throw new Refusal(
      415,
      'unsupported_media_type',
      `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/external.dns.webhook+json;version=1`,
    );
  }
  const body = await readJsonBody(request, { maxBytes: context.maxBodyBytes, signal });
  if (!body.ok)
    throw new Refusal(
      body.status,
      body.reason,
      body.message,
      body.reason === 'payload_too_large' || body.status === 503
        ? { connection: 'close', ...(body.status === 503 ? { 'retry-after': RETRY_AFTER_SECONDS } : {}) }
        : {},
    );
  return body.value;
}

async function getRecords(context: ApiContext, response: ServerResponse, signal: AbortSignal): Promise<void> {
  const records = await context.provider.records({ signal });
  if (signal.aborted) return;
  context.metrics.setRecords(records.length);
  // always a list, never `null`: both decode the same in ExternalDNS, but `[]` is clearer
  await sendEndpoints(response, records);
}

/** Logs and counts records left out; logs the first few one by one, then a count. */
function reportRejections(context: ApiContext, route: ApiRoute, rejected: readonly Rejection[]): void {
  const counts = new Map<RejectionReason, number>();
  // in records as the 500 answer counts them: a record and its ownership TXT record are two
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + recordsLeftOut(r));
  for (const [reason, n] of counts) context.metrics.observeInvalid(route, reason, n);
  rejected.slice(0, MAX_LISTED_REJECTIONS).forEach((r) =>
    context.logger.warn?.(
      route !== 'adjustendpoints'
        ? 'change not applied'
        : r.kept
          ? 'invalid endpoint returned unadjusted'
          : 'invalid endpoint dropped',
      {
        route,
        records: r.records.slice(0, 5),
        reason: r.reason,
        error: safeMessage(r.message, context.secrets),
        ...(r.kept
          ? { note: 'POST /records will refuse it (500) and keep what is stored until its source is fixed' }
          : {}),
      },
    ),
  );
  if (rejected.length > MAX_LISTED_REJECTIONS)
    context.logger.warn?.('more records left out', { route, more: rejected.length - MAX_LISTED_REJECTIONS });
}

/** The JSON type of a value, as messages name it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Refuses a body with a field Go's decoder refuses (ExternalDNS's own server answers 400 then, and
 * ExternalDNS never sends one): nothing is applied, and the answer names each such field by path.
 */
function refuseMalformed(entries: readonly Entry[]): void {
  const message = describeMalformed(entries);
  if (message !== undefined) throw new Refusal(400, 'bad_request', message);
}

function changeEntries(context: ApiContext, body: unknown): Entry[] {
  // Go decodes `null` into an empty struct: nothing to change
  if (body === null) return [];
  if (typeof body !== 'object' || Array.isArray(body))
    throw new Refusal(400, 'bad_request', 'expected a changes object {create, updateOld, updateNew, delete}');
  // Go decodes object keys case-insensitively (`Create`, `UpdateOld` are seen in the wild)
  const raw: Partial<Record<ChangeList, unknown>> = {};
  for (const [key, value] of Object.entries(body)) {
    const list = CHANGE_LISTS.find((l) => l.toLowerCase() === key.toLowerCase());
    if (list !== undefined) raw[list] = value;
  }
  const options = parseOptionsFor(context.provider);
  const entries: Entry[] = [];
  for (const list of CHANGE_LISTS) {
    const parsed = parseEach(raw[list], list, options);
    if (parsed === undefined)
      throw new Refusal(
        400,
        'bad_request',
        `${list}: expected a list of endpoints, got ${jsonTypeOf(raw[list])}`,
      );
    for (const entry of parsed) entries.push(entry);
  }
  refuseMalformed(entries);
  return entries;
}

async function applyChanges(
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const entries = changeEntries(context, await readBody(context, request, signal));
  let release: () => void;
  try {
    release = await context.applyGate.acquire(signal);
  } catch (error) {
    if (context.shutdown.aborted) throw shuttingDown();
    if (error instanceof Busy) throw busy('another apply is still running; try again at the next interval');
    throw error;
  }
  try {
    const counts = { create: 0, update: 0, delete: 0 };
    for (const e of entries) {
      if (e.list === 'create') counts.create++;
      else if (e.list === 'updateNew') counts.update++;
      else if (e.list === 'delete') counts.delete++;
    }
    context.logger.info?.('applying changes', counts);
    const outcome = await applyLeniently(context.provider, entries, signal, context.shutdown);
    context.metrics.observeApplied(outcome.applied);
    if (outcome.rejected.length) reportRejections(context, 'records', outcome.rejected);
    if (outcome.interrupted && context.shutdown.aborted) {
      // what the cut left undone, at every LOG_LEVEL: the next ExternalDNS run plans it again
      context.logger.warn?.('apply cut at shutdown', {
        written: outcome.applied,
        abortedCall: outcome.abortedCall.slice(0, MAX_LISTED_REJECTIONS),
        abortedCallCount: outcome.abortedCall.length,
        notWritten: outcome.notWritten.slice(0, MAX_LISTED_REJECTIONS),
        notWrittenCount: outcome.notWritten.length,
      });
      throw shuttingDown();
    }
    if (outcome.interrupted)
      throw busy(
        `not finished within ${context.deadlineMs} ms; what was written stays, the rest is left for the next run`,
      );
    if (outcome.rejected.length) {
      const message = safeMessage(
        describeRejections(outcome.rejected, recordsSent(entries), MAX_REJECTION_MESSAGE),
        context.secrets,
        MAX_REJECTION_MESSAGE,
      );
      // a 5xx: ExternalDNS logs it as a soft error and retries; the valid changes are written
      throw new Refusal(500, 'invalid_records', message);
    }
    context.onApplied?.();
    if (response.headersSent) return; // answered 503 at the deadline already
    // exactly 204: ExternalDNS treats any other status, 200 included, as a failed apply
    response.writeHead(204);
    response.end();
  } finally {
    release();
  }
}

/**
 * Records a change set changes, as a user counts them: an update's old and new versions are one
 * (the longer update list counts when the two differ in length).
 */
function recordsSent(entries: readonly Entry[]): number {
  let old = 0;
  let fresh = 0;
  let others = 0;
  for (const e of entries)
    if (e.list === 'updateOld') old++;
    else if (e.list === 'updateNew') fresh++;
    else others++;
  return others + Math.max(old, fresh);
}

/** Rounds of leaving out what the provider's own validation names before giving up. */
const MAX_VALIDATION_ROUNDS = 5;

/** Desired endpoints on their way through `/adjustendpoints`, each with its place in the request. */
interface Adjusting {
  /** Endpoints for the provider's `adjustEndpoints`. */
  endpoints: Endpoint[];
  /** `at[i]`: the place of `endpoints[i]` in the request. */
  at: number[];
  /** Endpoints returned as sent (an invalid value), by their place in the request. */
  asSent: Map<number, Endpoint>;
  rejected: Rejection[];
}

/**
 * The provider's `adjustEndpoints`, asked again without each endpoint its `ValidationError` names
 * (issue paths `[index, …]` into the list it was given; PowerDNS refuses what its server would
 * refuse). One named for its value (targets, TTL…) is returned as sent; one named for its name,
 * type or set identifier, or as a whole, is dropped.
 */
async function adjustLeniently(
  context: ApiContext,
  work: Adjusting,
  signal: AbortSignal,
): Promise<Endpoint[]> {
  for (let round = 1; ; round++) {
    try {
      return await context.provider.adjustEndpoints(work.endpoints, { signal });
    } catch (error) {
      if (!(error instanceof ValidationError) || round >= MAX_VALIDATION_ROUNDS) throw error;
      const named = new Map<number, { message: string; value: boolean }>();
      for (const issue of error.issues) {
        const [index, ...inside] = issue.path;
        if (typeof index !== 'number' || index < 0 || index >= work.endpoints.length) continue;
        const value = isValueIssuePath(inside);
        const seen = named.get(index);
        if (seen === undefined) named.set(index, { message: issue.message, value });
        else if (!value) seen.value = false;
      }
      // issues without a path into the list: nothing to leave out, so it is a failure
      if (named.size === 0) throw error;
      for (const [index, { message, value }] of named) {
        const ep = work.endpoints[index] as Endpoint;
        if (value) work.asSent.set(work.at[index] as number, ep);
        work.rejected.push({
          records: [describeEndpoint(ep)],
          reason: 'provider_validation',
          message,
          ...(value ? { kept: true } : {}),
        });
      }
      work.endpoints = work.endpoints.filter((_, index) => !named.has(index));
      work.at = work.at.filter((_, index) => !named.has(index));
    }
  }
}

/**
 * The answer of `/adjustendpoints`: the adjusted endpoints and those returned as sent, in the order
 * of the request (one per endpoint not dropped). A provider that returned another number of
 * endpoints than it was given has its answer first, then those returned as sent.
 */
function inRequestOrder(adjusted: Endpoint[], work: Adjusting): Endpoint[] {
  if (work.asSent.size === 0) return adjusted;
  const out: Endpoint[] = [];
  const asSent = [...work.asSent].sort((a, b) => a[0] - b[0]);
  if (adjusted.length !== work.at.length) {
    for (const ep of adjusted) out.push(ep);
    for (const [, ep] of asSent) out.push(ep);
    return out;
  }
  let k = 0;
  adjusted.forEach((ep, i) => {
    const at = work.at[i] as number;
    for (; k < asSent.length && (asSent[k] as [number, Endpoint])[0] < at; k++)
      out.push((asSent[k] as [number, Endpoint])[1]);
    out.push(ep);
  });
  for (; k < asSent.length; k++) out.push((asSent[k] as [number, Endpoint])[1]);
  return out;
}

/**
 * `POST /adjustendpoints`. Each endpoint that cannot be written is logged at `warn` and counted; what
 * happens to it depends on whether a stored version of it can exist:
 * - an invalid value (targets, TTL, labels, provider-specific properties; no targets; content the
 *   provider's own check refuses) under a valid name, type and set identifier is returned as sent.
 *   Dropped, it would no longer be desired and ExternalDNS (policy sync) would delete the stored
 *   version and its ownership marker; kept, ExternalDNS plans an update (or a create) that
 *   `POST /records` refuses with its marker (500, retried every interval): what is stored stays.
 * - an invalid name or type, a type the provider cannot store, a set identifier where it has none,
 *   or a name outside the provider's domain filter is dropped: no stored record can be its current
 *   version (or ExternalDNS's planner, which applies the same filter, never touches it), so keeping
 *   it could protect nothing.
 */
async function adjustEndpoints(
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const entries = parseEach(
    await readBody(context, request, signal),
    'endpoints',
    parseOptionsFor(context.provider),
  );
  if (entries === undefined) throw new Refusal(400, 'bad_request', 'expected a list of endpoints');
  refuseMalformed(entries);
  const work: Adjusting = { endpoints: [], at: [], asSent: new Map(), rejected: [] };
  entries.forEach((entry, at) => {
    const label = labelOfEntry(entry);
    const ep = entry.endpoint ?? entry.asSent;
    const keyReason = ep === undefined ? undefined : keyUnwritableReason(context.provider, ep);
    if (entry.problem !== undefined) {
      // an invalid value under a key the provider can hold: returned as sent, not dropped
      const kept = entry.asSent !== undefined && keyReason === undefined;
      if (kept) work.asSent.set(at, entry.asSent as Endpoint);
      work.rejected.push({
        records: [label],
        reason: 'invalid',
        message: entry.problem,
        ...(kept ? { kept } : {}),
      });
    } else if (keyReason !== undefined)
      work.rejected.push({ records: [label], reason: 'unsupported_type', message: keyReason });
    else if ((ep as Endpoint).targets.length === 0) {
      work.asSent.set(at, ep as Endpoint);
      work.rejected.push({
        records: [label],
        reason: 'unsupported_type',
        message: noTargets(ep as Endpoint),
        kept: true,
      });
    } else {
      work.endpoints.push(ep as Endpoint);
      work.at.push(at);
    }
  });
  entries.length = 0;
  const adjusted = inRequestOrder(await adjustLeniently(context, work, signal), work);
  work.endpoints = [];
  // logged and counted; a 4xx would stop ExternalDNS
  if (work.rejected.length) reportRejections(context, 'adjustendpoints', work.rejected);
  if (signal.aborted) return;
  await sendEndpoints(response, adjusted);
}
