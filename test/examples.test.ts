// The examples in examples/ are documentation: run each one and check what it prints.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (file: string) =>
  execFileSync(process.execPath, ['--conditions=@openova/source', '--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('examples', () => {
  it('quickstart plans, applies, then plans nothing', () => {
    const out = run('examples/quickstart.ts');
    expect(out).toContain('Summary: 3 to create, 0 to update, 0 to delete.');
    expect(out).toMatch(/_externaldns\.a\.api\.example\.com\s+TXT/);
    expect(out).toContain('No changes. All records are up to date.');
    expect(out).toContain('applied: false; legacy.example.com untouched: true');
  });

  it('saved-plan applies a reviewed plan and refuses a stale one', () => {
    const out = run('examples/saved-plan.ts');
    expect(out).toContain('applied: true');
    expect(out).toContain('- new.example.com A: appeared since the plan was made');
  });

  it('safety-limits refuses an empty desired set and applies with force', () => {
    const out = run('examples/safety-limits.ts');
    expect(out).toContain('the desired set is empty while we own 20 records');
    expect(out).toContain('forced: deleted 10 records');
  });

  it('powerdns-lua writes LUA records that a real PowerDNS answers, and converges', () => {
    const out = run('examples/powerdns-lua.ts');
    expect(out).toContain('+ api.example.com LUA ttl 5: A "ifportup(');
    expect(out).toContain('api.example.com A → 127.0.0.1 (10 answers in a row');
    expect(out).toMatch(/canary\.example\.com A → 192\.0\.2\.3[01]/);
    expect(out).toContain('second plan has changes: false');
  });
});
