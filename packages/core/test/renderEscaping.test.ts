// A rendered plan is read by people (a terminal, a CI log, a pull-request comment): whatever the
// records hold (a desired record's free-text fields, another party's records in the zone), every item
// stays on its own line or in its own cell, and says what will change.
import { describe, expect, it } from 'vitest';
import {
  InMemoryProvider,
  reconcile,
  renderPlanMarkdown,
  renderPlanText,
  TxtRegistry,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';

const PREFIX = '_externaldns.%{record_type}.';
const SPOOF = '\n+ evil.example.com A ttl 1: 6.6.6.6';

async function planOf(desired: EndpointInit[], records: EndpointInit[] = []) {
  const provider = new InMemoryProvider({ zones: ['example.com'], records });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
  const managedRecordTypes: RecordType[] = ['A', 'TXT', 'NAPTR'];
  const { plan } = await reconcile({ registry, desired, policy: 'sync', dryRun: true, managedRecordTypes });
  return { plan, provider, registry };
}

/** No raw control character or bidirectional override anywhere but the line breaks. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('text rendering of hostile values', () => {
  it('a provider-specific value or set identifier with a newline, CR or ANSI escape stays on its line', async () => {
    const { plan } = await planOf([
      {
        dnsName: 'p.example.com',
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: 'x', value: `v${SPOOF}\u001b[2K` }],
      },
      { dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.2'], setIdentifier: `id${SPOOF}\r` },
    ]);
    const lines = renderPlanText(plan).split('\n');
    expect(lines).toEqual([
      'Plan for owner "me" (policy sync):',
      '+ p.example.com A ttl default: 192.0.2.1 {x=v\\x0a+ evil.example.com A ttl 1: 6.6.6.6\\x1b[2K}',
      '    + TXT _externaldns.a.p.example.com: "heritage=external-dns,external-dns/owner=me"',
      '+ s.example.com A [id\\x0a+ evil.example.com A ttl 1: 6.6.6.6\\x0d] ttl default: 192.0.2.2',
      '    + TXT _externaldns.a.s.example.com: "heritage=external-dns,external-dns/owner=me"',
      'Summary: 2 to create, 0 to update, 0 to delete.',
    ]);
  });

  it("another owner's marker cannot reorder or rewrite the skipped line it is quoted in", async () => {
    const { plan } = await planOf(
      [{ dnsName: 'o.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
      [
        { dnsName: 'o.example.com', recordType: 'A', targets: ['192.0.2.2'] },
        {
          dnsName: '_externaldns.a.o.example.com',
          recordType: 'TXT',
          targets: ['"heritage=external-dns,external-dns/owner=evil\u202e\u0085x"'],
        },
      ],
    );
    const text = renderPlanText(plan);
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain('belongs to owner "evil\\u202e\\x85x"');
  });
});

describe('Markdown rendering of hostile values', () => {
  it('a value with a CR, backticks, pipes or an ANSI escape stays in its code span and cell', async () => {
    const { plan } = await planOf([
      { dnsName: 't.example.com', recordType: 'TXT', targets: ['a`b``|\r| ➕ create | `evil` |\u001b[31m'] },
      {
        dnsName: 'n.example.com',
        recordType: 'NAPTR',
        targets: ['100 10 "u" "E2U+sip" "!^.*$!sip:a|`b\r@x.org!" .'],
      },
      { dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.2'], setIdentifier: '`x`|\ry' },
    ]);
    const md = renderPlanMarkdown(plan);
    expect(md).not.toMatch(UNSAFE);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '|',
      '| ➕ create',
      '| ↳ create',
      '| ➕ create',
      '| ↳ create',
      '| ➕ create',
      '| ↳ create',
    ]);
    expect(rows).toContain(
      '| ➕ create | `n.example.com` | NAPTR |  |  | ``100 10 "u" "E2U+sip" "!^.*$!sip:a\\|`b\\x0d@x.org!" .`` |',
    );
    expect(rows).toContain(
      '| ➕ create | `t.example.com` | TXT |  |  | ```a`b``\\|\\x0d\\| ➕ create \\| `evil` \\|\\x1b[31m``` |',
    );
    expect(rows).toContain('| ➕ create | `s.example.com` [`` `x`\\|\\x0dy ``] | A |  |  | `192.0.2.2` |');
  });

  it("a reason quoting another owner's marker is text: no HTML comment, link or code span of its own", async () => {
    const { plan } = await planOf(
      [{ dnsName: 'o.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
      [
        { dnsName: 'o.example.com', recordType: 'A', targets: ['192.0.2.2'] },
        {
          dnsName: '_externaldns.a.o.example.com',
          recordType: 'TXT',
          targets: ['"heritage=external-dns,external-dns/owner=<!-- [x](https://e.example) `y`"'],
        },
      ],
    );
    const row = renderPlanMarkdown(plan)
      .split('\n')
      .find((l) => l.startsWith('| `o.example.com`'));
    expect(row).toContain('\\<\\!\\-\\- \\[x\\]\\(https\\:\\/\\/e\\.example\\) \\`y\\`');
  });
});

describe('Markdown says what an update changes', () => {
  it('a provider-specific property and a TTL that change are shown before and after', async () => {
    const first = await planOf([
      {
        dnsName: 'p.example.com',
        recordType: 'A',
        targets: ['192.0.2.1'],
        recordTTL: 300,
        providerSpecific: [{ name: 'x', value: '1' }],
      },
    ]);
    await reconcile({ registry: first.registry, desired: [...first.plan.changes.create], policy: 'sync' });
    const provider = first.provider;
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
    const { plan } = await reconcile({
      registry,
      desired: [
        {
          dnsName: 'p.example.com',
          recordType: 'A',
          targets: ['192.0.2.1'],
          recordTTL: 600,
          providerSpecific: [{ name: 'x', value: '2' }],
        },
      ],
      policy: 'sync',
      dryRun: true,
    });
    const rows = renderPlanMarkdown(plan)
      .split('\n')
      .filter((l) => l.startsWith('| ✏️'));
    expect(rows).toEqual([
      '| ✏️ update | `p.example.com` | A | 300 → 600 | `192.0.2.1`<br>`x=1` | `192.0.2.1`<br>`x=2` |',
    ]);
  });
});
