// queryDns against a real PowerDNS: dns-packet's codec with our abortable UDP/TCP exchange.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, emptyChanges, endpoint } from '@openova/dns-core';
import { verifyChanges } from '@openova/dns-provider-pdns';
import { queryDns, startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';

const ZONE = 'dns.test';
let pdns: RunningPowerDns;

beforeAll(async () => {
  pdns = await startPowerDns();
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  const many = Array.from({ length: 120 }, (_, i) => ({
    content: `10.0.${i >> 8}.${i & 255}`,
    disabled: false,
  }));
  await pdns.client.patchRRsets(`${ZONE}.`, [
    { name: `many.${ZONE}.`, type: 'A', changetype: 'REPLACE', ttl: 60, records: many },
    {
      name: `txt.${ZONE}.`,
      type: 'TXT',
      changetype: 'REPLACE',
      ttl: 60,
      records: [{ content: `"${'a'.repeat(255)}" "tail"`, disabled: false }],
    },
    {
      name: `mx.${ZONE}.`,
      type: 'MX',
      changetype: 'REPLACE',
      ttl: 60,
      records: [{ content: `10 mail.${ZONE}.`, disabled: false }],
    },
    {
      name: `caa.${ZONE}.`,
      type: 'CAA',
      changetype: 'REPLACE',
      ttl: 60,
      records: [{ content: '0 issue "letsencrypt.org"', disabled: false }],
    },
  ]);
});

afterAll(() => pdns?.stop());

const ask = (name: string, type: string | number, extra: { tcp?: boolean } = {}) =>
  queryDns({ name: `${name}.${ZONE}`, type, port: pdns.dnsPort, ...extra });

describe('queryDns', () => {
  it('decodes TXT strings, MX and CAA in the endpoint form', async () => {
    const txt = await ask('txt', 'TXT');
    expect(txt).toMatchObject({ rcodeName: 'NOERROR', authoritative: true, truncated: false });
    expect(txt.answers[0]?.strings).toEqual(['a'.repeat(255), 'tail']);
    expect(txt.answers[0]?.data).toBe(`${'a'.repeat(255)}tail`);
    expect((await ask('mx', 'MX')).answers.map((a) => a.data)).toEqual([`10 mail.${ZONE}`]);
    expect((await ask('caa', 'CAA')).answers.map((a) => a.data)).toEqual(['0 issue "letsencrypt.org"']);
  });

  it('falls back to TCP when the UDP answer is truncated, and takes numeric types', async () => {
    const viaUdpThenTcp = await ask('many', 'A');
    expect(viaUdpThenTcp.truncated).toBe(false);
    expect(viaUdpThenTcp.answers).toHaveLength(120);
    const numeric = await ask('many', 1, { tcp: true });
    expect(numeric.answers.map((a) => a.data).sort()).toEqual(
      viaUdpThenTcp.answers.map((a) => a.data).sort(),
    );
    expect(numeric.answers[0]?.type).toBe('A');
  });

  it('NXDOMAIN carries the SOA in the authority section', async () => {
    const missing = await ask('nothing-here', 'A');
    expect(missing.rcodeName).toBe('NXDOMAIN');
    expect(missing.answers).toEqual([]);
    expect(missing.authority[0]?.type).toBe('SOA');
    expect(missing.authority[0]?.data).toMatch(/^\S+ hostmaster\.dns\.test \d+ \d+ \d+ \d+ \d+$/);
  });

  it('a wait is abortable', async () => {
    const controller = new AbortController();
    // a port nothing answers on: only the abort ends the wait
    const pending = queryDns({
      name: ZONE,
      type: 'A',
      port: 9,
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });
});

it('verifyChanges: the pause between two queries ends at an abort', async () => {
  const controller = new AbortController();
  const changes = {
    ...emptyChanges(),
    // never answered: verification would poll for 60 s, pausing 30 s between queries
    create: [endpoint({ dnsName: `never.${ZONE}`, recordType: 'A', targets: ['192.0.2.99'] })],
  };
  const pending = verifyChanges(changes, {
    dnsPort: pdns.dnsPort,
    timeoutMs: 60_000,
    intervalMs: 30_000,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 200);
  await expect(pending).rejects.toBeInstanceOf(AbortedError);
});

describe('timeouts are reported in whole milliseconds', () => {
  it('queryDns and verifyChanges (whose per-query timeout is what is left of its deadline)', async () => {
    // a UDP socket that takes every question and never answers
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const port = silent.address().port;
    try {
      const error = await queryDns({ name: ZONE, type: 'A', port, timeoutMs: 150.4 }).catch(
        (e: unknown) => e,
      );
      expect((error as Error).message).toMatch(/timed out after 151 ms$/);
      const report = await verifyChanges(
        {
          ...emptyChanges(),
          create: [endpoint({ dnsName: `silent.${ZONE}`, recordType: 'A', targets: ['192.0.2.98'] })],
        },
        { dnsPort: port, timeoutMs: 700, intervalMs: 50 },
      );
      expect(report.ok).toBe(false);
      expect(report.names[0]?.error).toMatch(/timed out after \d+ ms$/);
    } finally {
      silent.close();
    }
  });
});
