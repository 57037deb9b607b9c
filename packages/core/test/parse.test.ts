import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidEndpoints,
  endpoint,
  endpointToJSON,
  formatIssuePath,
  MAX_TTL,
  parseEndpoint,
  parseEndpoints,
  safeParseEndpoints,
  validateEndpoint,
  ValidationError,
  type Issue,
} from '@openova/dns-core';

/** Parses and returns the issues as `path: message` lines (empty when the input is valid). */
function problems(input: unknown, options: Parameters<typeof safeParseEndpoints>[1] = {}): string[] {
  const result = safeParseEndpoints(input, options);
  if (result.success) return [];
  expect(result.error).toBeInstanceOf(ValidationError);
  for (const issue of result.error.issues) {
    expect(Array.isArray(issue.path)).toBe(true);
    expect(issue.message).not.toBe('');
    expect(issue.code).not.toBe('');
  }
  return result.error.issues.map((i) =>
    i.path.length ? `${formatIssuePath(i.path)}: ${i.message}` : i.message,
  );
}

const a = (dnsName: string, ...targets: string[]) => ({ dnsName, recordType: 'A', targets });

describe('parseEndpoints: ExternalDNS wire shapes', () => {
  it('fills absent fields with empty values', () => {
    expect(parseEndpoints([{ dnsName: 'a.example.com', recordType: 'A' }])).toEqual([
      {
        dnsName: 'a.example.com',
        targets: [],
        recordType: 'A',
        setIdentifier: '',
        recordTTL: 0,
        labels: {},
        providerSpecific: [],
      },
    ]);
  });

  it('accepts null lists, maps and scalars as Go encodes nil', () => {
    const [ep] = parseEndpoints([
      {
        dnsName: 'a.example.com',
        recordType: 'A',
        targets: null,
        setIdentifier: null,
        recordTTL: null,
        labels: null,
        providerSpecific: null,
      },
    ]);
    expect(ep).toEqual(endpoint({ dnsName: 'a.example.com', recordType: 'A' }));
  });

  it('reads a null top level (a nil slice) as no endpoints', () => {
    expect(parseEndpoints(null)).toEqual([]);
    expect(parseEndpoints([])).toEqual([]);
  });

  it('matches keys case-insensitively, nested provider-specific keys included', () => {
    const [ep] = parseEndpoints([
      {
        DNSName: 'a.example.com',
        Targets: ['192.0.2.1'],
        RECORDTYPE: 'A',
        SetIdentifier: 'blue',
        RecordTTL: 300,
        Labels: { owner: 'me' },
        ProviderSpecific: [{ Name: 'webhook/x', VALUE: 'y' }],
      },
    ]);
    expect(ep).toEqual({
      dnsName: 'a.example.com',
      targets: ['192.0.2.1'],
      recordType: 'A',
      setIdentifier: 'blue',
      recordTTL: 300,
      labels: { owner: 'me' },
      providerSpecific: [{ name: 'webhook/x', value: 'y' }],
    });
  });

  it('ignores unknown keys, as Go does', () => {
    const [ep] = parseEndpoints([{ ...a('a.example.com', '192.0.2.1'), refObjects: [1], extra: true }]);
    expect(endpointToJSON(ep!)).toEqual(a('a.example.com', '192.0.2.1'));
  });

  it('reports the path of a bad target with the exact message', () => {
    const input = [
      a('a.example.com', '192.0.2.1'),
      a('b.example.com'),
      a('c.example.com'),
      a('d.example.com', '300.1.1.1'),
    ];
    expect(problems(input)).toEqual(['[3].targets[0]: "300.1.1.1" is not an IPv4 address']);
    try {
      parseEndpoints(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(
        '1 validation issue:\n[3].targets[0]: "300.1.1.1" is not an IPv4 address',
      );
      expect((error as ValidationError).issues[0]).toEqual<Issue>({
        path: [3, 'targets', 0],
        code: 'invalid_ipv4',
        message: '"300.1.1.1" is not an IPv4 address',
      });
    }
  });

  it('collects several problems across and within endpoints at once', () => {
    expect(
      problems([
        a('ok.example.com', '192.0.2.1'),
        { dnsName: 'bad..example.com', recordType: 'AAAA', targets: ['192.0.2.1', '2001:db8::1'] },
        {
          dnsName: 'x.example.com',
          recordType: 'CNAME',
          targets: ['a.example.net', 'b.example.net'],
          recordTTL: -1,
        },
      ]),
    ).toEqual([
      '[1].dnsName: dnsName "bad..example.com" has an empty label',
      '[1].targets[0]: "192.0.2.1" is not an IPv6 address',
      '[2].recordTTL: recordTTL -1 is negative (0 means "not set")',
      '[2].targets: a CNAME has exactly one target; got 2',
    ]);
  });

  it('reports wrong JSON types with the type received', () => {
    expect(problems({ dnsName: 'a' })).toEqual(['expected a list of endpoints']);
    expect(problems('[]')).toEqual(['expected a list of endpoints']);
    expect(problems(undefined)).toEqual(['expected a list of endpoints']);
    expect(problems([42, null, []])).toEqual([
      '[0]: expected an endpoint object, got number',
      '[1]: expected an endpoint object, got null',
      '[2]: expected an endpoint object, got array',
    ]);
    expect(
      problems([
        {
          dnsName: 7,
          recordType: 'A',
          targets: ['192.0.2.1', 5],
          setIdentifier: false,
          recordTTL: '300',
          labels: { owner: 1 },
          providerSpecific: [{ name: 'x', value: 2 }, 'y'],
        },
      ]),
    ).toEqual([
      '[0].dnsName: expected a string, got number',
      '[0].targets[1]: expected a string, got number',
      '[0].setIdentifier: expected a string, got boolean',
      '[0].recordTTL: expected a number, got string',
      '[0].labels.owner: expected a string, got number',
      '[0].providerSpecific[0].value: expected a string, got number',
      '[0].providerSpecific[1]: expected a {name, value} object, got string',
    ]);
    expect(
      problems([{ dnsName: 'a.example.com', recordType: 'A', targets: '192.0.2.1', labels: [] }]),
    ).toEqual(['[0].targets: expected a list, got string', '[0].labels: expected an object, got array']);
  });

  it('names missing required fields', () => {
    expect(problems([{ targets: [] }])).toEqual([
      '[0].dnsName: is required (a string)',
      '[0].recordType: is required (a string)',
    ]);
  });

  it('rejects unknown record types unless declared, and runs extra validators', () => {
    expect(problems([{ dnsName: 'a.example.com', recordType: 'LUA', targets: ['A "1.2.3.4"'] }])[0]).toMatch(
      /^\[0\]\.recordType: "LUA" is not a supported record type \(supported: A, AAAA, .*\)$/,
    );
    expect(problems([{ dnsName: 'a.example.com', recordType: 'a', targets: ['192.0.2.1'] }])).toHaveLength(1);
    expect(
      problems([{ dnsName: 'a.example.com', recordType: 'LUA', targets: ['A "1.2.3.4"'] }], {
        extraRecordTypes: { LUA: null },
      }),
    ).toEqual([]);
    const onlyA = (t: string, path: Issue['path']): Issue[] =>
      t.startsWith('A ') ? [] : [{ path, code: 'lua', message: 'LUA must return A here' }];
    expect(
      problems([{ dnsName: 'a.example.com', recordType: 'LUA', targets: ['TXT "x"'] }], {
        extraRecordTypes: { LUA: onlyA },
      }),
    ).toEqual(['[0].targets[0]: LUA must return A here']);
  });

  it('skips content checks with validateContent: false but still checks shape and TTL', () => {
    expect(problems([a('bad..name', 'not-an-ip')], { validateContent: false })).toEqual([]);
    expect(problems([{ ...a('x', '1'), recordTTL: -5 }], { validateContent: false })).toEqual([
      '[0].recordTTL: recordTTL -5 is negative (0 means "not set")',
    ]);
    expect(problems([{ dnsName: 1, recordType: 'A' }], { validateContent: false })).toHaveLength(1);
  });

  it('parseEndpoint parses one endpoint and throws ValidationError with paths from the root', () => {
    expect(parseEndpoint(a('a.example.com', '192.0.2.1')).targets).toEqual(['192.0.2.1']);
    expect(() => parseEndpoint(a('a.example.com', 'x'))).toThrow(ValidationError);
    try {
      parseEndpoint({ dnsName: 'a.example.com' });
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([['recordType']]);
    }
  });
});

describe('TTL', () => {
  const ttl = (recordTTL: unknown) => problems([{ ...a('a.example.com', '192.0.2.1'), recordTTL }]);
  it('accepts 0 (not set) up to 2147483647', () => {
    expect(ttl(0)).toEqual([]);
    expect(ttl(1)).toEqual([]);
    expect(ttl(MAX_TTL)).toEqual([]);
    expect(MAX_TTL).toBe(2147483647);
  });
  it('rejects negative, fractional and too large values', () => {
    expect(ttl(-1)).toEqual(['[0].recordTTL: recordTTL -1 is negative (0 means "not set")']);
    expect(ttl(1.5)).toEqual(['[0].recordTTL: recordTTL 1.5 is not a whole number of seconds']);
    expect(ttl(MAX_TTL + 1)).toEqual(['[0].recordTTL: recordTTL 2147483648 is larger than 2147483647']);
  });
  it('is checked for endpoints built in code too', () => {
    expect(validateEndpoint(endpoint({ dnsName: 'a.example.com', recordType: 'A', recordTTL: -3 }))).toEqual([
      { path: ['recordTTL'], code: 'invalid_ttl', message: 'recordTTL -3 is negative (0 means "not set")' },
    ]);
  });
});

describe('validateEndpoint: endpoint-level rules', () => {
  const check = (init: Parameters<typeof endpoint>[0]) =>
    validateEndpoint(endpoint(init)).map((i) => `${formatIssuePath(i.path)}: ${i.message}`);

  it('allows host names on A/AAAA endpoints that carry the alias property', () => {
    const alias = (recordType: string, value: string) =>
      check({
        dnsName: 'a.example.com',
        recordType,
        targets: ['lb.example.net'],
        providerSpecific: [{ name: 'alias', value }],
      });
    expect(alias('A', 'true')).toEqual([]);
    expect(alias('A', 'A')).toEqual([]);
    expect(alias('AAAA', 'true')).toEqual([]);
    expect(alias('AAAA', 'AAAA')).toEqual([]);
    expect(alias('A', 'false')).toEqual(['targets[0]: "lb.example.net" is not an IPv4 address']);
    expect(alias('AAAA', 'A')).toEqual(['targets[0]: "lb.example.net" is not an IPv6 address']);
    expect(alias('CNAME', 'true')).toEqual([]);
  });

  // `alias=yes` was read as "not an alias", so the user saw "not an IPv4 address" about a target
  // that was meant as a host name, not what was actually wrong.
  it('an alias value not understood is an invalid_alias issue naming the property and the accepted values', () => {
    const issues = validateEndpoint(
      endpoint({
        dnsName: 'a.example.com',
        recordType: 'A',
        targets: ['lb.example.net'],
        providerSpecific: [
          { name: 'aws/weight', value: '1' },
          { name: 'alias', value: 'yes' },
        ],
      }),
      [3],
    );
    expect(issues).toEqual([
      {
        path: [3, 'providerSpecific', 1, 'value'],
        code: 'invalid_alias',
        message: 'alias "yes" is not understood: on A it is one of "true", "false", "A", "AAAA"',
      },
    ]);
    // TXT (a registry companion copies the property) and other types are not checked here
    const txt = validateEndpoint(
      endpoint({
        dnsName: 'a.example.com',
        recordType: 'TXT',
        targets: ['x'],
        providerSpecific: [{ name: 'alias', value: 'yes' }],
      }),
    );
    expect(txt).toEqual([]);
  });

  it('allows resource ids (Azure targetResource.id) as alias targets of A, AAAA and CNAME', () => {
    const id = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip1';
    const alias = (recordType: string, target: string, value = 'true') =>
      check({
        dnsName: 'a.example.com',
        recordType,
        targets: [target],
        providerSpecific: [{ name: 'alias', value }],
      });
    for (const type of ['A', 'AAAA', 'CNAME']) expect(alias(type, id)).toEqual([]);
    expect(alias('A', '/subscriptions//x')).toEqual([
      'targets[0]: "/subscriptions//x" is not a valid resource id',
    ]);
    expect(alias('A', id, 'false')).toEqual([`targets[0]: ${JSON.stringify(id)} is not an IPv4 address`]);
  });

  it('rejects the alias property on other types', () => {
    expect(
      check({
        dnsName: 'a.example.com',
        recordType: 'MX',
        targets: ['10 mx.example.com'],
        providerSpecific: [{ name: 'alias', value: 'true' }],
      }),
    ).toEqual([
      'providerSpecific[0].name: the "alias" property is only allowed on A, AAAA and CNAME endpoints (and their registry TXT), not MX',
    ]);
  });

  it('rejects duplicate targets, compared canonically', () => {
    expect(
      check({
        dnsName: 'a.example.com',
        recordType: 'AAAA',
        targets: ['2001:db8::1', '2001:DB8:0:0:0:0:0:1'],
      }),
    ).toEqual(['targets[1]: "2001:DB8:0:0:0:0:0:1" repeats targets[0] ("2001:db8::1")']);
  });

  it('rejects duplicate provider-specific names', () => {
    expect(
      check({
        dnsName: 'a.example.com',
        recordType: 'A',
        providerSpecific: [
          { name: 'x', value: '1' },
          { name: 'x', value: '2' },
        ],
      }),
    ).toEqual(['providerSpecific[1].name: provider-specific property "x" is set twice']);
  });

  it('rejects labels that would corrupt the ownership TXT', () => {
    expect(
      check({ dnsName: 'a.example.com', recordType: 'A', labels: { owner: 'a,b', 'k=v': 'x', '': 'y' } }),
    ).toEqual([
      'labels.owner: label value "a,b" must not contain "," (it separates ownership tokens)',
      'labels["k=v"]: label key "k=v" must be non-empty and contain neither "," nor "="',
      'labels[""]: label key "" must be non-empty and contain neither "," nor "="',
    ]);
    // written unescaped inside the marker's quotes: a quote ends it, a backslash reads back as an escape
    expect(
      check({ dnsName: 'a.example.com', recordType: 'A', labels: { resource: 'a"b', 'k\\': 'x' } }),
    ).toEqual([
      'labels.resource: label "resource": "\\"" cannot be stored in the ownership TXT (it is written unescaped inside quotes)',
      'labels["k\\\\"]: label "k\\\\": "\\\\" cannot be stored in the ownership TXT (it is written unescaped inside quotes)',
    ]);
  });

  it('requires PTR names below in-addr.arpa or ip6.arpa', () => {
    expect(
      check({ dnsName: '2.49.168.192.in-addr.arpa', recordType: 'PTR', targets: ['host.example.com'] }),
    ).toEqual([]);
    expect(
      check({
        dnsName: '1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
        recordType: 'PTR',
        targets: ['host.example.com'],
      }),
    ).toEqual([]);
    expect(check({ dnsName: 'in-addr.arpa', recordType: 'PTR', targets: ['h.example.com'] })).toEqual([
      'dnsName: a PTR record\'s name must lie below in-addr.arpa or ip6.arpa; got "in-addr.arpa"',
    ]);
    expect(
      check({ dnsName: 'host.example.com', recordType: 'PTR', targets: ['h.example.com'] }),
    ).toHaveLength(1);
  });

  it("assertValidEndpoints throws one ValidationError listing every endpoint's issues", () => {
    expect(() =>
      assertValidEndpoints([
        endpoint({ dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
      ]),
    ).not.toThrow();
    try {
      assertValidEndpoints(
        [
          endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['x'] }),
          endpoint({ dnsName: '', recordType: 'A' }),
        ],
        { summary: 'desired state is invalid' },
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(
        'desired state is invalid:\n[0].targets[0]: "x" is not an IPv4 address\n[1].dnsName: dnsName is empty',
      );
    }
  });
});

describe('no untyped errors on any input (property-based)', () => {
  it('safeParseEndpoints never throws and every issue has a path and a message', () => {
    const endpointLike = fc.record(
      {
        dnsName: fc.oneof(fc.string(), fc.domain(), fc.constant('*.example.com'), fc.jsonValue()),
        recordType: fc.oneof(
          fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NS', 'PTR', 'CAA', 'NAPTR'),
          fc.jsonValue(),
        ),
        targets: fc.oneof(fc.array(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.domain())), fc.jsonValue()),
        recordTTL: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
        labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
        providerSpecific: fc.oneof(
          fc.array(fc.record({ name: fc.string(), value: fc.string() })),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(endpointLike), fc.jsonValue()), (input) => {
        const result = safeParseEndpoints(input);
        if (!result.success) {
          expect(result.error).toBeInstanceOf(ValidationError);
          expect(result.error.issues.length).toBeGreaterThan(0);
          for (const issue of result.error.issues) {
            expect(Array.isArray(issue.path)).toBe(true);
            expect(typeof issue.message).toBe('string');
            expect(issue.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('valid parses serialise back and parse again to the same endpoints', () => {
    const valid = fc.record({
      dnsName: fc.domain(),
      recordType: fc.constant('A'),
      targets: fc.uniqueArray(fc.ipV4(), { maxLength: 4 }),
      recordTTL: fc.integer({ min: 0, max: MAX_TTL }),
      setIdentifier: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(valid, { maxLength: 5 }), (input) => {
        const parsed = parseEndpoints(input);
        expect(parseEndpoints(parsed.map(endpointToJSON))).toEqual(parsed);
      }),
      { numRuns: 200 },
    );
  });
});
