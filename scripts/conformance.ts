// Conformance runner: `pnpm conformance [files or folders…]`. Runs ExternalDNS planner and registry
// vectors in the format of docs/conformance.md ("The vector format"; rules: test/fixtures/DEVIATIONS.md).
// With no argument it runs the project's copies: the 110 hand-written vectors, the 1,000 oracle
// vectors (produced by ExternalDNS v0.22.0 itself) and the 300 TXT-encryption known answers (from
// ExternalDNS's endpoint.EncryptText: each must encrypt byte for byte and decrypt back). A file of
// encryption vectors is recognised by its fields (text, aesKey, nonce, value).
// Prints `N passed, M failed` per group and in total; exits 1 on any failure.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { decryptTxtValue, encryptTxtValue, parseAesKey } from '../packages/core/src/registry/encryption.js';
import { runCase, type ConformanceCase } from '../packages/core/test/support/cases.js';

interface EncryptionVector {
  id: string;
  text: string;
  aesKey: string;
  nonce: string;
  value: string;
}

const defaultFiles = ['conformance-cases.json', 'oracle-cases.json', 'encryption-vectors.json'].map((f) =>
  resolve(import.meta.dirname, '../test/fixtures', f),
);
const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const verbose = process.argv.includes('--verbose');

function collect(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((f) => f.endsWith('.json') || statSync(join(path, f)).isDirectory())
      .flatMap((f) => collect(join(path, f)));
  }
  return [path];
}

const files = (args.length ? args : defaultFiles).flatMap((p) => collect(resolve(p)));
function isEncryptionVector(c: unknown): c is EncryptionVector {
  return typeof c === 'object' && c !== null && 'aesKey' in c && 'nonce' in c && 'value' in c;
}

function runEncryptionVector(v: EncryptionVector): { ok: boolean; diff?: string } {
  const key = parseAesKey(v.aesKey);
  const encrypted = encryptTxtValue(v.text, key, Buffer.from(v.nonce, 'base64'));
  if (encrypted !== v.value) return { ok: false, diff: `encrypted to ${encrypted}, expected ${v.value}` };
  const decrypted = decryptTxtValue(v.value, key);
  if (decrypted?.plaintext !== v.text)
    return { ok: false, diff: `decrypted to ${JSON.stringify(decrypted?.plaintext)}` };
  return { ok: true };
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const cases = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  let filePassed = 0;
  let fileFailed = 0;
  for (const c of cases) {
    let outcome;
    try {
      outcome = isEncryptionVector(c) ? runEncryptionVector(c) : await runCase(c as ConformanceCase);
    } catch (error) {
      outcome = {
        ok: false,
        diff: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      };
    }
    const { id, kind, description } = c as Partial<ConformanceCase>;
    const label = isEncryptionVector(c) ? `${c.id} (encryption) ${c.text}` : `${id} (${kind}) ${description}`;
    if (outcome.ok) {
      filePassed++;
      if (verbose) console.log(`ok   ${label}`);
    } else {
      fileFailed++;
      console.log(`FAIL ${label}\n  ${outcome.diff ?? ''}`);
    }
  }
  console.log(`${basename(file)}: ${filePassed} passed, ${fileFailed} failed`);
  passed += filePassed;
  failed += fileFailed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
