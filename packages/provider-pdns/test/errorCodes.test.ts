// PowerDNS's answers map to the SDK's codes as every provider's do: content it refuses is
// RECORD_REJECTED (core bisects it), a clash with stored data RECORD_CONFLICT, a bad key PROVIDER_AUTH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsApiError, PowerDnsClient, PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';

const ZONE = 'codes.test';
let pdns: RunningPowerDns;

beforeAll(async () => {
  pdns = await startPowerDns();
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  await pdns.client.patchRRsets(`${ZONE}.`, [
    {
      name: `a.${ZONE}.`,
      type: 'A',
      ttl: 60,
      changetype: 'REPLACE',
      records: [{ content: '192.0.2.1', disabled: false }],
    },
  ]);
});

afterAll(() => pdns?.stop());

const fail = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('PowerDNS error codes', () => {
  it('a name PowerDNS refuses ("contains unsupported characters") is RECORD_REJECTED', async () => {
    const error = await fail(
      pdns.client.patchRRsets(`${ZONE}.`, [
        {
          name: `_x.a.*.${ZONE}.`,
          type: 'TXT',
          ttl: 60,
          changetype: 'REPLACE',
          records: [{ content: '"x"', disabled: false }],
        },
      ]),
    );
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect((error as PowerDnsApiError).status).toBe(422);
    expect((error as PowerDnsApiError).code).toBe('RECORD_REJECTED');
  });

  it('a CNAME beside other data ("Conflicts with pre-existing RRset") is RECORD_CONFLICT', async () => {
    const error = await fail(
      pdns.client.patchRRsets(`${ZONE}.`, [
        {
          name: `a.${ZONE}.`,
          type: 'CNAME',
          ttl: 60,
          changetype: 'REPLACE',
          records: [{ content: 'x.example.net.', disabled: false }],
        },
      ]),
    );
    expect((error as PowerDnsApiError).status).toBe(422);
    expect((error as PowerDnsApiError).code).toBe('RECORD_CONFLICT');
  });

  it('a serverId the API does not know is said to be the server id, not UNKNOWN_ZONE', async () => {
    const client = new PowerDnsClient({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'nope' });
    try {
      for (const call of [
        () => client.listZones(),
        () => client.serverConfig(),
        () => client.listTsigKeys(),
      ]) {
        const error = await fail(call());
        expect(error).toBeInstanceOf(PowerDnsApiError);
        expect((error as PowerDnsApiError).status).toBe(404);
        expect((error as PowerDnsApiError).code).toBe('PROVIDER');
        expect((error as PowerDnsApiError).retryable).toBe(false);
        expect((error as Error).message).toMatch(/serverId "nope" is not a server of this API/);
      }
      // below the server, a 404 may be the zone or the server: the code stays, the hint names both
      const error = await fail(client.getZone(`${ZONE}.`));
      expect((error as PowerDnsApiError).code).toBe('UNKNOWN_ZONE');
      expect((error as Error).message).toMatch(/serverId "nope"/);
    } finally {
      await client.close();
    }
    // the provider reports it the same way
    const provider = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'nope' });
    const error = await fail(provider.records());
    expect((error as PowerDnsApiError).code).toBe('PROVIDER');
    expect((error as Error).message).toMatch(/serverId "nope"/);
  });

  it('a zone that does not exist on the right server stays UNKNOWN_ZONE, without a serverId hint', async () => {
    const error = await fail(pdns.client.getZone('no-such-zone.test.'));
    expect((error as PowerDnsApiError).status).toBe(404);
    expect((error as PowerDnsApiError).code).toBe('UNKNOWN_ZONE');
    expect((error as Error).message).not.toMatch(/serverId/);
  });

  it('a wrong API key is PROVIDER_AUTH, as for every provider', async () => {
    const client = new PowerDnsClient({ apiUrl: pdns.apiUrl, apiKey: 'wrong-key' });
    const error = await fail(client.listZones());
    expect((error as PowerDnsApiError).status).toBe(401);
    expect((error as PowerDnsApiError).code).toBe('PROVIDER_AUTH');
    expect(String((error as Error).message)).not.toContain('wrong-key');
    await client.close();
  });
});
