import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  goDeflateBestCompression,
  goGzipBestCompression,
  limitedCodeLengths,
} from '../../src/registry/goDeflate.js';

interface GoVector {
  seed: number;
  size: number;
  alphabet: number;
  repeatPerMille: number;
  gzipLength: number;
  gzipSha256: string;
}

const goVectors = (
  JSON.parse(
    readFileSync(new URL('../../../../test/fixtures/go-gzip-vectors.json', import.meta.url), 'utf8'),
  ) as { cases: GoVector[] }
).cases;

/** mulberry32, as in test/fixtures/go-gzip-vectors.go. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The input generator of test/fixtures/go-gzip-vectors.go. */
function generate({ seed, size, alphabet, repeatPerMille }: GoVector): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(size);
  let n = 0;
  while (n < size) {
    const draw = next();
    if (n >= 4 && draw % 1000 < repeatPerMille) {
      const distance = 1 + (next() % Math.min(n, 40_000));
      const length = 3 + (next() % 300);
      for (let k = 0; k < length && n < size; k++, n++) out[n] = out[n - distance]!;
    } else {
      out[n++] = alphabet === 256 ? next() & 255 : 97 + (next() % alphabet);
    }
  }
  return out;
}

describe('goGzipBestCompression: Go compress/gzip known answers', () => {
  it('has the vectors (every input size class, window slides, 16,384-token blocks, past 16 MiB)', () => {
    expect(goVectors).toHaveLength(177);
    expect(Math.max(...goVectors.map((v) => v.size))).toBe(17 << 20);
  });

  it.each(goVectors.map((v) => [`seed ${v.seed}: ${v.size} bytes, alphabet ${v.alphabet}`, v] as const))(
    '%s',
    (_, vector) => {
      const input = generate(vector);
      const gz = goGzipBestCompression(input);
      expect(gz.length).toBe(vector.gzipLength);
      expect(createHash('sha256').update(gz).digest('hex')).toBe(vector.gzipSha256);
      expect(gunzipSync(gz).equals(input)).toBe(true);
    },
  );

  it('writes the header Go writes at best compression: mtime 0, XFL 2, OS 255', () => {
    const gz = goGzipBestCompression(new TextEncoder().encode('heritage=external-dns'));
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
  });

  it('ends with the empty stored blocks of Flush and Close', () => {
    const raw = goDeflateBestCompression(new Uint8Array(0));
    // Flush: header bits 000 padded to a byte, LEN 0, NLEN ffff; Close: 001 padded, LEN 0, NLEN ffff.
    expect(Buffer.from(raw).toString('hex')).toBe('000000ffff010000ffff');
  });
});

describe('goDeflateBestCompression round trips (node:zlib inflates it)', () => {
  it('any bytes, up to 4 KiB', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (input) => {
        expect(inflateRawSync(goDeflateBestCompression(input)).equals(input)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('repetitive text with long and far matches, up to 400 KiB', () => {
    const piece = fc.record({
      literal: fc.uint8Array({ minLength: 0, maxLength: 64 }),
      back: fc.integer({ min: 1, max: 40_000 }),
      length: fc.integer({ min: 0, max: 600 }),
    });
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 1500 }),
        fc.integer({ min: 0, max: 400 * 1024 }),
        (pieces, cap) => {
          const parts: number[] = [];
          for (const p of pieces) {
            for (const b of p.literal) parts.push(b);
            const from = parts.length - Math.min(p.back, parts.length);
            for (let k = 0; k < p.length && parts.length > 0; k++) parts.push(parts[from + k]!);
          }
          // Stretch to the drawn size by repeating, so large inputs cross window slides.
          const input = new Uint8Array(Math.min(cap, parts.length * 64));
          for (let i = 0; i < input.length; i++) input[i] = parts[i % parts.length]!;
          expect(inflateRawSync(goDeflateBestCompression(input)).equals(Buffer.from(input))).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('limitedCodeLengths', () => {
  const kraft = (lengths: Uint8Array): number =>
    [...lengths].reduce((sum, l) => (l === 0 ? sum : sum + 2 ** -l), 0);

  it('gives a complete prefix code within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 20 })), {
          minLength: 3,
          maxLength: 286,
        }),
        fc.integer({ min: 7, max: 15 }),
        (drawn, maxBits) => {
          // At most 2^maxBits symbols fit; the code-length alphabet (19 symbols) is limited to 7 bits.
          const freq = drawn.slice(0, maxBits === 7 ? 19 : 286);
          const used = freq.filter((f) => f > 0).length;
          fc.pre(used >= 2);
          const lengths = new Uint8Array(freq.length);
          limitedCodeLengths(freq, maxBits, lengths);
          freq.forEach((f, s) => {
            expect(lengths[s] === 0).toBe(f === 0);
            expect(lengths[s]).toBeLessThanOrEqual(maxBits);
          });
          expect(kraft(lengths)).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('limits depth on a Fibonacci distribution (unlimited Huffman would need 24 bits)', () => {
    const freq = [1, 1];
    while (freq.length < 25) freq.push(freq.at(-1)! + freq.at(-2)!);
    const lengths = new Uint8Array(freq.length);
    limitedCodeLengths(freq, 15, lengths);
    expect(Math.max(...lengths)).toBe(15);
    expect(kraft(lengths)).toBe(1);
  });

  it('gives one or two used symbols length 1', () => {
    const lengths = new Uint8Array(5);
    limitedCodeLengths([0, 9, 0, 0, 0], 15, lengths);
    expect([...lengths]).toEqual([0, 1, 0, 0, 0]);
    limitedCodeLengths([0, 9, 0, 1, 0], 15, lengths);
    expect([...lengths]).toEqual([0, 1, 0, 1, 0]);
  });

  it('breaks frequency ties by symbol, as Go does: among equals, the highest symbol ranks as most frequent', () => {
    const lengths = new Uint8Array(3);
    limitedCodeLengths([5, 5, 5], 15, lengths);
    // Ranked by (frequency, symbol): symbol 2 is the most frequent leaf and gets 1 bit.
    expect([...lengths]).toEqual([2, 2, 1]);
  });
});
