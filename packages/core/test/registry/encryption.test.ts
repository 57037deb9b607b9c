import { describe, expect, it } from 'vitest';
import { ConfigError, decryptTxtValue, encryptTxtValue, parseAesKey } from '@openova/dns-core';

// ExternalDNS TestTXTRegistryApplyChangesEncrypt (vector txt-056).
const goKey = '12345678901234567890123456789012';
const goValue =
  '"h8UQ6jelUFUsEIn7SbFktc2MYXPx/q8lySqI4VwfVtVaIbb2nkHWV/88KKbuLtu7fJNzMir8ELVeVnRSY01KdiIuj7ledqZe5ailEjQaU5Z6uEKd5pgs6sH8"';
const goPlain = 'heritage=external-dns,external-dns/owner=owner';

describe('parseAesKey', () => {
  it('uses a 32-byte string raw', () => {
    expect(Buffer.from(parseAesKey(goKey)).toString()).toBe(goKey);
  });

  it('decodes standard and URL-safe base64 of 32 bytes', () => {
    const bytes = Buffer.from('64f8ad2f43465500596d30fa0f05c9cc3f11892b526b3cd85d0b1d528c0b5116', 'hex');
    expect(Buffer.from(parseAesKey(bytes.toString('base64'))).equals(bytes)).toBe(true);
    expect(Buffer.from(parseAesKey(bytes.toString('base64url'))).equals(bytes)).toBe(true);
  });

  it('accepts 32 raw bytes and rejects other lengths', () => {
    expect(parseAesKey(new Uint8Array(32))).toHaveLength(32);
    expect(() => parseAesKey(new Uint8Array(16))).toThrow(/the AES key is 16 bytes; it must be exactly 32/);
  });

  it('explains a bad key without printing it', () => {
    const secret = '123456789012345678901234567890asdfasdfasdfasdfa12';
    let error: unknown;
    try {
      parseAesKey(secret);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /49 bytes and is not valid base64; it must be 32 raw bytes or base64 of 32 bytes/,
    );
    expect((error as Error).message).not.toContain(secret);
    expect(() => parseAesKey(Buffer.alloc(16).toString('base64'))).toThrow(/decodes as base64 to 16 bytes/);
    expect(() => parseAesKey('')).toThrow(ConfigError);
  });
});

describe('encryptTxtValue / decryptTxtValue', () => {
  it('decrypts a value ExternalDNS wrote and keeps its nonce', () => {
    expect(decryptTxtValue(goValue, parseAesKey(goKey))).toEqual({
      plaintext: goPlain,
      nonce: 'h8UQ6jelUFUsEIn7',
    });
  });

  it('re-encrypts byte for byte like ExternalDNS with the same nonce', () => {
    const nonce = Buffer.from('h8UQ6jelUFUsEIn7', 'base64');
    expect(encryptTxtValue(goPlain, parseAesKey(goKey), nonce)).toBe(goValue);
    expect(encryptTxtValue(`"${goPlain}"`, parseAesKey(goKey), nonce)).toBe(goValue);
  });

  it('round-trips with a fresh nonce each time', () => {
    const key = parseAesKey(Buffer.alloc(32, 7));
    const text = 'heritage=external-dns,external-dns/owner=me,external-dns/resource=ingress/ns/ü';
    const a = encryptTxtValue(text, key);
    const b = encryptTxtValue(text, key);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^"[A-Za-z0-9+/]+=*"$/);
    expect(decryptTxtValue(a, key)?.plaintext).toBe(text);
    expect(decryptTxtValue(b, key)?.plaintext).toBe(text);
  });

  it('returns undefined for a wrong key, tampering or plain text', () => {
    const key = parseAesKey(goKey);
    expect(decryptTxtValue(goValue, parseAesKey(Buffer.alloc(32)))).toBeUndefined();
    expect(decryptTxtValue(goValue.replace('h8UQ', 'h8UR'), key)).toBeUndefined();
    expect(decryptTxtValue(`"${goPlain}"`, key)).toBeUndefined();
    expect(decryptTxtValue('"abcd"', key)).toBeUndefined();
  });

  it('rejects a nonce that is not 12 bytes', () => {
    expect(() => encryptTxtValue(goPlain, parseAesKey(goKey), new Uint8Array(8))).toThrow(ConfigError);
  });
});
