// The REST client and the codecs on their own: both error shapes and their codes, secrets kept out
// of errors and events, tokens cached and renewed, nextLink kept on the endpoint's origin, the
// record-set codecs of both APIs, TXT splitting, and credentials from azure.json.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endpoint } from '@openova/dns-core';
import {
  AzureApiError,
  AzureDnsClient,
  azureCredentialFromConfig,
  codeForAzureError,
  endpointToRecordSet,
  parseAzureConfigFile,
  recordSetFromWire,
  recordSetToEndpoint,
  recordSetToWire,
  txtStrings,
  type AzureRecordSet,
  type AzureZoneRef,
} from '@openova/dns-provider-azure';
import {
  fakeCredential,
  startFakeAzureDns,
  type LoopbackFakeAzureDns,
} from '@openova/dns-provider-azure/testing';

const SUB = '00000000-0000-0000-0000-000000000001';
const ZONE: AzureZoneRef = { kind: 'public', resourceGroup: 'rg', name: 'example.com' };
let fake: LoopbackFakeAzureDns;
const clients: AzureDnsClient[] = [];

beforeEach(async () => {
  fake = await startFakeAzureDns({ limits: false, tokens: ['fake-azure-token', 'second-token'] });
  fake.addZone({ name: 'example.com' });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await fake.close();
});

function client(options: Partial<ConstructorParameters<typeof AzureDnsClient>[0]> = {}) {
  const c = new AzureDnsClient({
    subscriptionId: SUB,
    credential: fakeCredential(),
    endpoint: fake.url,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(c);
  return c;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as AzureApiError,
  );

describe('errors', () => {
  it('reads the unwrapped DNS error shape and the wrapped ARM shape; 412 and 409 are RECORD_CONFLICT', async () => {
    const c = client();
    const rs: AzureRecordSet = {
      name: 'www',
      type: 'A',
      ttl: 60,
      metadata: {},
      A: [{ ipv4Address: '192.0.2.1' }],
    };
    await c.putRecordSet(ZONE, rs, { ifNoneMatch: '*' });
    const again = await failure(c.putRecordSet(ZONE, rs, { ifNoneMatch: '*' }));
    expect(again).toBeInstanceOf(AzureApiError);
    expect(again).toMatchObject({
      status: 412,
      azureCode: 'PreconditionFailed',
      code: 'RECORD_CONFLICT',
      preconditionFailed: true,
    });
    expect(again.message).toContain('the record set changed since it was read');
    const cname = await failure(
      c.putRecordSet(ZONE, {
        name: 'www',
        type: 'CNAME',
        ttl: 60,
        metadata: {},
        CNAME: { cname: 'x.example.net' },
      }),
    );
    expect(cname).toMatchObject({ status: 409, azureCode: 'Conflict', code: 'RECORD_CONFLICT' });
    const zone = await failure(c.listRecordSets({ ...ZONE, name: 'missing.example' }));
    expect(zone).toMatchObject({ status: 404, azureCode: 'ParentResourceNotFound', code: 'UNKNOWN_ZONE' });
    const tooMany = await failure(
      c.putRecordSet(ZONE, {
        name: 'many',
        type: 'A',
        ttl: 60,
        metadata: {},
        A: Array.from({ length: 21 }, (_, i) => ({ ipv4Address: `192.0.2.${i}` })),
      }),
    );
    expect(tooMany).toMatchObject({ status: 400, azureCode: 'BadRequest', code: 'RECORD_REJECTED' });
    expect(await c.getRecordSet(ZONE, 'A', 'nothing')).toBeUndefined();
  });

  it('maps ARM codes to the SDK-wide codes', () => {
    expect(
      [
        [412, 'PreconditionFailed'],
        [409, 'Conflict'],
        [400, 'CannotCreateRecordDueToCNameNamingRestriction'],
        [401, 'InvalidAuthenticationToken'],
        [403, 'AuthorizationFailed'],
        [429, 'TooManyRequests'],
        [404, 'ResourceGroupNotFound'],
        [400, 'QuotaExceeded'],
        [400, 'BadRequest'],
        [500, 'InternalServerError'],
      ].map(([s, c]) => codeForAzureError(s as number, c as string)),
    ).toEqual([
      'RECORD_CONFLICT',
      'RECORD_CONFLICT',
      'RECORD_CONFLICT',
      'PROVIDER_AUTH',
      'PROVIDER_AUTH',
      'PROVIDER_RATE_LIMITED',
      'UNKNOWN_ZONE',
      'PROVIDER_QUOTA_EXCEEDED',
      'RECORD_REJECTED',
      'PROVIDER',
    ]);
  });
});

describe('secrets and tokens', () => {
  it('a failing credential is PROVIDER_AUTH without its message, which may quote a secret', async () => {
    const c = client({
      credential: {
        getToken: () =>
          Promise.reject(
            new Error('AADSTS7000215: Invalid client secret provided. secret=Abc~SuperSecretValue'),
          ),
      },
    });
    const error = await c.listZones('public').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH' });
    expect((error as Error).message).toContain('AADSTS7000215');
    for (const shown of [(error as Error).message, JSON.stringify(error), inspect(error, { depth: 10 })])
      expect(shown).not.toContain('SuperSecretValue');
  });

  it('a token echoed by the server is redacted from errors and events; util.inspect shows no credential', async () => {
    const events: unknown[] = [];
    const c = client({ credential: fakeCredential('second-token'), onRequest: (e) => events.push(e) });
    const original = fake.handle.bind(fake);
    fake.handle = async (request) => {
      if (request.method === 'GET' && request.url.includes('/A/echo'))
        return {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            code: 'BadRequest',
            message: `bad header ${request.headers['authorization']}`,
          }),
        };
      return original(request);
    };
    try {
      const error = await failure(c.getRecordSet(ZONE, 'A', 'echo'));
      expect(error.serverMessage).toBe('BadRequest: bad header [redacted]');
      expect(JSON.stringify(error)).not.toContain('second-token');
      expect(inspect(error, { depth: 5 })).not.toContain('second-token');
      expect(JSON.stringify(events)).not.toContain('second-token');
      expect(inspect(c)).not.toContain('second-token');
    } finally {
      delete (fake as { handle?: unknown }).handle;
    }
  });

  it('asks the credential once while its token is valid and again when it is about to expire', async () => {
    let calls = 0;
    let lifetime = 3_600_000;
    const c = client({
      credential: {
        getToken: () => {
          calls++;
          return Promise.resolve({ token: 'fake-azure-token', expiresOnTimestamp: Date.now() + lifetime });
        },
      },
    });
    await c.listRecordSets(ZONE);
    await c.listRecordSets(ZONE);
    expect(calls).toBe(1);
    lifetime = 60_000; // within the two-minute margin: renewed before every request
    const c2 = client({
      credential: {
        getToken: () => (
          calls++,
          Promise.resolve({ token: 'fake-azure-token', expiresOnTimestamp: Date.now() + lifetime })
        ),
      },
    });
    await c2.listRecordSets(ZONE);
    await c2.listRecordSets(ZONE);
    expect(calls).toBe(3);
  });

  it('a credential that fails is PROVIDER_AUTH and nothing is sent', async () => {
    const c = client({
      credential: { getToken: () => Promise.reject(new Error('AADSTS700016: application not found')) },
    });
    const before = fake.requests.length;
    await expect(c.listRecordSets(ZONE)).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
      message: expect.stringContaining('AADSTS700016'),
    });
    expect(fake.requests.length).toBe(before);
  });

  it('a nextLink to another origin is refused before the token goes there', async () => {
    const c = client({ pageSize: 1 });
    const original = fake.handle.bind(fake);
    fake.handle = async (request) => {
      const answer = await original(request);
      if (answer.status !== 200 || !request.url.includes('/all')) return answer;
      const body = JSON.parse(answer.body) as { nextLink?: string };
      return {
        ...answer,
        body: JSON.stringify({ ...body, nextLink: 'https://attacker.example/steal?$skipToken=MQ' }),
      };
    };
    try {
      const error = await failure(c.listRecordSets(ZONE));
      expect(error).toMatchObject({
        kind: 'invalid-response',
        message: expect.stringContaining('nextLink leaves'),
      });
    } finally {
      delete (fake as { handle?: unknown }).handle;
    }
  });

  it('azure.json: ExternalDNS precedence, and no credentials is a ConfigError; the file’s secret is never echoed', () => {
    expect(() => azureCredentialFromConfig({})).toThrow('no credentials provided for Azure API');
    expect(() => azureCredentialFromConfig({ aadClientId: 'id', aadClientSecret: 's3cr3t' })).toThrow(
      'tenantId is required',
    );
    expect(
      typeof azureCredentialFromConfig({ tenantId: 't', aadClientId: 'id', aadClientSecret: 's3cr3t' })
        .getToken,
    ).toBe('function');
    expect(
      typeof azureCredentialFromConfig({
        aadClientId: 'msi',
        aadClientSecret: 'msi',
        useManagedIdentityExtension: true,
      }).getToken,
    ).toBe('function');
    expect(typeof azureCredentialFromConfig({}, { fallback: 'default' }).getToken).toBe('function');
    expect(() =>
      parseAzureConfigFile('{"aadClientSecret": 42, "x": "s3cr3t"}', '/etc/kubernetes/azure.json'),
    ).toThrow(/azure.json is invalid: aadClientSecret/);
    try {
      parseAzureConfigFile('{"aadClientSecret": "s3cr3t"', 'azure.json');
    } catch (error) {
      expect(String(error)).not.toContain('s3cr3t');
    }
  });
});

describe('codecs', () => {
  it('the same record set in public and private casing', () => {
    const rs: AzureRecordSet = {
      name: 'db',
      type: 'TXT',
      ttl: 30,
      metadata: { team: 'dns' },
      TXT: [{ value: ['a', 'b'] }],
    };
    expect(recordSetToWire('public', rs)).toEqual({
      properties: { TTL: 30, metadata: { team: 'dns' }, TXTRecords: [{ value: ['a', 'b'] }] },
    });
    expect(recordSetToWire('private', rs)).toEqual({
      properties: { ttl: 30, metadata: { team: 'dns' }, txtRecords: [{ value: ['a', 'b'] }] },
    });
    for (const kind of ['public', 'private'] as const)
      expect(
        recordSetFromWire(kind, {
          name: 'db',
          type: `Microsoft.Network/${kind === 'public' ? 'dnszones' : 'privateDnsZones'}/TXT`,
          ...recordSetToWire(kind, rs),
        }),
      ).toEqual(rs);
  });

  it('TXT: raw strings of at most 255 octets, never split inside a UTF-8 sequence, joined back byte for byte', () => {
    const long = `${'a'.repeat(254)}é${'b'.repeat(100)}`;
    const parts = txtStrings(long);
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([254, 102]);
    expect(parts.join('')).toBe(long);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (text) => {
        const strings = txtStrings(text);
        return strings.join('') === text && strings.every((s) => Buffer.byteLength(s, 'utf8') <= 255);
      }),
    );
  });

  it('every endpoint round-trips through its record set: what is written reads back the same', () => {
    const eps = [
      endpoint({
        dnsName: 'example.com',
        recordType: 'MX',
        targets: ['10 mail.example.com', '20 mx.example.net'],
        recordTTL: 60,
      }),
      endpoint({
        dnsName: '_sip._tcp.example.com',
        recordType: 'SRV',
        targets: ['10 5 5060 sip.example.net'],
        recordTTL: 60,
      }),
      endpoint({
        dnsName: 'c.example.com',
        recordType: 'CAA',
        targets: ['0 issue "a;b \\"q\\""'],
        recordTTL: 60,
      }),
      endpoint({
        dnsName: 't.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=x"', 'say "hi" \\ ok'],
        recordTTL: 60,
      }),
      endpoint({ dnsName: 'n.example.com', recordType: 'NS', targets: ['ns1.example.net'], recordTTL: 60 }),
      endpoint({ dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:db8::1'], recordTTL: 60 }),
    ];
    for (const ep of eps) {
      const back = recordSetToEndpoint(
        recordSetFromWire('public', {
          name: 'x',
          type: ep.recordType,
          ...recordSetToWire('public', endpointToRecordSet(ep, 'example.com')),
        }),
        'example.com',
      );
      expect(back.targets).toEqual([...ep.targets].sort());
    }
    const txt = endpointToRecordSet(eps[3]!, 'example.com');
    expect(txt.TXT).toEqual([
      { value: ['"heritage=external-dns,external-dns/owner=x"'] },
      { value: ['say "hi" \\ ok'] },
    ]);
  });
});
