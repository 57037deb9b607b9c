// planPatches without a server: with `zones` configured the provider never asks for the zone list.
import { describe, expect, it } from 'vitest';
import { endpoint, emptyChanges, ValidationError, type Changes } from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';

const provider = new PowerDnsProvider({
  apiUrl: 'http://127.0.0.1:9',
  apiKey: 'unused',
  zones: ['example.com', 'sub.example.com', 'example.org'],
});
const a = (name: string, ip = '192.0.2.1') => endpoint({ dnsName: name, recordType: 'A', targets: [ip] });
const changes = (parts: Partial<Changes>): Changes => ({ ...emptyChanges(), ...parts });
const summary = (c: { changetype: string; name: string; type: string }) =>
  `${c.changetype} ${c.name} ${c.type}`;

describe('planPatches', () => {
  it('sends one PATCH per zone, deletes before replaces, each rrset once', async () => {
    const patches = await provider.planPatches(
      changes({
        create: [a('new.example.com'), a('x.sub.example.com'), a('y.example.org')],
        updateOld: [a('moved.example.com')],
        updateNew: [
          endpoint({ dnsName: 'moved.example.com', recordType: 'CNAME', targets: ['t.example.net'] }),
        ],
        // deleted twice (as a delete and as an update's old side): one DELETE
        delete: [a('gone.example.com'), a('moved.example.com')],
      }),
    );
    expect(patches.map((p) => [p.zone, p.rrsets.map(summary)])).toEqual([
      [
        'example.com',
        [
          'DELETE gone.example.com. A',
          'DELETE moved.example.com. A',
          'REPLACE new.example.com. A',
          'REPLACE moved.example.com. CNAME',
        ],
      ],
      ['sub.example.com', ['REPLACE x.sub.example.com. A']],
      ['example.org', ['REPLACE y.example.org. A']],
    ]);
  });

  it('drops a DELETE that a REPLACE of the same rrset makes redundant, whatever the spelling', async () => {
    const [patch] = await provider.planPatches(
      changes({ delete: [a('Same.Example.com.')], create: [a('same.example.com', '192.0.2.7')] }),
    );
    expect(patch?.rrsets).toEqual([
      {
        name: 'same.example.com.',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 300,
        records: [{ content: '192.0.2.7', disabled: false }],
      },
    ]);
  });

  it('refuses an rrset written twice in one change set, naming both places', async () => {
    const error = await provider
      .planPatches(
        changes({ create: [a('twice.example.com')], updateNew: [a('TWICE.example.com', '192.0.2.2')] }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ path: ['updateNew', 0], code: 'duplicate_rrset' }),
    ]);
  });
});

describe('adjustEndpoints', () => {
  it('returns an endpoint already in canonical form as it is, and a canonical copy of any other', async () => {
    const canonical = endpoint({
      dnsName: 'ok.example.com',
      recordType: 'A',
      targets: ['192.0.2.1'],
      recordTTL: 60,
    });
    const loose = endpoint({ dnsName: 'Loose.Example.com.', recordType: 'a', targets: ['192.0.2.2'] });
    const [same, fixed] = await provider.adjustEndpoints([canonical, loose]);
    expect(same).toBe(canonical);
    expect(fixed).not.toBe(loose);
    expect(fixed).toEqual({ ...loose, dnsName: 'loose.example.com', recordType: 'A', recordTTL: 0 });
    expect(loose.dnsName).toBe('Loose.Example.com.'); // the input is left as it was
  });
});
