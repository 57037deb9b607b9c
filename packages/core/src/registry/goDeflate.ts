/**
 * gzip output identical, byte for byte, to Go's `compress/gzip` writer at `gzip.BestCompression` after
 * one `Write`, one `Flush` and `Close` (what ExternalDNS's `endpoint.CompressData` does before it seals
 * a TXT ownership marker).
 *
 * ExternalDNS rebuilds the stored value of a marker from its plaintext and nonce when it updates or
 * deletes it, and providers that delete by value (Route53, Cloudflare) refuse a value that differs.
 * So our markers must carry the bytes Go would write, and zlib's choices differ from Go's.
 *
 * Written from the format (RFC 1951, RFC 1952) and the documented behaviour of Go's encoder at level
 * 9 (parameters: good 32, lazy 258, nice 258, chain 4096; 4-byte minimum matches, hashed over 4
 * bytes into 2^17 buckets; a 4-byte match farther than 4,096 bytes is not taken; blocks of at most
 * 16,384 tokens; each block stored, fixed or dynamic by computed size). Used only to encrypt:
 * decryption inflates with `node:zlib`, which reads any valid stream.
 */
import { crc32 } from 'node:zlib';

const WINDOW = 1 << 15;
const WINDOW_MASK = WINDOW - 1;
/** Shortest match the encoder emits (the format allows 3). */
const MIN_MATCH = 4;
const MAX_MATCH = 258;
/** Bytes of lookahead the encoder waits for before it works outside a flush. */
const LOOKAHEAD = MIN_MATCH + MAX_MATCH;
const HASH_BITS = 17;
const HASH_SIZE = 1 << HASH_BITS;
const HASH_MULTIPLIER = 0x1e35a7bd;
/** Level 9: stop looking once a match this long is found. */
const NICE_LENGTH = 258;
/** Level 9: no search at a position after a match at least this long. */
const LAZY_LENGTH = 258;
/** Level 9: candidates tried per position. */
const CHAIN_LENGTH = 4096;
/** A 4-byte match is only worth it this close. */
const SHORT_MATCH_MAX_DISTANCE = 4096;
const MAX_BLOCK_TOKENS = 1 << 14;
const MAX_STORED_BLOCK = 65_535;
const INFINITE_FREQ = 0x7fff_ffff;
const END_OF_BLOCK = 256;
const LITERAL_CODES = 286;
const DISTANCE_CODES = 30;
const CODE_LENGTH_CODES = 19;
/** Order in which the code-length code lengths are sent (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** Length code index (0–28) for each match length 3–258: the last code whose base is not above it. */
const LENGTH_CODE = new Uint8Array(MAX_MATCH + 1);
for (let len = 3, code = 0; len <= MAX_MATCH; len++) {
  while (code + 1 < LENGTH_BASE.length && LENGTH_BASE[code + 1]! <= len) code++;
  LENGTH_CODE[len] = code;
}

function distanceCode(distance: number): number {
  let code = 0;
  while (code + 1 < DISTANCE_BASE.length && DISTANCE_BASE[code + 1]! <= distance) code++;
  return code;
}

/**
 * Fixed Huffman code lengths (RFC 1951 §3.2.6). The table has 288 symbols (286 and 287 never occur);
 * the canonical codes are those of all 288.
 */
const FIXED_LITERAL_LENGTHS = new Uint8Array(288).map((_, s) =>
  s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8,
);
const FIXED_DISTANCE_LENGTHS = new Uint8Array(DISTANCE_CODES).fill(5);

/** LSB-first bit sink (deflate's bit order) over a growable buffer. */
class BitSink {
  private buf = new Uint8Array(256);
  private size = 0;
  private acc = 0;
  private count = 0;

  private ensure(extra: number): void {
    if (this.size + extra <= this.buf.length) return;
    let next = this.buf.length * 2;
    while (next < this.size + extra) next *= 2;
    const grown = new Uint8Array(next);
    grown.set(this.buf.subarray(0, this.size));
    this.buf = grown;
  }

  /** Appends the low `n` bits of `value` (n ≤ 16). */
  bits(value: number, n: number): void {
    this.acc |= value << this.count;
    this.count += n;
    if (this.count >= 8) {
      this.ensure(3);
      while (this.count >= 8) {
        this.buf[this.size++] = this.acc & 0xff;
        this.acc >>>= 8;
        this.count -= 8;
      }
    }
  }

  /** Pads with zero bits to a byte boundary. */
  align(): void {
    if (this.count > 0) this.bits(0, 8 - this.count);
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.size);
    this.size += data.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.size);
  }
}

/** Working memory of {@link limitedCodeLengths}, sized for 286 symbols and 15 bits. */
const mergeScratch = {
  ranked: new Float64Array(LITERAL_CODES),
  leaf: new Float64Array(LITERAL_CODES + 1),
  lastTaken: new Float64Array(17),
  nextLeaf: new Float64Array(17),
  nextPackage: new Float64Array(17),
  wanted: new Float64Array(17),
  chain: new Int32Array(17 * 16),
};

/**
 * Optimal code lengths limited to `maxBits`, with Go's tie-breaking: symbols are ranked by frequency
 * then by symbol value; the lengths come from a lazy boundary package-merge in which, at each level,
 * a package wins a tie against a leaf. One or two used symbols get length 1. Writes `lengths[s]`
 * for every `s < freq.length` (0 for unused symbols).
 */
export function limitedCodeLengths(freq: ArrayLike<number>, maxBits: number, lengths: Uint8Array): void {
  // Rank used symbols by (frequency, symbol): one sortable number each.
  let n = 0;
  for (let s = 0; s < freq.length; s++) {
    lengths[s] = 0;
    if (freq[s]! > 0) n++;
  }
  if (n <= 2) {
    for (let s = 0; s < freq.length; s++) if (freq[s]! > 0) lengths[s] = 1;
    return;
  }
  const { ranked: allRanked, leaf, lastTaken, nextLeaf, nextPackage, wanted, chain } = mergeScratch;
  for (let s = 0, k = 0; s < freq.length; s++) if (freq[s]! > 0) allRanked[k++] = freq[s]! * 512 + s;
  const ranked = allRanked.subarray(0, n).sort();
  // Leaf frequencies in rank order, then a sentinel that never wins.
  for (let k = 0; k < n; k++) leaf[k] = Math.floor(ranked[k]! / 512);
  leaf[n] = INFINITE_FREQ;
  const top = Math.min(maxBits, n - 1);

  // Per level (1 = only leaves … top = the full list of 2n − 2 items): frequency of the last item
  // taken, of the next leaf and of the next package, how many items are still wanted, and for the
  // last item taken, how many leaves lie left of its ancestor at each lower level (`chain`).
  lastTaken.fill(0, 0, top + 2);
  nextLeaf.fill(0, 0, top + 2);
  nextPackage.fill(0, 0, top + 2);
  wanted.fill(0, 0, top + 2);
  // chain[level * width + j]
  const width = top + 1;
  chain.fill(0, 0, (top + 2) * width);
  for (let level = 1; level <= top; level++) {
    // Every level starts with the two rarest leaves already taken.
    lastTaken[level] = leaf[1]!;
    nextLeaf[level] = leaf[2]!;
    nextPackage[level] = level === 1 ? INFINITE_FREQ : leaf[0]! + leaf[1]!;
    chain[level * width + level] = 2;
  }
  wanted[top] = 2 * n - 4;

  let level = top;
  for (;;) {
    if (nextPackage[level] === INFINITE_FREQ && nextLeaf[level] === INFINITE_FREQ) {
      // Nothing left here: this level is finished and can feed no package above.
      wanted[level] = 0;
      nextPackage[level + 1] = INFINITE_FREQ;
      level++;
      continue;
    }
    const previous = lastTaken[level]!;
    if (nextLeaf[level]! < nextPackage[level]!) {
      const taken = chain[level * width + level]! + 1;
      lastTaken[level] = nextLeaf[level]!;
      chain[level * width + level] = taken;
      nextLeaf[level] = leaf[taken]!;
    } else {
      lastTaken[level] = nextPackage[level]!;
      const here = level * width;
      const below = here - width;
      for (let j = 0; j < level; j++) chain[here + j] = chain[below + j]!;
      // The level below must make two more items before the next package exists.
      wanted[level - 1] = 2;
    }
    wanted[level] = wanted[level]! - 1;
    if (wanted[level] === 0) {
      if (level === top) break;
      nextPackage[level + 1] = previous + lastTaken[level]!;
      level++;
    } else {
      while (wanted[level - 1]! > 0) level--;
    }
  }

  // Leaves needing exactly `bits` bits: the difference of two consecutive chain counts. The most
  // frequent leaves (end of the ranking) get the shortest codes.
  const counts = top * width;
  let end = n;
  for (let bits = 1; bits <= top; bits++) {
    const atLength = chain[counts + top - bits + 1]! - chain[counts + top - bits]!;
    for (let k = end - atLength; k < end; k++) lengths[ranked[k]! % 512] = bits;
    end -= atLength;
  }
}

/** Canonical codes (RFC 1951 §3.2.2), bit-reversed for LSB-first output, into `codes`. */
function canonicalCodes(lengths: Uint8Array, count: number, codes = new Uint16Array(count)): Uint16Array {
  const perLength = new Uint16Array(16);
  for (let s = 0; s < count; s++) perLength[lengths[s]!]!++;
  perLength[0] = 0;
  const next = new Uint16Array(16);
  let code = 0;
  for (let bits = 1; bits < 16; bits++) {
    code = (code + perLength[bits - 1]!) << 1;
    next[bits] = code;
  }
  for (let s = 0; s < count; s++) {
    const len = lengths[s]!;
    codes[s] = 0;
    if (len === 0) continue;
    let value = next[len]!++;
    let reversed = 0;
    for (let b = 0; b < len; b++) {
      reversed = (reversed << 1) | (value & 1);
      value >>>= 1;
    }
    codes[s] = reversed;
  }
  return codes;
}

function costInBits(freq: ArrayLike<number>, lengths: Uint8Array): number {
  let total = 0;
  for (let s = 0; s < freq.length; s++) total += freq[s]! * lengths[s]!;
  return total;
}

const FIXED_LITERAL_CODES = canonicalCodes(FIXED_LITERAL_LENGTHS, 288);
const FIXED_DISTANCE_CODES = canonicalCodes(FIXED_DISTANCE_LENGTHS, DISTANCE_CODES);

/**
 * Tokens of one block: `lengths[i]` is 0 for a literal (`values[i]` is the byte) or the match length
 * (`values[i]` is the distance).
 */
interface Tokens {
  lengths: Uint16Array;
  values: Uint16Array;
  count: number;
}

/** Working memory of {@link writeBlock} (one block at a time; nothing here outlives a call). */
const blockScratch = {
  literalFreq: new Int32Array(LITERAL_CODES),
  distanceFreq: new Int32Array(DISTANCE_CODES),
  literalLengths: new Uint8Array(LITERAL_CODES),
  distanceLengths: new Uint8Array(DISTANCE_CODES),
  literalCodes: new Uint16Array(LITERAL_CODES),
  distanceCodes: new Uint16Array(DISTANCE_CODES),
  sequence: new Uint8Array(LITERAL_CODES + DISTANCE_CODES),
  rle: new Uint8Array(2 * (LITERAL_CODES + DISTANCE_CODES)),
  clFreq: new Int32Array(CODE_LENGTH_CODES),
  clLengths: new Uint8Array(CODE_LENGTH_CODES),
  clCodes: new Uint16Array(CODE_LENGTH_CODES),
};

/**
 * Writes one non-final block in the cheapest of the three forms, as Go's `writeBlock` counts them:
 * dynamic only when strictly smaller than fixed, stored only when strictly smaller than both (and
 * only when the block's input is known and at most 65,535 bytes).
 */
function writeBlock(out: BitSink, tokens: Tokens, input: Uint8Array | undefined): void {
  const {
    literalFreq,
    distanceFreq,
    literalLengths,
    distanceLengths,
    literalCodes: dynamicLiteralCodes,
    distanceCodes: dynamicDistanceCodes,
    sequence,
    rle,
    clFreq,
    clLengths,
    clCodes,
  } = blockScratch;
  literalFreq.fill(0);
  distanceFreq.fill(0);
  clFreq.fill(0);
  let extraBits = 0;
  for (let i = 0; i < tokens.count; i++) {
    const len = tokens.lengths[i]!;
    if (len === 0) {
      literalFreq[tokens.values[i]!]!++;
      continue;
    }
    const lc = LENGTH_CODE[len]!;
    const dc = distanceCode(tokens.values[i]!);
    literalFreq[257 + lc]!++;
    distanceFreq[dc]!++;
    extraBits += LENGTH_EXTRA[lc]! + DISTANCE_EXTRA[dc]!;
  }
  literalFreq[END_OF_BLOCK]!++;
  let literalCount = LITERAL_CODES;
  while (literalFreq[literalCount - 1] === 0) literalCount--;
  let distanceCount = DISTANCE_CODES;
  while (distanceCount > 0 && distanceFreq[distanceCount - 1] === 0) distanceCount--;
  if (distanceCount === 0) {
    // A dynamic header needs one distance code; Go counts it in every size below.
    distanceFreq[0] = 1;
    distanceCount = 1;
  }
  limitedCodeLengths(literalFreq, 15, literalLengths);
  limitedCodeLengths(distanceFreq, 15, distanceLengths);

  const storable = input !== undefined && input.length <= MAX_STORED_BLOCK;
  // Extra bits are the same for fixed and dynamic; they only matter against stored.
  if (!storable) extraBits = 0;
  const fixedSize =
    3 +
    costInBits(literalFreq, FIXED_LITERAL_LENGTHS) +
    costInBits(distanceFreq, FIXED_DISTANCE_LENGTHS) +
    extraBits;

  // Code-length sequence of both alphabets together, run-length coded with symbols 16/17/18.
  const sequenceLength = literalCount + distanceCount;
  sequence.set(literalLengths.subarray(0, literalCount));
  sequence.set(distanceLengths.subarray(0, distanceCount), literalCount);
  let rleLength = 0;
  const emit = (symbol: number, extra = 0): void => {
    clFreq[symbol]!++;
    rle[rleLength++] = symbol;
    rle[rleLength++] = extra;
  };
  for (let start = 0; start < sequenceLength;) {
    const value = sequence[start]!;
    let end = start + 1;
    while (end < sequenceLength && sequence[end] === value) end++;
    let run = end - start;
    if (value !== 0) {
      emit(value);
      run--;
      while (run >= 3) {
        const n = Math.min(6, run);
        emit(16, n - 3);
        run -= n;
      }
    } else {
      while (run >= 11) {
        const n = Math.min(138, run);
        emit(18, n - 11);
        run -= n;
      }
      if (run >= 3) {
        emit(17, run - 3);
        run = 0;
      }
    }
    for (; run > 0; run--) emit(value);
    start = end;
  }
  limitedCodeLengths(clFreq, 7, clLengths);
  let clCount = CODE_LENGTH_CODES;
  while (clCount > 4 && clFreq[CODE_LENGTH_ORDER[clCount - 1]!] === 0) clCount--;
  const dynamicSize =
    3 +
    5 +
    5 +
    4 +
    3 * clCount +
    costInBits(clFreq, clLengths) +
    clFreq[16]! * 2 +
    clFreq[17]! * 3 +
    clFreq[18]! * 7 +
    costInBits(literalFreq, literalLengths) +
    costInBits(distanceFreq, distanceLengths) +
    extraBits;

  const dynamic = dynamicSize < fixedSize;
  const best = dynamic ? dynamicSize : fixedSize;
  if (storable && (input.length + 5) * 8 < best) {
    writeStoredHeader(out, input.length, false);
    out.bytes(input);
    return;
  }

  let literalCodes: Uint16Array;
  let distanceCodes: Uint16Array;
  let litLen: Uint8Array;
  let distLen: Uint8Array;
  if (dynamic) {
    out.bits(2 << 1, 3); // BFINAL 0, BTYPE 10
    out.bits(literalCount - 257, 5);
    out.bits(distanceCount - 1, 5);
    out.bits(clCount - 4, 4);
    for (let i = 0; i < clCount; i++) out.bits(clLengths[CODE_LENGTH_ORDER[i]!]!, 3);
    canonicalCodes(clLengths, CODE_LENGTH_CODES, clCodes);
    for (let i = 0; i < rleLength; i += 2) {
      const symbol = rle[i]!;
      out.bits(clCodes[symbol]!, clLengths[symbol]!);
      if (symbol === 16) out.bits(rle[i + 1]!, 2);
      else if (symbol === 17) out.bits(rle[i + 1]!, 3);
      else if (symbol === 18) out.bits(rle[i + 1]!, 7);
    }
    literalCodes = canonicalCodes(literalLengths, LITERAL_CODES, dynamicLiteralCodes);
    distanceCodes = canonicalCodes(distanceLengths, DISTANCE_CODES, dynamicDistanceCodes);
    litLen = literalLengths;
    distLen = distanceLengths;
  } else {
    out.bits(1 << 1, 3); // BFINAL 0, BTYPE 01
    literalCodes = FIXED_LITERAL_CODES;
    distanceCodes = FIXED_DISTANCE_CODES;
    litLen = FIXED_LITERAL_LENGTHS;
    distLen = FIXED_DISTANCE_LENGTHS;
  }
  for (let i = 0; i < tokens.count; i++) {
    const len = tokens.lengths[i]!;
    const value = tokens.values[i]!;
    if (len === 0) {
      out.bits(literalCodes[value]!, litLen[value]!);
      continue;
    }
    const lc = LENGTH_CODE[len]!;
    out.bits(literalCodes[257 + lc]!, litLen[257 + lc]!);
    if (LENGTH_EXTRA[lc]! > 0) out.bits(len - LENGTH_BASE[lc]!, LENGTH_EXTRA[lc]!);
    const dc = distanceCode(value);
    out.bits(distanceCodes[dc]!, distLen[dc]!);
    if (DISTANCE_EXTRA[dc]! > 0) out.bits(value - DISTANCE_BASE[dc]!, DISTANCE_EXTRA[dc]!);
  }
  out.bits(literalCodes[END_OF_BLOCK]!, litLen[END_OF_BLOCK]!);
}

function writeStoredHeader(out: BitSink, length: number, final: boolean): void {
  out.bits(final ? 1 : 0, 3);
  out.align();
  out.bits(length, 16);
  out.bits(~length & 0xffff, 16);
}

/** Hash chains, reused between calls: `head` is reset after each call, `prev` is only read through `head`. */
let chains: { head: Int32Array; prev: Int32Array } | undefined;

function hash4(data: Uint8Array, at: number): number {
  const word = ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
  return Math.imul(word, HASH_MULTIPLIER) >>> (32 - HASH_BITS);
}

/**
 * Raw DEFLATE stream of `data` as Go's `flate.Writer` at level 9 writes it for one `Write`, then
 * `Flush` (an empty non-final stored block) and `Close` (an empty final stored block).
 *
 * Positions are absolute offsets in `data`. Go works in a 64 KiB window that slides by 32 KiB once
 * the encoder is within 262 bytes of its end and more input is waiting; the slide forgets older
 * positions and whether the current block can still be stored, so both are modelled here (`base`).
 */
export function goDeflateBestCompression(data: Uint8Array): Uint8Array {
  const out = new BitSink();
  const capacity = Math.min(MAX_BLOCK_TOKENS, data.length) + 1;
  const tokens: Tokens = {
    lengths: new Uint16Array(capacity),
    values: new Uint16Array(capacity),
    count: 0,
  };
  // Allocated on first use (640 KiB), not when the package loads.
  chains ??= { head: new Int32Array(HASH_SIZE).fill(-1), prev: new Int32Array(WINDOW) };
  const { head, prev } = chains;
  const touched: number[] = [];
  let base = 0; // absolute offset of Go's window start
  let available = 0; // absolute end of the data handed to the encoder so far
  let index = 0;
  let blockStart = 0; // -1 once the block's start slid out of the window
  let chainHead = -1;
  let length = MIN_MATCH - 1;
  let distance = 0;
  let pendingLiteral = false; // data[index - 1] still awaits a decision

  const insert = (at: number): number => {
    const h = hash4(data, at);
    const before = head[h]!;
    if (before === -1) touched.push(h);
    prev[at & WINDOW_MASK] = before;
    head[h] = at;
    return before;
  };

  const flushBlock = (end: number): void => {
    if (end - base > 0) {
      const input = blockStart !== -1 && blockStart <= end ? data.subarray(blockStart, end) : undefined;
      blockStart = end;
      writeBlock(out, tokens, input);
    }
    tokens.count = 0;
  };

  const pushToken = (len: number, value: number): void => {
    tokens.lengths[tokens.count] = len;
    tokens.values[tokens.count] = value;
    tokens.count++;
  };

  const longestMatch = (pos: number, candidate: number, lookahead: number): boolean => {
    const limit = Math.min(MAX_MATCH, lookahead);
    const nice = Math.min(NICE_LENGTH, limit);
    const oldest = pos - WINDOW;
    let best = MIN_MATCH - 1;
    let found = false;
    let tries = CHAIN_LENGTH;
    for (let i = candidate; tries > 0; tries--) {
      if (data[i + best] === data[pos + best]) {
        let n = 0;
        while (n < limit && data[i + n] === data[pos + n]) n++;
        if (n > best && (n > MIN_MATCH || pos - i <= SHORT_MATCH_MAX_DISTANCE)) {
          best = n;
          distance = pos - i;
          found = true;
          if (n >= nice) break;
        }
      }
      // The slot of the oldest position was reused for `pos` itself.
      if (i === oldest) break;
      i = prev[i & WINDOW_MASK]!;
      if (i < oldest || i < base) break;
    }
    if (found) length = best;
    return found;
  };

  const step = (flushing: boolean): void => {
    if (available - index < LOOKAHEAD && !flushing) return;
    const lastHashable = available - (MIN_MATCH - 1);
    for (;;) {
      const lookahead = available - index;
      if (lookahead < LOOKAHEAD) {
        if (!flushing) return;
        if (lookahead === 0) {
          if (pendingLiteral) {
            pushToken(0, data[index - 1]!);
            pendingLiteral = false;
          }
          if (tokens.count > 0) flushBlock(index);
          return;
        }
      }
      if (index < lastHashable) chainHead = insert(index);
      const prevLength = length;
      const prevDistance = distance;
      length = MIN_MATCH - 1;
      distance = 0;
      const oldest = Math.max(base, index - WINDOW);
      if (chainHead >= oldest && lookahead > prevLength && prevLength < LAZY_LENGTH)
        longestMatch(index, chainHead, lookahead);
      if (prevLength >= MIN_MATCH && length <= prevLength) {
        // The match that started one byte back is at least as long: take it.
        pushToken(prevLength, prevDistance);
        const end = index + prevLength - 1;
        for (index++; index < end; index++) if (index < lastHashable) insert(index);
        pendingLiteral = false;
        length = MIN_MATCH - 1;
        if (tokens.count === MAX_BLOCK_TOKENS) flushBlock(index);
      } else {
        if (pendingLiteral) {
          pushToken(0, data[index - 1]!);
          if (tokens.count === MAX_BLOCK_TOKENS) flushBlock(index);
        }
        index++;
        pendingLiteral = true;
      }
    }
  };

  try {
    // One Write of all the data: Go works through its window and refills it 32 KiB at a time.
    while (available < data.length) {
      step(false);
      if (index - base >= 2 * WINDOW - LOOKAHEAD) {
        base += WINDOW;
        if (blockStart < base) blockStart = -1;
      }
      available += Math.min(data.length - available, base + 2 * WINDOW - available);
    }
    step(true);
    writeStoredHeader(out, 0, false);
    step(true);
    writeStoredHeader(out, 0, true);
  } finally {
    if (touched.length < HASH_SIZE / 8) for (const h of touched) head[h] = -1;
    else head.fill(-1);
  }
  return out.result();
}

/**
 * Go's `gzip.NewWriterLevel(w, gzip.BestCompression)` after `Write(data)`, `Flush()`, `Close()`:
 * a 10-byte header (no name or comment, mtime 0, XFL 2 for best compression, OS 255 "unknown"),
 * {@link goDeflateBestCompression}, then CRC-32 and length mod 2^32, little-endian.
 */
export function goGzipBestCompression(data: Uint8Array): Uint8Array {
  const body = goDeflateBestCompression(data);
  const gz = new Uint8Array(10 + body.length + 8);
  gz.set([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff]);
  gz.set(body, 10);
  const trailer = new DataView(gz.buffer, 10 + body.length, 8);
  trailer.setUint32(0, crc32(data), true);
  trailer.setUint32(4, data.length >>> 0, true);
  return gz;
}
