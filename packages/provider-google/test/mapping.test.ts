// Cloud DNS content forms: absolute names with their dot, rrdatas in presentation form (host names
// absolute, TXT quoted and split at 255 octets), routing policies in canonical JSON; every target
// round-trips to the form records() returns.
import { describe, expect, it } from 'vitest';
import { endpoint } from '@openova/dns-core';
import {
  canonicalRoutingPolicy,
  canonicalTargetFor,
  endpointToRRSet,
  fromRrdata,
  GOOGLE_PROPERTIES,
  routingPolicyOf,
  routingPolicyProperty,
  rrdataBytes,
  rrsetName,
  rrsetToEndpoint,
  sameRRSet,
  toRrdata,
} from '@openova/dns-provider-google';

describe('rrdatas', () => {
  it.each([
    ['A', '192.0.2.1', '192.0.2.1'],
    ['AAAA', '2001:DB8:0:0::1', '2001:db8::1'],
    ['CNAME', 'Target.Example.com', 'target.example.com.'],
    ['NS', 'ns1.example.net.', 'ns1.example.net.'],
    ['MX', '10 mail.example.com', '10 mail.example.com.'],
    ['SRV', '0 50 8080 target.example.com', '0 50 8080 target.example.com.'],
    ['CAA', '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'],
    ['TXT', 'v=spf1 include:x -all', '"v=spf1 include:x -all"'],
    ['TXT', 'say "hi" \\ there', '"say \\"hi\\" \\\\ there"'],
  ])('%s %s is written as %s', (type, target, rrdata) => {
    expect(toRrdata(type, target)).toBe(rrdata);
  });

  it('splits TXT above 255 octets into quoted strings, and reads them back as one target', () => {
    const text = 'é'.repeat(200); // 400 octets: the split falls inside no character
    const rrdata = toRrdata('TXT', text);
    expect(rrdata).toMatch(/^"[^"]+" "[^"]+"$/);
    for (const part of rrdata.split('" "'))
      expect(Buffer.byteLength(part.replace(/"/g, ''))).toBeLessThanOrEqual(255);
    expect(fromRrdata('TXT', rrdata)).toBe(text);
    expect(canonicalTargetFor('TXT', text)).toBe(text);
  });

  it('reads host names without their dot, and every target round-trips', () => {
    expect(fromRrdata('CNAME', 'target.example.com.')).toBe('target.example.com');
    expect(fromRrdata('MX', '10 mail.example.com.')).toBe('10 mail.example.com');
    for (const [type, t] of [
      ['A', '192.0.2.1'],
      ['CNAME', 'a.example.com'],
      ['SRV', '1 2 3 b.example.com'],
      ['TXT', '"heritage=external-dns,external-dns/owner=me"'],
    ] as const) {
      const once = canonicalTargetFor(type, t);
      expect(canonicalTargetFor(type, once)).toBe(once);
    }
  });
});

describe('record sets', () => {
  it('names are absolute, lower case punycode with a trailing dot', () => {
    expect(rrsetName('WWW.Bücher.Example')).toBe('www.xn--bcher-kva.example.');
  });

  it('an endpoint and its record set round-trip; sameRRSet ignores rrdata order', () => {
    const ep = endpoint({
      dnsName: 'www.example.com',
      recordType: 'A',
      targets: ['192.0.2.2', '192.0.2.1'],
      recordTTL: 60,
    });
    const set = endpointToRRSet(ep, 60);
    expect(set).toEqual({
      kind: 'dns#resourceRecordSet',
      name: 'www.example.com.',
      type: 'A',
      ttl: 60,
      rrdatas: ['192.0.2.1', '192.0.2.2'],
    });
    expect(rrsetToEndpoint(set)).toMatchObject({
      dnsName: 'www.example.com',
      targets: ['192.0.2.1', '192.0.2.2'],
      recordTTL: 60,
    });
    expect(sameRRSet(set, { ...set, rrdatas: ['192.0.2.2', '192.0.2.1'] })).toBe(true);
    expect(sameRRSet(set, { ...set, ttl: 300 })).toBe(false);
    expect(rrdataBytes(set)).toBe(18);
  });
});

describe('routing policies', () => {
  it('are canonical: items sorted, answers in rrdata form, keys sorted', () => {
    const a = canonicalRoutingPolicy('CNAME', {
      geo: {
        items: [
          { location: 'us-east1', rrdatas: ['b.example.com'] },
          { location: 'asia-east1', rrdatas: ['a.example.com.'] },
        ],
      },
    });
    expect(a).toEqual({
      geo: {
        items: [
          { location: 'asia-east1', rrdatas: ['a.example.com.'] },
          { location: 'us-east1', rrdatas: ['b.example.com.'] },
        ],
      },
    });
    expect(
      routingPolicyProperty({
        wrr: {
          items: [
            { weight: 2, rrdatas: ['192.0.2.2'] },
            { weight: 1, rrdatas: ['192.0.2.1'] },
          ],
        },
      }),
    ).toBe('{"wrr":{"items":[{"rrdatas":["192.0.2.1"],"weight":1},{"rrdatas":["192.0.2.2"],"weight":2}]}}');
  });

  it('a policy record set reads as one endpoint with every answer as a target and the property', () => {
    const ep = rrsetToEndpoint({
      name: 'geo.example.com.',
      type: 'A',
      ttl: 30,
      routingPolicy: {
        primaryBackup: {
          primaryTargets: { internalLoadBalancers: [{ ipAddress: '10.0.0.5', port: '80' }] },
          backupGeoTargets: { items: [{ location: 'us-east1', rrdatas: ['192.0.2.7'] }] },
          trickleTraffic: 0.1,
        },
      },
    });
    expect(ep.targets).toEqual(['10.0.0.5', '192.0.2.7']);
    expect(ep.providerSpecific[0]?.name).toBe(GOOGLE_PROPERTIES.routingPolicy);
    expect(routingPolicyOf(ep)?.primaryBackup?.trickleTraffic).toBe(0.1);
  });

  it('a TXT endpoint (an ownership marker copying its record) never carries a policy', () => {
    const marker = endpoint({
      dnsName: 'a-geo.example.com',
      recordType: 'TXT',
      targets: ['"heritage=external-dns"'],
      providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value: '{"geo":{"items":[]}}' }],
    });
    expect(routingPolicyOf(marker)).toBeUndefined();
    expect(endpointToRRSet(marker, 300).rrdatas).toEqual(['"heritage=external-dns"']);
  });

  it('rejects a property that is not exactly one policy', () => {
    const bad = (value: string) =>
      endpoint({
        dnsName: 'x.example.com',
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value }],
      });
    expect(() => routingPolicyOf(bad('nope'))).toThrow(/not JSON/);
    expect(() => routingPolicyOf(bad('{}'))).toThrow(/exactly one of geo, wrr, primaryBackup/);
    expect(() => routingPolicyOf(bad('{"wrr":{"items":[{"weight":"heavy"}]}}'))).toThrow(/routing-policy/);
  });
});
