import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptTxtValue, encryptTxtValue, parseAesKey } from '@openova/dns-core';

interface EncryptionVector {
  id: string;
  text: string;
  aesKey: string;
  nonce: string;
  value: string;
}

// 300 known answers computed by ExternalDNS's own endpoint.EncryptText (gzip at BestCompression,
// AES-256-GCM, base64 of nonce ‖ ciphertext ‖ tag, in quotes), from issue 11 item g1.
const vectors = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/encryption-vectors.json', import.meta.url), 'utf8'),
) as EncryptionVector[];

describe('TXT encryption known answers from ExternalDNS', () => {
  it('has all 300 vectors', () => {
    expect(vectors).toHaveLength(300);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(300);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s encrypts byte for byte and decrypts', (_, v) => {
    const key = parseAesKey(v.aesKey);
    const nonce = Buffer.from(v.nonce, 'base64');
    expect(nonce).toHaveLength(12);
    expect(encryptTxtValue(v.text, key, nonce)).toBe(v.value);
    expect(decryptTxtValue(v.value, key)).toEqual({ plaintext: v.text, nonce: v.nonce });
  });
});
