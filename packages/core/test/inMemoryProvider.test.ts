import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  DnsError,
  DomainFilter,
  emptyChanges,
  endpoint,
  formatIssuePath,
  InMemoryProvider,
  ProviderError,
  ValidationError,
  type Changes,
  type Endpoint,
  type EndpointInit,
} from '@openova/dns-core';

const ep = (init: EndpointInit): Endpoint => endpoint(init);
const a = (dnsName: string, ...targets: string[]) => ep({ dnsName, recordType: 'A', targets });
const changes = (part: Partial<Changes>): Changes => ({ ...emptyChanges(), ...part });

function seeded(): InMemoryProvider {
  return new InMemoryProvider({
    zones: ['example.com', 'example.org'],
    records: [
      { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'alias.example.org', recordType: 'CNAME', targets: ['www.example.com'] },
    ],
  });
}

/** Expects `promise` to reject with a DnsError of `type`, and the provider's records to be `before`. */
async function expectRejectedUnchanged(
  provider: InMemoryProvider,
  promise: Promise<unknown>,
  check: (error: DnsError) => void,
): Promise<void> {
  const before = await provider.records();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DnsError);
  check(error as DnsError);
  expect(await provider.records()).toEqual(before);
}

describe('InMemoryProvider', () => {
  it('serves records sorted by name, type and set identifier', async () => {
    const provider = new InMemoryProvider({
      zones: ['example.com'],
      records: [
        { dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] },
        { dnsName: 'a.example.com', recordType: 'TXT', targets: ['"x"'] },
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'blue' },
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.3'], setIdentifier: 'green' },
        { dnsName: 'A.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
      ],
    });
    const records = await provider.records();
    expect(records.map((r) => `${r.dnsName} ${r.recordType} ${r.setIdentifier}`)).toEqual([
      'a.example.com A blue',
      'a.example.com A green',
      'A.example.com AAAA ',
      'a.example.com TXT ',
      'b.example.com A ',
    ]);
    // copies: changing the result does not change the store
    records[0]!.targets.push('192.0.2.99');
    expect((await provider.records())[0]!.targets).toEqual(['192.0.2.1']);
  });

  it('selects zones with its domain filter, like ExternalDNS providers', async () => {
    const records = [
      { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: 'a-api.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=me"'],
      },
      { dnsName: 'www.example.org', recordType: 'A', targets: ['192.0.2.3'] },
    ];
    const provider = new InMemoryProvider({
      zones: ['example.com', 'example.org'],
      domainFilter: new DomainFilter({ include: ['api.example.com'] }),
      records,
    });
    // the zone holding api.example.com is served whole, so its ownership TXT is visible too;
    // example.org is not served at all
    expect((await provider.records()).map((r) => r.dnsName)).toEqual([
      'a-api.example.com',
      'api.example.com',
    ]);
    expect(provider.domainFilter.toJSON()).toEqual({ include: ['api.example.com'] });
    // a regex cannot say which zones hold matching names (`^api\.` matches inside example.com),
    // so every zone is read and the planner filters record by record
    const byRegex = new InMemoryProvider({
      zones: ['example.com', 'example.org'],
      domainFilter: new DomainFilter({ regexInclude: '^api\\.' }),
      records,
    });
    expect((await byRegex.records()).map((r) => r.dnsName)).toEqual([
      'a-api.example.com',
      'api.example.com',
      'www.example.org',
    ]);
  });

  it('applies creates, updates and deletes across several zones in one call', async () => {
    const provider = seeded();
    await provider.applyChanges(
      changes({
        create: [
          a('api.example.com', '192.0.2.5'),
          ep({ dnsName: 'example.org', recordType: 'MX', targets: ['10 mx.example.org'] }),
        ],
        updateOld: [a('www.example.com', '192.0.2.1')],
        updateNew: [a('www.example.com', '192.0.2.2')],
        delete: [ep({ dnsName: 'alias.example.org', recordType: 'CNAME', targets: ['www.example.com'] })],
      }),
    );
    expect(
      (await provider.records()).map((r) => `${r.dnsName} ${r.recordType} ${r.targets.join(',')}`),
    ).toEqual([
      'api.example.com A 192.0.2.5',
      'example.org MX 10 mx.example.org',
      'www.example.com A 192.0.2.2',
    ]);
    expect(provider.calls.applyChanges).toBe(1);
  });

  it('writes are conditional on what was read: an update or delete of a record set changed since is RECORD_CONFLICT, nothing changed', async () => {
    const provider = seeded();
    expect(provider.capabilities.conditionalWrites).toBe(true);
    const [stored] = (await provider.records()).filter((r) => r.recordType === 'A');
    const stale = { ...stored!, targets: ['203.0.113.99'] };
    for (const attempt of [
      changes({ updateOld: [stale], updateNew: [{ ...stale, targets: ['192.0.2.200'] }] }),
      changes({ delete: [stale] }),
    ])
      await expectRejectedUnchanged(provider, provider.applyChanges(attempt), (error) => {
        expect(error).toBeInstanceOf(ProviderError);
        expect(error.code).toBe('RECORD_CONFLICT');
        expect(error.message).toContain('was changed since it was read');
      });
  });

  it('an update is an upsert (ExternalDNS missing-TXT repair relies on it)', async () => {
    const provider = seeded();
    await provider.applyChanges(
      changes({
        updateOld: [a('new.example.com', '192.0.2.9')],
        updateNew: [a('new.example.com', '192.0.2.9')],
      }),
    );
    expect((await provider.records()).some((r) => r.dnsName === 'new.example.com')).toBe(true);
  });

  it('unknown zone: ProviderError UNKNOWN_ZONE and nothing changed, even in other zones', async () => {
    const provider = seeded();
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({ create: [a('ok.example.com', '192.0.2.7'), a('x.example.net', '192.0.2.8')] }),
      ),
      (error) => {
        expect(error).toBeInstanceOf(ProviderError);
        expect(error.code).toBe('UNKNOWN_ZONE');
        expect(error.message).toMatch(/no zone serves x\.example\.net/);
      },
    );
  });

  it('a CNAME beside other data is a RECORD_CONFLICT, whichever comes first', async () => {
    const provider = seeded();
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({
          create: [ep({ dnsName: 'WWW.example.com.', recordType: 'CNAME', targets: ['x.example.net'] })],
        }),
      ),
      (error) => {
        expect(error.code).toBe('RECORD_CONFLICT');
        expect(error.message).toMatch(/www\.example\.com would have a CNAME beside other data \(A, CNAME\)/);
      },
    );
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({ create: [ep({ dnsName: 'alias.example.org', recordType: 'TXT', targets: ['"x"'] })] }),
      ),
      (error) => expect(error.code).toBe('RECORD_CONFLICT'),
    );
    // a different set identifier does not make a different name
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({
          create: [
            ep({
              dnsName: 'www.example.com',
              recordType: 'CNAME',
              targets: ['x.example.net'],
              setIdentifier: 'w',
            }),
          ],
        }),
      ),
      (error) => expect(error.code).toBe('RECORD_CONFLICT'),
    );
  });

  it('replacing a CNAME by an A record in one change set is fine', async () => {
    const provider = seeded();
    await provider.applyChanges(
      changes({
        delete: [ep({ dnsName: 'alias.example.org', recordType: 'CNAME', targets: ['www.example.com'] })],
        create: [a('alias.example.org', '192.0.2.1')],
      }),
    );
    expect((await provider.records()).find((r) => r.dnsName === 'alias.example.org')?.recordType).toBe('A');
  });

  it('a duplicate create is a RECORD_CONFLICT (existing, or twice in one call, any spelling)', async () => {
    const provider = seeded();
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(changes({ create: [a('WWW.Example.com.', '192.0.2.3')] })),
      (error) => {
        expect(error.code).toBe('RECORD_CONFLICT');
        expect(error.message).toMatch(/already exists in zone example\.com/);
      },
    );
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({ create: [a('n.example.com', '192.0.2.3'), a('n.example.com', '192.0.2.4')] }),
      ),
      (error) => expect(error.code).toBe('RECORD_CONFLICT'),
    );
  });

  it('invalid content: ValidationError naming list and index, nothing changed', async () => {
    const provider = seeded();
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({
          create: [
            a('ok.example.com', '192.0.2.1'),
            a('bad.example.com', '300.1.1.1'),
            a('empty.example.com'),
          ],
          updateNew: [
            ep({ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: -1 }),
          ],
          updateOld: [a('www.example.com', '192.0.2.1')],
        }),
      ),
      (error) => {
        expect(error).toBeInstanceOf(ValidationError);
        expect(
          (error as ValidationError).issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`),
        ).toEqual([
          'create[1].targets[0]: "300.1.1.1" is not an IPv4 address',
          'create[2].targets: empty.example.com A has no targets; a record set needs at least one',
          'updateNew[0].recordTTL: recordTTL -1 is negative (0 means "not set")',
        ]);
      },
    );
  });

  it('rejects record types outside its declared capabilities', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'], recordTypes: ['A'] });
    expect(provider.capabilities).toMatchObject({
      recordTypes: ['A'],
      atomicity: 'zone',
      setIdentifiers: true,
    });
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(
        changes({ create: [ep({ dnsName: 'example.com', recordType: 'TXT', targets: ['"x"'] })] }),
      ),
      (error) => expect(error).toBeInstanceOf(ProviderError),
    );
    expect(new InMemoryProvider({ zones: [], maxChangesPerApply: 10 }).capabilities.maxChangesPerApply).toBe(
      10,
    );
  });

  it('invalid seed records make the constructor throw a ValidationError', () => {
    expect(
      () =>
        new InMemoryProvider({
          zones: ['example.com'],
          records: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['x'] }],
        }),
    ).toThrow(ValidationError);
    expect(
      () =>
        new InMemoryProvider({
          zones: ['example.com'],
          records: [{ dnsName: 'a.example.net', recordType: 'A', targets: ['192.0.2.1'] }],
        }),
    ).toThrow(ProviderError);
  });

  it('failNextApply fails exactly the next call, before anything changes', async () => {
    const provider = seeded();
    provider.failNextApply();
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(changes({ create: [a('n.example.com', '192.0.2.3')] })),
      (error) => {
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).retryable).toBe(true);
      },
    );
    const custom = new ProviderError('rate limited', { provider: 'inmemory', status: 429, retryAfter: 2 });
    provider.failNextApply(custom);
    await expect(provider.applyChanges(changes({ create: [a('n.example.com', '192.0.2.3')] }))).rejects.toBe(
      custom,
    );
    await provider.applyChanges(changes({ create: [a('n.example.com', '192.0.2.3')] }));
    expect((await provider.records()).map((r) => r.dnsName)).toContain('n.example.com');
  });

  it('logs every change set received, as deep copies, failed ones included', async () => {
    const provider = seeded();
    const sent = changes({ create: [a('n.example.com', '192.0.2.3')] });
    await provider.applyChanges(sent);
    await provider
      .applyChanges(changes({ create: [a('n.example.com', '192.0.2.3')] }))
      .catch(() => undefined);
    sent.create[0]!.targets.push('192.0.2.4');
    expect(provider.applied).toHaveLength(2);
    expect(provider.applied[0]).toEqual(changes({ create: [a('n.example.com', '192.0.2.3')] }));
  });

  it('adjustEndpoints returns the canonical form records() will return', async () => {
    const provider = seeded();
    const desired = [
      ep({
        dnsName: 'v6.example.com.',
        recordType: 'AAAA',
        targets: ['2001:DB8:0:0:0:0:0:2', '2001:db8::1', '2001:db8:0::1'],
      }),
      ep({ dnsName: 'c.example.com', recordType: 'CNAME', targets: ['LB.Example.NET.'] }),
      ep({ dnsName: 'example.com', recordType: 'MX', targets: ['010 MX.example.com.'] }),
      ep({
        dnsName: 'Mixed.Example.com',
        recordType: 'A',
        targets: ['192.0.2.10', '192.0.2.9'],
        recordTTL: 60,
        labels: { owner: 'o' },
      }),
    ];
    const input = structuredClone(desired);
    const adjusted = await provider.adjustEndpoints(desired);
    expect(desired).toEqual(input); // not mutated
    expect(adjusted.map((e) => [e.dnsName, e.targets])).toEqual([
      ['v6.example.com', ['2001:db8::1', '2001:db8::2']],
      ['c.example.com', ['lb.example.net']],
      ['example.com', ['10 mx.example.com']],
      ['Mixed.Example.com', ['192.0.2.10', '192.0.2.9']],
    ]);
    expect(adjusted[3]).toMatchObject({ recordTTL: 60, labels: { owner: 'o' } });
    // applying the adjusted endpoints and reading them back gives the same endpoints
    await provider.applyChanges(changes({ create: adjusted }));
    const read = await provider.records();
    // labels are not stored, as on a real server: ownership lives in TXT markers only
    for (const e of adjusted) expect(read).toContainEqual({ ...e, labels: {} });
    // adjusting is idempotent
    expect(await provider.adjustEndpoints(adjusted)).toEqual(adjusted);
  });

  it('honours an aborted signal with AbortedError, without applying', async () => {
    const provider = seeded();
    const controller = new AbortController();
    controller.abort();
    await expect(provider.records({ signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(provider.adjustEndpoints([], { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    await expectRejectedUnchanged(
      provider,
      provider.applyChanges(changes({ create: [a('n.example.com', '192.0.2.3')] }), {
        signal: controller.signal,
      }),
      (error) => expect(error).toBeInstanceOf(AbortedError),
    );
  });

  it('an empty change set is accepted and changes nothing', async () => {
    const provider = seeded();
    const before = await provider.records();
    await provider.applyChanges(emptyChanges());
    expect(await provider.records()).toEqual(before);
  });
});

describe('writes outside the domain filter', () => {
  it('are refused, exclusions and regexes included, as every provider refuses them; nothing is written', async () => {
    for (const domainFilter of [
      new DomainFilter({ include: ['example.com'], exclude: ['ex.example.com'] }),
      new DomainFilter({ regexInclude: '^[a-z.]+$', regexExclude: '^skip\\.' }),
    ]) {
      const provider = new InMemoryProvider({ zones: ['example.com'], domainFilter });
      const error = await provider
        .applyChanges({
          ...emptyChanges(),
          create: [
            endpoint({ dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
            endpoint({
              dnsName: domainFilter.matches('x.ex.example.com') ? 'skip.example.com' : 'x.ex.example.com',
              recordType: 'A',
              targets: ['192.0.2.2'],
            }),
          ],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
        [['create', 1, 'dnsName'], 'outside_domain_filter'],
      ]);
      expect(await provider.records()).toEqual([]);
    }
  });
});
