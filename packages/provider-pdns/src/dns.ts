/**
 * A minimal DNS stub client (RFC 1035) for checking what an authoritative server answers: one
 * question, UDP with EDNS0, TCP when the answer is truncated. Used by the provider's post-apply
 * verification and by tests; not a resolver (no recursion, no caching). Messages are encoded and
 * decoded by `dns-packet`; the abortable UDP/TCP exchange with its deadline is ours.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { Socket } from 'node:net';
import { isIP } from 'node:net';
import type * as packet from 'dns-packet';
import { AbortedError } from '@openova/dns-core';
import { canonicalIPv6, withoutTrailingDot } from '@openova/dns-core/provider';

/** Options of {@link queryDns}: what to ask, whom, and how long to wait. */
export interface DnsQueryOptions {
  /** Owner name to ask for. */
  name: string;
  /** Record type mnemonic (`A`, `TXT`, …) or number. */
  type: string | number;
  /** Server address (default `127.0.0.1`). */
  server?: string;
  /** Server port (default 53). */
  port?: number;
  /** Per-attempt timeout (default 2000 ms). */
  timeoutMs?: number;
  /** Cancels the query (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal;
  /** Ask over TCP straight away (default: UDP, TCP after truncation). */
  tcp?: boolean;
}

/** One resource record of an answer. */
export interface DnsAnswer {
  /** Owner name without trailing dot. */
  name: string;
  /** Record type mnemonic, e.g. `A` (`TYPE65534` for unknown ones). */
  type: string;
  /** TTL in seconds. */
  ttl: number;
  /**
   * Record data in the endpoint model's form: addresses canonical, host names without trailing
   * dot, TXT as its strings joined, MX `pref host`, SRV `prio weight port host`, CAA `flags tag "value"`.
   */
  data: string;
  /** TXT/SPF only: the character strings as sent. */
  strings?: string[];
}

/** A DNS answer as {@link queryDns} decodes it. */
export interface DnsResponse {
  /** Response code as a number (0 = NOERROR, 3 = NXDOMAIN). */
  rcode: number;
  /** `NOERROR`, `NXDOMAIN`, `SERVFAIL`, … */
  rcodeName: string;
  /** The AA bit: the server is authoritative for the name. */
  authoritative: boolean;
  /** The TC bit (only seen with `tcp: false` answers that did not fit UDP). */
  truncated: boolean;
  /** The answer section, in the server's order. */
  answers: DnsAnswer[];
  /** Authority section (referral NS records at a delegation, SOA of a negative answer). */
  authority: DnsAnswer[];
}

/** Record data in the endpoint model's form (see {@link DnsAnswer.data}). */
function answerData(answer: packet.Answer): Pick<DnsAnswer, 'data' | 'strings'> {
  // dns-packet's answer union has no variant for SPF or types it does not know (a Buffer then)
  const data = (answer as { data?: unknown }).data;
  const host = (name: string) => (name === '.' ? '.' : withoutTrailingDot(name));
  switch (answer.type as string) {
    case 'A':
      return { data: data as string };
    case 'AAAA':
      return { data: canonicalIPv6(data as string) ?? (data as string) };
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return { data: host(data as string) };
    case 'MX': {
      const mx = data as { preference?: number; exchange: string };
      return { data: `${mx.preference ?? 0} ${host(mx.exchange)}` };
    }
    case 'SRV': {
      const srv = data as { priority?: number; weight?: number; port?: number; target: string };
      return { data: `${srv.priority ?? 0} ${srv.weight ?? 0} ${srv.port ?? 0} ${host(srv.target)}` };
    }
    case 'TXT':
    case 'SPF': {
      const strings = Buffer.isBuffer(data)
        ? characterStrings(data)
        : (data as (Buffer | string)[]).map((s) => (typeof s === 'string' ? s : s.toString('utf8')));
      return { data: strings.join(''), strings };
    }
    case 'CAA': {
      const caa = data as { flags?: number; tag: string; value: string };
      return {
        data: `${caa.flags ?? 0} ${caa.tag} "${caa.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
      };
    }
    case 'SOA': {
      const soa = data as packet.SoaData;
      return {
        data: `${host(soa.mname)} ${host(soa.rname)} ${[soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].map((n) => n ?? 0).join(' ')}`,
      };
    }
    default: {
      const raw = Buffer.isBuffer(data) ? data : Buffer.alloc(0);
      return { data: `\\# ${raw.length} ${raw.toString('hex')}` };
    }
  }
}

/** The character strings of TXT-like RDATA (SPF, which dns-packet leaves as bytes). */
function characterStrings(rdata: Buffer): string[] {
  const strings: string[] = [];
  let offset = 0;
  while (offset < rdata.length) {
    const length = rdata.readUInt8(offset);
    strings.push(rdata.subarray(offset + 1, offset + 1 + length).toString('utf8'));
    offset += 1 + length;
  }
  return strings;
}

type Codec = Pick<typeof packet, 'encode' | 'decode'>;
let codec: Promise<Codec> | undefined;

/** dns-packet, loaded on the first query: a script that never asks DNS does not load it at start-up. */
function loadCodec(): Promise<Codec> {
  codec ??= import('dns-packet').then((m) => (m as { default?: Codec }).default ?? m);
  return codec;
}

/** A query for one name and type, without recursion (we ask an authoritative server), with EDNS0. */
function encodeQuery(packet: Codec, id: number, name: string, type: string | number): Buffer {
  // dns-packet takes a number as `UNKNOWN_<n>`; `TYPE<n>` is the RFC 3597 spelling
  const generic = typeof type === 'number' ? String(type) : /^TYPE(\d+)$/i.exec(type)?.[1];
  const typeName = generic === undefined ? (type as string).toUpperCase() : `UNKNOWN_${generic}`;
  return packet.encode({
    type: 'query',
    id,
    flags: 0,
    questions: [{ type: typeName as packet.RecordType, name: withoutTrailingDot(name), class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as packet.Answer],
  });
}

function decodeResponse(packet: Codec, message: Buffer, id: number): DnsResponse {
  let decoded: packet.DecodedPacket;
  try {
    decoded = packet.decode(message);
  } catch (cause) {
    throw new Error('DNS answer could not be decoded', { cause });
  }
  if (decoded.id !== id) throw new Error('DNS answer does not match the query');
  const record = (a: packet.Answer): DnsAnswer => ({
    name: a.name === '.' ? '' : a.name,
    type: /^UNKNOWN_(\d+)$/.test(a.type) ? `TYPE${a.type.slice(8)}` : a.type,
    ttl: (a as { ttl?: number }).ttl ?? 0,
    ...answerData(a),
  });
  const rcode = (decoded.flags ?? 0) & 0x0f;
  return {
    rcode,
    rcodeName: (decoded as { rcode?: string }).rcode ?? `RCODE${rcode}`,
    authoritative: decoded.flag_aa,
    truncated: decoded.flag_tc,
    answers: (decoded.answers ?? []).map(record),
    authority: (decoded.authorities ?? []).map(record),
  };
}

function withDeadline<T>(
  work: (settle: { resolve: (value: T) => void; reject: (error: Error) => void }) => () => void,
  options: { timeoutMs: number; signal: AbortSignal | undefined; what: string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      cleanup();
    };
    const onAbort = () => {
      finish();
      reject(new AbortedError(`DNS query ${options.what} aborted`, { cause: options.signal?.reason }));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`DNS query ${options.what} timed out after ${Math.ceil(options.timeoutMs)} ms`));
    }, options.timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = work({
      resolve: (value) => {
        finish();
        resolve(value);
      },
      reject: (error) => {
        finish();
        reject(error);
      },
    });
  });
}

function queryUdp(
  query: Buffer,
  target: { server: string; port: number },
  options: DeadlineOptions,
): Promise<Buffer> {
  return withDeadline<Buffer>(({ resolve, reject }) => {
    const socket = createSocket(isIP(target.server) === 6 ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.on('message', (message) => resolve(message));
    socket.send(query, target.port, target.server);
    return () => socket.close();
  }, options);
}

function queryTcp(
  query: Buffer,
  target: { server: string; port: number },
  options: DeadlineOptions,
): Promise<Buffer> {
  return withDeadline<Buffer>(({ resolve, reject }) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.connect(target.port, target.server, () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([length, query]));
    });
    return () => socket.destroy();
  }, options);
}

interface DeadlineOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  what: string;
}

/** Sends one DNS question and decodes the answer section. */
export async function queryDns(options: DnsQueryOptions): Promise<DnsResponse> {
  const target = { server: options.server ?? '127.0.0.1', port: options.port ?? 53 };
  const id = randomInt(0, 0x10000);
  const packet = await loadCodec();
  const query = encodeQuery(packet, id, options.name, options.type);
  const deadline: DeadlineOptions = {
    timeoutMs: options.timeoutMs ?? 2000,
    signal: options.signal,
    what: `${options.name} ${String(options.type)} @${target.server}:${target.port}`,
  };
  if (!options.tcp) {
    const response = decodeResponse(packet, await queryUdp(query, target, deadline), id);
    if (!response.truncated) return response;
  }
  return decodeResponse(packet, await queryTcp(query, target, deadline), id);
}
