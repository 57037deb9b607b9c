import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ConfigError } from '../errors.js';
import { goGzipBestCompression } from './goDeflate.js';

/** AES-256 key length in bytes. */
export const AES_KEY_BYTES = 32;
/** GCM nonce length ExternalDNS uses. */
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const urlSafeBase64 = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Reads an AES key as ExternalDNS does (`--txt-encrypt-aes-key`): a string of exactly 32 bytes is used
 * raw, anything else must be standard base64 of 32 bytes. URL-safe base64 is accepted too, because
 * ExternalDNS's docs once asked for it (#3992). Source: ExternalDNS `registry/txt` (`--txt-encrypt-aes-key`).
 * @returns the 32 key bytes.
 * @throws `ConfigError` (`CONFIG`) when the key is neither 32 raw bytes nor base64 of 32 bytes; the key
 *   never appears in the message.
 */
export function parseAesKey(key: string | Uint8Array): Uint8Array {
  if (typeof key !== 'string') {
    if (key.length === AES_KEY_BYTES) return Uint8Array.from(key);
    throw new ConfigError(
      `TXT encryption: the AES key is ${key.length} bytes; it must be exactly ${AES_KEY_BYTES}`,
    );
  }
  const raw = Buffer.from(key, 'utf8');
  if (raw.length === AES_KEY_BYTES) return new Uint8Array(raw);
  const trimmed = key.trim();
  let decoded: Buffer | undefined;
  if (trimmed !== '' && standardBase64.test(trimmed)) decoded = Buffer.from(trimmed, 'base64');
  else if (trimmed !== '' && urlSafeBase64.test(trimmed) && trimmed.length % 4 !== 1)
    decoded = Buffer.from(trimmed, 'base64url');
  if (decoded?.length === AES_KEY_BYTES) return new Uint8Array(decoded);
  throw new ConfigError(
    `TXT encryption: the AES key is ${raw.length} bytes and ${
      decoded ? `decodes as base64 to ${decoded.length} bytes` : 'is not valid base64'
    }; it must be ${AES_KEY_BYTES} raw bytes or base64 of ${AES_KEY_BYTES} bytes`,
  );
}

/** A TXT value after decryption: the label string and the nonce to reuse when it is written again. */
export interface DecryptedTxt {
  /** The unquoted label string, e.g. `heritage=external-dns,external-dns/owner=a`. */
  plaintext: string;
  /** Standard base64 of the 12-byte nonce (16 characters), kept in the `txt-encryption-nonce` label. */
  nonce: string;
}

function unquote(value: string): string {
  return value.replace(/^"+|"+$/g, '');
}

/** Decodes a base64 nonce label; `undefined` when it is not 12 bytes of standard base64. */
export function decodeNonce(nonce: string): Uint8Array | undefined {
  if (!standardBase64.test(nonce)) return undefined;
  const bytes = Buffer.from(nonce, 'base64');
  return bytes.length === NONCE_BYTES ? new Uint8Array(bytes) : undefined;
}

/**
 * Encrypts a label string as ExternalDNS does: AES-256-GCM over gzip of the unquoted text; result is the
 * quoted standard base64 of nonce ‖ ciphertext ‖ tag. A fresh random nonce is used unless one is given.
 */
export function encryptTxtValue(
  plaintext: string,
  key: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): string {
  if (nonce.length !== NONCE_BYTES)
    throw new ConfigError(`TXT encryption: the nonce is ${nonce.length} bytes; it must be ${NONCE_BYTES}`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([
    cipher.update(goGzipBestCompression(Buffer.from(unquote(plaintext), 'utf8'))),
    cipher.final(),
  ]);
  return `"${Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64')}"`;
}

/**
 * Decrypts a TXT value written by {@link encryptTxtValue} or by ExternalDNS. Returns `undefined` when
 * the value is not an encrypted blob for this key (the caller then reads it as plain text).
 */
export function decryptTxtValue(value: string, key: Uint8Array): DecryptedTxt | undefined {
  const body = unquote(value);
  if (!standardBase64.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
  const nonce = bytes.subarray(0, NONCE_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const gz = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return { plaintext: gunzipSync(gz).toString('utf8'), nonce: nonce.toString('base64') };
  } catch {
    // Wrong key, tampered value or not gzip: not ours to read.
    return undefined;
  }
}
