// bench/encrypt: TXT marker encryption with Go's gzip reproduced (goDeflate.ts) against the same
// encryption over node:zlib's gzip (what the SDK did before; not byte-compatible), in one run.
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { encryptTxtValue, parseAesKey } from '@openova/dns-core';
import { goGzipBestCompression } from '../packages/core/src/registry/goDeflate.js';
import { timeMedian } from './stats.js';

interface Vector {
  text: string;
  aesKey: string;
  nonce: string;
}

/** The baseline: zlib level 9 with Go's gzip framing, then the same AES-256-GCM and base64. */
function zlibEncrypt(text: string, key: Uint8Array, nonce: Uint8Array): string {
  const data = Buffer.from(text, 'utf8');
  const body = deflateRawSync(data, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const gz = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]), body]);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(gz), cipher.final(), cipher.getAuthTag()]);
  return `"${Buffer.concat([nonce, sealed]).toString('base64')}"`;
}

export interface EncryptBenchRow {
  scenario: string;
  oursMs: number;
  baselineMs: number;
  ratio: number;
}

export async function benchEncrypt(): Promise<EncryptBenchRow[]> {
  const vectors = JSON.parse(
    readFileSync(new URL('../test/fixtures/encryption-vectors.json', import.meta.url), 'utf8'),
  ) as Vector[];
  const inputs = vectors.map((v) => ({
    text: v.text,
    key: parseAesKey(v.aesKey),
    nonce: Buffer.from(v.nonce, 'base64'),
  }));
  const rounds = 20;
  const markers = inputs.length * rounds;
  const ours = await timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const i of inputs) encryptTxtValue(i.text, i.key, i.nonce);
  }, 9);
  const baseline = await timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const i of inputs) zlibEncrypt(i.text, i.key, i.nonce);
  }, 9);

  // 1 MiB of marker-like text: the encoder's match finder on a long input.
  const text = Buffer.from(inputs.map((i) => i.text).join('\n'));
  const large = Buffer.alloc(1 << 20);
  for (let at = 0; at < large.length; at += text.length) text.copy(large, at);
  const oursLarge = await timeMedian(() => goGzipBestCompression(large), 5);
  const baselineLarge = await timeMedian(() => gzipSync(large, { level: 9 }), 5);
  return [
    {
      scenario: `encrypt ${markers.toLocaleString('en')} markers (the 300 vector texts ×${rounds})`,
      oursMs: ours,
      baselineMs: baseline,
      ratio: ours / baseline,
    },
    {
      scenario: 'gzip 1 MiB of marker text',
      oursMs: oursLarge,
      baselineMs: baselineLarge,
      ratio: oursLarge / baselineLarge,
    },
  ];
}

export function printEncryptBench(rows: EncryptBenchRow[]): void {
  console.log('bench/encrypt: Go-compatible gzip (goDeflate.ts) vs node:zlib level 9, same AES-256-GCM');
  console.log('| scenario | ours median ms | node:zlib median ms | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.scenario} | ${r.oursMs.toFixed(1)} | ${r.baselineMs.toFixed(1)} | ${r.ratio.toFixed(2)} |`,
    );
}
