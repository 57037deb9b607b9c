// The cookbook's recipes (docs/cookbook/, code in examples/cookbook/) are documentation: run each
// one as a user would and check what it prints.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// The CI recipe posts to a loopback stand-in of GitHub's API unless GITHUB_API_URL is set.
const { GITHUB_API_URL: _github, ...env } = process.env;
const run = (file: string) =>
  execFileSync(
    process.execPath,
    ['--conditions=@openova/source', '--import', 'tsx', `examples/cookbook/${file}`],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
      env,
    },
  );

describe('cookbook recipes', () => {
  it('every recipe in examples/cookbook has a page in docs/cookbook and a test here', () => {
    const recipes = readdirSync(`${root}examples/cookbook`).filter((f) => f.endsWith('.ts'));
    const pages = readdirSync(`${root}docs/cookbook`).filter((f) => f !== 'README.md');
    expect(recipes.map((f) => f.replace(/\.ts$/, '.md')).sort()).toEqual(pages.sort());
    expect(recipes.sort()).toEqual(Object.keys(expectations).sort());
  });

  const expectations: Record<string, (out: string) => void> = {
    'controller-loop.ts': (out) => {
      expect(out).toMatch(
        /^run 1: failed PROVIDER_UNREACHABLE \(retryable, attempt 1\): connection refused; next in 2 ms$/m,
      );
      // a server's retryAfter (50 ms) wins over the exponential delay (4 ms)
      expect(out).toMatch(
        /^run 2: failed PROVIDER_RATE_LIMITED \(retryable, attempt 2\): rate limited; next in 50 ms$/m,
      );
      expect(out).toMatch(/^run 3: applied \(1\+ 0~ 0-; 0 skipped\) in \d+ ms$/m);
      expect(out).toMatch(/^run 4: applied \(1\+ 0~ 0-; 0 skipped\) in \d+ ms$/m);
      expect(out).toMatch(/^run 5: no changes \(up to date; 0 skipped\) in \d+ ms$/m);
      expect(out).not.toMatch(/^run 6/m);
      expect(out.trimEnd().endsWith('stopped')).toBe(true);
    },
    'ci-dry-run.ts': (out) => {
      expect(out).toContain('### DNS plan for owner `ci` (policy `sync`)');
      expect(out).toContain('| ➕ create | `api.example.com` | A | 300 |  | `192.0.2.10` |');
      expect(out).toContain('records before approval: 1');
      expect(out).toMatch(/applied plan [0-9a-f]{12}: true/);
      expect(out).toContain('records after apply: 5');
    },
    'owner-migration.ts': (out) => {
      expect(out).toContain('step 1: 2 records owned by "default"');
      expect(out).toContain('~ api.example.com A: ownership marker rewritten');
      expect(out).toContain(
        '~ TXT _externaldns.cname.www.example.com: "heritage=external-dns,external-dns/owner=default" → "heritage=external-dns,external-dns/owner=catalyst"',
      );
      expect(out).toContain('Summary: 0 to create, 2 to update, 0 to delete.');
      expect(out).toContain('step 3: applied true, 2 updates');
      expect(out).toContain('step 4: second plan has changes: false');
      expect(out).toContain('markers now: "heritage=external-dns,external-dns/owner=catalyst"\n');
      expect(out).toContain('legacy.example.com still there: true');
    },
    'txt-encryption.ts': (out) => {
      expect(out).toContain('1. _externaldns.a.api.example.com: plain');
      expect(out).toContain('+ TXT _externaldns.a.www.example.com: "…ciphertext…"');
      expect(out).toContain(
        '2. _externaldns.a.api.example.com: encrypted, _externaldns.a.www.example.com: encrypted',
      );
      expect(out).toContain('read without the key, ours: 0 of 2');
      expect(out).toContain(
        '~ TXT _externaldns.a.api.example.com: "…ciphertext…" → "heritage=external-dns,external-dns/owner=example"',
      );
      expect(out).toContain(
        '3. _externaldns.a.api.example.com: plain, _externaldns.a.www.example.com: plain',
      );
      expect(out).toContain('read without the key, ours: 2 of 2');
      expect(out).toContain('second plan has changes: false');
    },
    'cloudflare.ts': (out) => {
      expect(out).toContain('Summary: 2 to create, 0 to update, 0 to delete.');
      expect(out).toContain(
        'A     www.example.com 203.0.113.10 proxied=true ttl=1 comment=managed by example',
      );
      expect(out).toContain(
        'CNAME api.example.com lb.example.net proxied=false ttl=300 comment=managed by example',
      );
      expect(out).toContain('second plan has changes: false');
      expect(out).toContain('~ api.example.com CNAME: lb.example.net → lb2.example.net');
      expect(out).toContain(
        'writes sent: POST /zones/:id/dns_records/batch, POST /zones/:id/dns_records/batch\n',
      );
      expect(out).toContain('mail.example.com untouched: true');
    },
    'webhook-provider.ts': (out) => {
      expect(out).toContain('domain filter {"include":["example.com"]}');
      expect(out).toContain('Summary: 2 to create, 0 to update, 0 to delete.');
      expect(out).toContain(
        'the webhook stores: _externaldns.a.api.example.com/TXT/, _externaldns.cname.www.example.com/TXT/, api.example.com/A/, www.example.com/CNAME/',
      );
      expect(out).toContain('second plan has changes: false');
      expect(out).toContain('webhook failed: PROVIDER, status 503, retryable true');
      expect(out).toContain('next run has changes: false');
    },
    'lua-dual-stack.ts': (out) => {
      expect(out).toMatch(
        /\+ api\.example\.com LUA ttl 5: A "ifurlup\('http:\/\/api\.example\.com:\d+\/healthz'/,
      );
      expect(out).toMatch(/^A {4}→ 127\.0\.0\.[13] \(one live address/m);
      expect(out).toContain('AAAA → ::1 (2001:db8::10 is down)');
      expect(out).toContain('127.0.0.1 fails its check: A → 127.0.0.3');
      expect(out).toContain('127.0.0.1 back, 127.0.0.3 fails: A → 127.0.0.1');
      expect(out).toContain('second plan has changes: false');
    },
  };

  for (const [file, check] of Object.entries(expectations)) {
    it(file, () => check(run(file)));
  }
});
