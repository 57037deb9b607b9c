// PowerDNS's answers map to the SDK's codes as every provider's do: content it refuses is
// RECORD_REJECTED (core bisects it), a clash with stored data RECORD_CONFLICT, a bad key PROVIDER_AUTH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsApiError, PowerDnsClient } from '@openova/dns-provider-pdns';
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

  it('a wrong API key is PROVIDER_AUTH, as for every provider', async () => {
    const client = new PowerDnsClient({ apiUrl: pdns.apiUrl, apiKey: 'wrong-key' });
    const error = await fail(client.listZones());
    expect((error as PowerDnsApiError).status).toBe(401);
    expect((error as PowerDnsApiError).code).toBe('PROVIDER_AUTH');
    expect(String((error as Error).message)).not.toContain('wrong-key');
    await client.close();
  });
});
