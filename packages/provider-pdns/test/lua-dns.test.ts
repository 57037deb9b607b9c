// LUA records built with `lua` are written to a real PowerDNS and queried over DNS.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lua,
  luaRequirements,
  parsePowerDnsVersion,
  PowerDnsProvider,
  type LuaExpression,
} from '@openova/dns-provider-pdns';
import {
  queryDns,
  startPowerDns,
  type DnsResponse,
  type RunningPowerDns,
} from '@openova/dns-provider-pdns/testing';
import { emptyChanges, reconcile, TxtRegistry, ValidationError } from '@openova/dns-core';

const ZONE = 'lua.test';
let pdns: RunningPowerDns;
let tcpUp: TcpServer;
let httpUp: HttpServer;
let tcpPort: number;
let httpPort: number;

beforeAll(async () => {
  pdns = await startPowerDns();
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  // "Up" services listen on 127.0.0.1 only, so 127.0.0.2 (also loopback) counts as down.
  tcpUp = createTcpServer((socket) => socket.end());
  await new Promise<void>((resolve) => tcpUp.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcpUp.address() as AddressInfo).port;
  httpUp = createHttpServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK healthy'),
  );
  await new Promise<void>((resolve) => httpUp.listen(0, '127.0.0.1', resolve));
  httpPort = (httpUp.address() as AddressInfo).port;
});

afterAll(async () => {
  tcpUp?.close();
  httpUp?.close();
  await pdns?.stop();
});

async function write(name: string, expression: LuaExpression, queryType?: string): Promise<void> {
  await pdns.client.patchRRsets(`${ZONE}.`, [
    {
      name: `${name}.${ZONE}`,
      type: 'LUA',
      changetype: 'REPLACE',
      ttl: 5,
      records: [{ content: lua.content(expression, queryType === undefined ? {} : { queryType }) }],
    },
  ]);
}

function ask(name: string, type = 'A'): Promise<DnsResponse> {
  return queryDns({ name: `${name}.${ZONE}`, type, port: pdns.dnsPort });
}

async function answers(name: string, type = 'A'): Promise<string[]> {
  const response = await ask(name, type);
  expect(response.rcodeName).toBe('NOERROR');
  return response.answers
    .filter((a) => a.type === type)
    .map((a) => a.data)
    .sort();
}

/** Queries until the answers equal `expected` (health checks settle after a first round). */
async function eventually(name: string, expected: string[], type = 'A'): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await answers(name, type);
    if (JSON.stringify(last) === JSON.stringify([...expected].sort())) {
      // settled, not a lucky pick: the next answers agree
      for (let i = 0; i < 5; i++) expect(await answers(name, type)).toEqual(last);
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

describe('LUA records answer DNS queries', () => {
  it('pickrandom answers one address of the pool', async () => {
    const pool = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    await write('random', lua.pickrandom(pool));
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const got = await answers('random');
      expect(got).toHaveLength(1);
      expect(pool).toContain(got[0]);
      seen.add(got[0]!);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('pickwhashed answers the same address to the same client; pickwrandom follows the weights', async () => {
    const pool = ['198.51.100.1', '198.51.100.2'];
    await write('whashed', lua.pickwhashed(pool.map((value, i) => ({ weight: i + 1, value }))));
    const first = await answers('whashed');
    expect(pool).toContain(first[0]);
    for (let i = 0; i < 5; i++) expect(await answers('whashed')).toEqual(first);
    await write('wrandom', lua.pickwrandom([{ weight: 1, value: '198.51.100.7' }]));
    expect(await answers('wrandom')).toEqual(['198.51.100.7']);
  });

  it('pickclosest answers an address of the pool (IPv6 too)', async () => {
    const pool = ['2001:db8::1', '2001:db8::2'];
    await write('closest', lua.pickclosest(pool));
    const got = await answers('closest', 'AAAA');
    expect(got).toHaveLength(1);
    expect(pool).toContain(got[0]);
  });

  it('ifportup answers only the address whose port accepts connections', async () => {
    await write(
      'portup',
      lua.ifportup(tcpPort, ['127.0.0.1', '127.0.0.2'], {
        selector: 'all',
        backupSelector: 'all',
        timeout: 1,
      }),
    );
    // before the first check completes every address counts as down: the backup (`all`) answers
    expect(await answers('portup')).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(await eventually('portup', ['127.0.0.1'])).toEqual(['127.0.0.1']);
  });

  it('ifurlup answers the first address set with a live URL; with nothing up the backup applies', async () => {
    const url = `http://127.0.0.1:${httpPort}/health`;
    await write(
      'urlup',
      lua.ifurlup(url, [['127.0.0.2'], ['127.0.0.1']], {
        stringmatch: 'healthy',
        backupSelector: 'all',
        timeout: 1,
      }),
    );
    expect(await eventually('urlup', ['127.0.0.1'])).toEqual(['127.0.0.1']);
    await write(
      'urldown',
      lua.ifurlup(url, ['127.0.0.1', '127.0.0.2'], {
        stringmatch: 'never there',
        selector: 'all',
        backupSelector: 'all',
        timeout: 1,
      }),
    );
    // both addresses fail the string match, so `all` over the whole pool answers
    expect(await eventually('urldown', ['127.0.0.1', '127.0.0.2'])).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('country / continent conditions evaluate (false without the geoip backend) and pick the fallback', async () => {
    await write(
      'geo',
      lua.choose({
        cases: [
          { when: lua.country(['NL', 'BE']), then: '203.0.113.1' },
          { when: lua.continent('EU'), then: ['203.0.113.2', '203.0.113.3'] },
        ],
        otherwise: lua.pickrandom(['203.0.113.9']),
      }),
    );
    expect(await answers('geo')).toEqual(['203.0.113.9']);
  });

  it('returns strings with quotes, apostrophes and backslashes intact (TXT) and absolute CNAME targets', async () => {
    const text = `it's a "test" \\ ok`;
    await write('text', lua.pickrandom([text], { queryType: 'TXT' }));
    const txt = await ask('text', 'TXT');
    expect(txt.rcodeName).toBe('NOERROR');
    expect(txt.answers[0]?.data).toBe(text);
    await write('alias', lua.pickrandom(['target.example.net'], { queryType: 'CNAME' }));
    expect(await answers('alias', 'CNAME')).toEqual(['target.example.net']);
  });

  it('long code split into several chunks still evaluates', async () => {
    const pool = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 100}`);
    const content = lua.content(lua.pickrandom(pool));
    expect(content.split('" "').length).toBeGreaterThan(1);
    await write('long', lua.pickrandom(pool));
    const got = await answers('long');
    expect(pool).toContain(got[0]);
  });

  it('one endpoint of two expressions answers A and AAAA (dual stack), and plans nothing again', async () => {
    const provider = new PowerDnsProvider({ client: pdns.client });
    const registry = new TxtRegistry(provider, {
      ownerId: 'lua',
      prefix: '_externaldns.%{record_type}.',
      managedRecordTypes: ['A', 'AAAA', 'CNAME', 'LUA'],
    });
    const ep = lua.endpoint({
      dnsName: `dual.${ZONE}`,
      expression: [lua.pickrandom(['192.0.2.7']), lua.pickrandom(['2001:db8::7'], { queryType: 'AAAA' })],
    });
    expect(ep.targets).toHaveLength(2);
    const desired = [ep];
    await reconcile({ registry, desired, policy: 'sync' });
    expect(await answers('dual', 'A')).toEqual(['192.0.2.7']);
    expect(await answers('dual', 'AAAA')).toEqual(['2001:db8::7']);
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    // two expressions for one query type are refused at once
    expect(() =>
      lua.endpoint({
        dnsName: `x.${ZONE}`,
        expression: [lua.pickrandom(['192.0.2.1']), lua.pickrandom(['192.0.2.2'])],
      }),
    ).toThrow(/two expressions answer A queries/);
  });

  it('a LUA endpoint written by the provider answers, and dig sees it', async () => {
    const provider = new PowerDnsProvider({ client: pdns.client });
    const ep = lua.endpoint({
      dnsName: `viaprovider.${ZONE}`,
      expression: lua.ifportup(tcpPort, ['127.0.0.1'], { timeout: 1 }),
    });
    await provider.applyChanges({ ...emptyChanges(), create: [ep] });
    expect(await eventually('viaprovider', ['127.0.0.1'])).toEqual(['127.0.0.1']);
    const dig = ['/usr/bin/dig', '/bin/dig'].find((p) => existsSync(p));
    if (dig) {
      const { stdout } = await promisify(execFile)(dig, [
        '@127.0.0.1',
        '-p',
        String(pdns.dnsPort),
        `viaprovider.${ZONE}`,
        'A',
        '+short',
      ]);
      expect(stdout.trim()).toBe('127.0.0.1');
    }
    const records = await provider.records();
    expect(
      records.find((r) => r.recordType === 'LUA' && r.dnsName === `viaprovider.${ZONE}`)?.targets,
    ).toEqual(ep.targets);
  });

  // Found by running them: a release older than the feature stores the record, then answers
  // SERVFAIL (a list of address lists in ifportup) or silently ignores the option (4.7 reads
  // options as a string map). Either way the record would not do what it says, so the provider
  // refuses it before anything is written, naming both versions.
  describe.each([
    {
      name: 'groups',
      what: 'ifportup with priority groups',
      expression: () => lua.ifportup(tcpPort, [['127.0.0.2'], ['127.0.0.1']], { timeout: 1 }),
      live: ['127.0.0.1'],
      olderAnswers: 'SERVFAIL',
    },
    {
      name: 'byteslimit',
      what: 'the ifurlup option byteslimit',
      expression: () =>
        lua.ifurlup(`http://127.0.0.1:${httpPort}/`, [['127.0.0.1']], { byteslimit: 1024, timeout: 1 }),
      live: ['127.0.0.1'],
      olderAnswers: 'NOERROR',
    },
    {
      name: 'minfail',
      what: 'the ifportup option minimumFailures',
      expression: () => lua.ifportup(tcpPort, ['127.0.0.1'], { minimumFailures: 2, timeout: 1 }),
      live: ['127.0.0.1'],
      olderAnswers: 'NOERROR',
    },
  ])('$what', ({ name, expression, live, olderAnswers }) => {
    it('is refused before any write on a server older than it needs, and answers on one that has it', async () => {
      const expr = expression();
      const since = expr.minimumVersion as string;
      const ep = lua.endpoint({ dnsName: `needs-${name}.${ZONE}`, expression: expr });
      expect(luaRequirements(ep.targets[0] as string).map((r) => r.since)).toContain(since);
      const provider = new PowerDnsProvider({ client: pdns.client });
      const running = parsePowerDnsVersion(pdns.version);
      const older =
        running !== undefined &&
        parsePowerDnsVersion(since) !== undefined &&
        [running.major, running.minor, running.patch].join('.') !== since &&
        (running.major - Number(since.split('.')[0]) || running.minor - Number(since.split('.')[1])) < 0;
      const registry = new TxtRegistry(provider, {
        ownerId: 'lua-versions',
        managedRecordTypes: ['A', 'LUA'],
      });
      const desired = [{ dnsName: `plain-${name}.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] }, ep];
      if (older) {
        const before = await pdns.client.getZone(`${ZONE}.`);
        const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        const issue = (error as ValidationError).issues.find((i) => i.code === 'needs_newer_server');
        expect(issue?.message).toContain(`PowerDNS ${since} or later`);
        expect(issue?.message).toContain(`the server runs ${pdns.version}`);
        expect(issue?.path).toEqual(['desired', 1, 'targets', 0]);
        // a dry run says the same
        const dry = await reconcile({ registry, desired, policy: 'sync', dryRun: true }).catch(
          (e: unknown) => e,
        );
        expect((dry as ValidationError).issues?.[0]?.path).toEqual(['desired', 1, 'targets', 0]);
        // nothing was written, not even the valid record beside it
        expect((await pdns.client.getZone(`${ZONE}.`)).rrsets).toEqual(before.rrsets);
        // what the server does with it when written past the provider (recorded, not assumed)
        await write(`needs-${name}`, expr);
        expect((await ask(`needs-${name}`)).rcodeName).toBe(olderAnswers);
      } else {
        const result = await reconcile({ registry, desired, policy: 'sync' });
        expect(result.applied).toBe(true);
        expect(await eventually(`needs-${name}`, live)).toEqual(live);
      }
    });
  });

  it('content PowerDNS would refuse halfway (non-hostname MX, unknown or empty LUA) is refused before any write, in a dry run too', async () => {
    const provider = new PowerDnsProvider({ client: pdns.client });
    const registry = new TxtRegistry(provider, {
      ownerId: 'content',
      managedRecordTypes: ['A', 'MX', 'LUA'],
    });
    const desired = [
      { dnsName: `ok-content.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] },
      { dnsName: `mx-content.${ZONE}`, recordType: 'MX', targets: [`10 mail_server.${ZONE}`] },
      { dnsName: `foo-content.${ZONE}`, recordType: 'LUA', targets: [`FOO "pickrandom({'192.0.2.1'})"`] },
      { dnsName: `empty-content.${ZONE}`, recordType: 'LUA', targets: ['A ""'] },
    ];
    const before = await pdns.client.getZone(`${ZONE}.`);
    for (const dryRun of [true, false]) {
      const error = await reconcile({ registry, desired, policy: 'sync', dryRun }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
        [['desired', 1, 'targets', 0], 'not_a_hostname'],
        [['desired', 2, 'targets', 0], 'invalid_lua'],
        [['desired', 3, 'targets', 0], 'invalid_lua'],
      ]);
    }
    expect((await pdns.client.getZone(`${ZONE}.`)).rrsets).toEqual(before.rrsets);
  });
});
