// One closed list of error codes: every code the sources use is in DNS_ERROR_CODES, and every code
// there is described in docs/errors.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DNS_ERROR_CODES } from '@openova/dns-core';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  const files = readdirSync(join(root, 'packages')).flatMap((p) => sources(join(root, 'packages', p, 'src')));
  // `code: 'X'`, `super('X', …)` and `: 'X'` branches of code expressions, upper-case only
  const used = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /\bcode:\s*'([A-Z][A-Z_]+)'|super\(\s*'([A-Z][A-Z_]+)'|return '([A-Z][A-Z_]+)'/g,
    ))
      used.add((m[1] ?? m[2] ?? m[3]) as string);
  }

  it('every code the sources use is in the closed list', () => {
    expect(used.size).toBeGreaterThan(8);
    for (const code of used)
      expect(DNS_ERROR_CODES, `${code} is used but not in DNS_ERROR_CODES`).toContain(code);
  });

  it('every code in the list is described in docs/errors.md', () => {
    const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of DNS_ERROR_CODES)
      expect(doc, `${code} is not in docs/errors.md`).toContain(`\`${code}\``);
  });
});
