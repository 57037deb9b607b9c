import { endpointKey, type Changes, type Endpoint } from '@openova/dns-core';
import { withoutTrailingDot } from '@openova/dns-core/provider';
import { abortableSleep } from '@openova/dns-core/http';
import { queryDns, type DnsResponse } from './dns.js';
import { canonicalTargetFor, txtChunks } from './mapping.js';
import { appendAll } from '@openova/dns-core/provider';

/** Options of {@link verifyChanges}: where to ask and for how long. */
export interface VerifyOptions {
  /** DNS server to ask (default `127.0.0.1`). */
  dnsServer?: string;
  /** Its port (default 53). */
  dnsPort?: number;
  /** How long answers may take to match, in total (default 10 000 ms). */
  timeoutMs?: number;
  /** Pause between two queries of a name that does not match yet (default 200 ms). */
  intervalMs?: number;
  /** Stops waiting (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal;
}

/** The answers for one changed name and type, against what was written. */
export interface VerifiedName {
  /** The name asked for. */
  dnsName: string;
  /** The type asked for. */
  recordType: string;
  /** `present`: the answers must equal the targets; `absent`: no answers of that type. */
  expectation: 'present' | 'absent';
  /** True when the answers matched the expectation within the time limit. */
  ok: boolean;
  /** Expected values in the endpoint model's form (empty for `absent`; for LUA, any answer counts). */
  expected: string[];
  /** The last answers seen. */
  actual: string[];
  /** The last answer's response code (`NOERROR`, `NXDOMAIN`, …), or `undefined` when none came. */
  rcode: string | undefined;
  /** The last query failure, when there was one. */
  error?: string;
}

/** What {@link verifyChanges} found: one entry per changed name and type. */
export interface VerificationReport {
  /** True when every name answered as expected. */
  ok: boolean;
  /** One entry per name and type checked. */
  names: VerifiedName[];
  /** Time spent asking, in ms. */
  durationMs: number;
}

interface Expectation {
  ep: Endpoint;
  present: boolean;
}

const HOST_TYPES = new Set(['CNAME', 'DNAME', 'NS', 'PTR', 'MX', 'SRV']);

function comparable(recordType: string, value: string): string {
  if (recordType === 'TXT' || recordType === 'SPF') return (txtChunks(value) ?? [value]).join('');
  const canonical = canonicalTargetFor(recordType, value);
  return HOST_TYPES.has(recordType) ? canonical.toLowerCase() : canonical;
}

/** The record type a LUA record answers, read from its content (`A "…"` → `A`). */
function luaQueryType(content: string | undefined): string | undefined {
  return /^\s*([A-Za-z0-9]+)\s/.exec(content ?? '')?.[1]?.toUpperCase();
}

function expectations(changes: Changes): Expectation[] {
  const byKey = new Map<string, Expectation>();
  for (const ep of [...changes.delete, ...changes.updateOld])
    byKey.set(endpointKey(ep), { ep, present: false });
  for (const ep of [...changes.create, ...changes.updateNew])
    byKey.set(endpointKey(ep), { ep, present: true });
  return [...byKey.values()];
}

function matches(expectation: Expectation, response: DnsResponse): { ok: boolean; actual: string[] } {
  const { ep, present } = expectation;
  const type = ep.recordType.toUpperCase();
  const queryType = type === 'LUA' ? (luaQueryType(ep.targets[0]) ?? 'A') : type;
  // NS below the apex is a delegation: the server answers with a referral in the authority section
  const section = queryType === 'NS' && response.answers.length === 0 ? response.authority : response.answers;
  const answers = section.filter(
    (a) => a.type === queryType && a.name.toLowerCase() === withoutTrailingDot(ep.dnsName).toLowerCase(),
  );
  const actual = answers.map((a) => a.data);
  if (!present) return { ok: response.rcode !== 2 && answers.length === 0, actual };
  if (response.rcode !== 0) return { ok: false, actual };
  if (type === 'LUA') return { ok: answers.length > 0, actual };
  const want = new Set(ep.targets.map((t) => comparable(type, t)));
  const got = new Set(actual.map((a) => comparable(type, a)));
  return { ok: want.size === got.size && [...want].every((w) => got.has(w)), actual };
}

/**
 * Asks a DNS server for every name a change set touched until its answers match the desired state
 * or the timeout passes. Reports per name; never throws for a mismatch.
 */
export async function verifyChanges(
  changes: Changes,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 10_000);
  const interval = options.intervalMs ?? 200;
  const verifyOne = async (expectation: Expectation): Promise<VerifiedName> => {
    const { ep, present } = expectation;
    const type = ep.recordType.toUpperCase();
    const queryType = type === 'LUA' ? (luaQueryType(ep.targets[0]) ?? 'A') : type;
    const result: VerifiedName = {
      dnsName: ep.dnsName,
      recordType: type,
      expectation: present ? 'present' : 'absent',
      ok: false,
      expected: present && type !== 'LUA' ? ep.targets.map((t) => comparable(type, t)) : [],
      actual: [],
      rcode: undefined,
    };
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        const response = await queryDns({
          name: ep.dnsName,
          type: queryType,
          server: options.dnsServer ?? '127.0.0.1',
          port: options.dnsPort ?? 53,
          timeoutMs: Math.max(100, Math.min(2000, Math.ceil(deadline - performance.now()))),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const outcome = matches(expectation, response);
        result.actual = outcome.actual;
        result.rcode = response.rcodeName;
        delete result.error;
        if (outcome.ok) return { ...result, ok: true };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        result.error = error instanceof Error ? error.message : String(error);
      }
      if (performance.now() + interval > deadline) return result;
      // abortable: a cancelled apply does not sit out the pause
      await abortableSleep(interval, options.signal);
    }
  };
  const pending = expectations(changes);
  const names: VerifiedName[] = [];
  // a few names at a time: enough to be quick, few enough not to flood the server
  for (let i = 0; i < pending.length; i += 8)
    appendAll(names, await Promise.all(pending.slice(i, i + 8).map(verifyOne)));
  return { ok: names.every((n) => n.ok), names, durationMs: performance.now() - started };
}
