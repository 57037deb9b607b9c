/**
 * A minimal DNS stub client (RFC 1035) for checking what an authoritative server answers: one
 * question, UDP with EDNS0, TCP when the answer is truncated. Used by the provider's post-apply
 * verification and by tests; not a resolver (no recursion, no caching).
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { Socket } from 'node:net';
import { isIP } from 'node:net';
import { AbortedError } from '@openova/dns-core';
import { canonicalIPv6, withoutTrailingDot } from '@openova/dns-core/provider';

const TYPE_CODES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  OPT: 41,
  SPF: 99,
  ANY: 255,
  CAA: 257,
};
const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([name, code]) => [code, name]));
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

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

function typeCode(type: string | number): number {
  if (typeof type === 'number') return type;
  const upper = type.toUpperCase();
  const known = TYPE_CODES[upper];
  if (known !== undefined) return known;
  const generic = /^TYPE(\d+)$/.exec(upper);
  if (generic) return Number(generic[1]);
  throw new Error(`unknown DNS type ${type}`);
}

function encodeName(name: string): Buffer {
  const labels = withoutTrailingDot(name).split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length > 63) throw new Error(`label too long in ${name}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function encodeQuery(id: number, name: string, type: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // no recursion desired: we talk to an authoritative server
  header.writeUInt16BE(1, 4); // one question
  header.writeUInt16BE(1, 10); // one additional record: the EDNS0 OPT
  const question = Buffer.alloc(4);
  question.writeUInt16BE(type, 0);
  question.writeUInt16BE(1, 2); // IN
  // OPT: root name, type 41, UDP payload 1232, no extended flags, no options
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, encodeName(name), question, opt]);
}

/** Reads a possibly compressed name at `offset`; returns it and the offset after it. */
function readName(message: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  for (let jumps = 0; jumps < 128; jumps++) {
    const length = message.readUInt8(offset);
    if (length === 0) {
      if (next < 0) next = offset + 1;
      return { name: labels.join('.'), next };
    }
    if ((length & 0xc0) === 0xc0) {
      if (next < 0) next = offset + 2;
      offset = message.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  throw new Error('DNS name compression loop');
}

function readCharacterStrings(rdata: Buffer): string[] {
  const strings: string[] = [];
  let offset = 0;
  while (offset < rdata.length) {
    const length = rdata.readUInt8(offset);
    strings.push(rdata.subarray(offset + 1, offset + 1 + length).toString('utf8'));
    offset += 1 + length;
  }
  return strings;
}

function decodeRdata(
  message: Buffer,
  input: { type: number; start: number; length: number },
): Pick<DnsAnswer, 'data' | 'strings'> {
  const { type, start, length } = input;
  const rdata = message.subarray(start, start + length);
  switch (TYPE_NAMES.get(type)) {
    case 'A':
      return { data: [...rdata].join('.') };
    case 'AAAA': {
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(rdata.readUInt16BE(i).toString(16));
      const text = groups.join(':');
      return { data: canonicalIPv6(text) ?? text };
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return { data: readName(message, start).name };
    case 'MX':
      return { data: `${rdata.readUInt16BE(0)} ${readName(message, start + 2).name || '.'}` };
    case 'SRV':
      return {
        data: `${rdata.readUInt16BE(0)} ${rdata.readUInt16BE(2)} ${rdata.readUInt16BE(4)} ${readName(message, start + 6).name || '.'}`,
      };
    case 'TXT':
    case 'SPF': {
      const strings = readCharacterStrings(rdata);
      return { data: strings.join(''), strings };
    }
    case 'CAA': {
      const flags = rdata.readUInt8(0);
      const tagLength = rdata.readUInt8(1);
      const tag = rdata.subarray(2, 2 + tagLength).toString('latin1');
      const value = rdata.subarray(2 + tagLength).toString('utf8');
      return { data: `${flags} ${tag} "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` };
    }
    case 'SOA': {
      const mname = readName(message, start);
      const rname = readName(message, mname.next);
      const numbers = [0, 4, 8, 12, 16].map((o) => message.readUInt32BE(rname.next + o));
      return { data: `${mname.name} ${rname.name} ${numbers.join(' ')}` };
    }
    case undefined:
    default:
      return { data: `\\# ${length} ${rdata.toString('hex')}` };
  }
}

function decodeResponse(message: Buffer, id: number): DnsResponse {
  if (message.length < 12 || message.readUInt16BE(0) !== id)
    throw new Error('DNS answer does not match the query');
  const flags = message.readUInt16BE(2);
  const questions = message.readUInt16BE(4);
  const answerCount = message.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < questions; i++) offset = readName(message, offset).next + 4;
  const authorityCount = message.readUInt16BE(8);
  const records: DnsAnswer[] = [];
  for (let i = 0; i < answerCount + authorityCount; i++) {
    const owner = readName(message, offset);
    offset = owner.next;
    const type = message.readUInt16BE(offset);
    const ttl = message.readUInt32BE(offset + 4);
    const length = message.readUInt16BE(offset + 8);
    offset += 10;
    records.push({
      name: owner.name,
      type: TYPE_NAMES.get(type) ?? `TYPE${type}`,
      ttl,
      ...decodeRdata(message, { type, start: offset, length }),
    });
    offset += length;
  }
  const rcode = flags & 0x0f;
  return {
    rcode,
    rcodeName: RCODE_NAMES[rcode] ?? `RCODE${rcode}`,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    answers: records.slice(0, answerCount),
    authority: records.slice(answerCount),
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
      reject(new Error(`DNS query ${options.what} timed out after ${options.timeoutMs} ms`));
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
  const type = typeCode(options.type);
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, options.name, type);
  const deadline: DeadlineOptions = {
    timeoutMs: options.timeoutMs ?? 2000,
    signal: options.signal,
    what: `${options.name} ${String(options.type)} @${target.server}:${target.port}`,
  };
  if (!options.tcp) {
    const response = decodeResponse(await queryUdp(query, target, deadline), id);
    if (!response.truncated) return response;
  }
  return decodeResponse(await queryTcp(query, target, deadline), id);
}
