// Names, values, aliases and the canonical zone table: pure functions, no I/O.
import { describe, expect, it } from 'vitest';
import { endpoint } from '@openova/dns-core';
import {
  ALIAS_PROPERTY,
  AWS_PROPERTIES,
  canonicalZoneOf,
  CLOUDFRONT_ZONE_ID,
  decodeRoute53Name,
  encodeRoute53Name,
  endpointToRecordSet,
  GLOBAL_ACCELERATOR_ZONE_ID,
  recordSetToEndpoint,
  targetToValue,
  valueToTarget,
} from '@openova/dns-provider-route53';

describe('names', () => {
  it('decodes \\052, other octal escapes, case and the trailing dot', () => {
    expect(decodeRoute53Name('\\052.Example.COM.')).toBe('*.example.com');
    expect(decodeRoute53Name('a\\100b.example.com.')).toBe('a@b.example.com');
    expect(decodeRoute53Name('_externaldns.a-\\052.apps.example.com.')).toBe(
      '_externaldns.a-*.apps.example.com',
    );
    expect(decodeRoute53Name('xn--bcher-kva.example.com.')).toBe('xn--bcher-kva.example.com');
  });
  it('encodes with a trailing dot and * as \\052', () => {
    expect(encodeRoute53Name('*.Apps.example.com')).toBe('\\052.apps.example.com.');
    expect(encodeRoute53Name('bücher.example.com')).toBe('xn--bcher-kva.example.com.');
  });
});

describe('values', () => {
  it('quotes TXT and splits it into strings of at most 255 octets', () => {
    const long = 'x'.repeat(300);
    const value = targetToValue('TXT', long);
    expect(value).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(valueToTarget('TXT', value)).toBe(long);
    expect(targetToValue('TXT', '"v=spf1 -all"')).toBe('"v=spf1 -all"');
  });
  it('makes host names absolute and reads them back relative', () => {
    expect(targetToValue('CNAME', 'Target.Example.net')).toBe('target.example.net.');
    expect(targetToValue('MX', '10 mx.example.net')).toBe('10 mx.example.net.');
    expect(targetToValue('SRV', '1 2 3 sip.example.net')).toBe('1 2 3 sip.example.net.');
    expect(valueToTarget('CNAME', 'target.example.net.')).toBe('target.example.net');
    expect(valueToTarget('MX', '10 mx.example.net.')).toBe('10 mx.example.net');
  });
});

describe('canonical hosted zones of alias targets', () => {
  it.each([
    ['d111111abcdef8.cloudfront.net', CLOUDFRONT_ZONE_ID],
    ['a1234.awsglobalaccelerator.com', GLOBAL_ACCELERATOR_ZONE_ID],
    ['my-alb-1.us-east-1.elb.amazonaws.com', 'Z35SXDOTRQ7X7K'],
    ['my-nlb-1.elb.us-east-1.amazonaws.com', 'Z26RNL4JYFTOTI'],
    ['my-alb-1.eu-west-1.elb.amazonaws.com.', 'Z32O12XQLNTSW2'],
    ['my-nlb-1.elb.eu-west-1.amazonaws.com', 'Z2IFOLAFXWLO4F'],
    ['abc.execute-api.us-east-1.amazonaws.com', 'Z1UJRXOUMOOFQ8'],
    ['web.example.com', undefined],
  ])('%s → %s', (target, zone) => {
    expect(canonicalZoneOf(target)).toBe(zone);
  });
  it('an override table wins and the longest suffix matches', () => {
    expect(
      canonicalZoneOf('x.elb.ap-south-1.amazonaws.com', { 'elb.ap-south-1.amazonaws.com': 'ZTEST' }),
    ).toBe('ZTEST');
    expect(canonicalZoneOf('x.a.b.test', { 'b.test': 'Z1', 'a.b.test': 'Z2' })).toBe('Z2');
  });
});

describe('record sets', () => {
  const ctx = {
    zoneId: 'ZSELF',
    targetZoneOf: (t: string) => canonicalZoneOf(t),
    evaluateTargetHealth: true,
  };

  it('an AAAA alias stays AAAA and reads back with TTL 300', () => {
    const ep = endpoint({
      dnsName: 'example.com',
      recordType: 'AAAA',
      targets: ['d1.cloudfront.net'],
      providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
    });
    const set = endpointToRecordSet(ep, ctx);
    expect(set).toEqual({
      Name: 'example.com.',
      Type: 'AAAA',
      AliasTarget: {
        DNSName: 'd1.cloudfront.net.',
        HostedZoneId: CLOUDFRONT_ZONE_ID,
        EvaluateTargetHealth: true,
      },
    });
    const back = recordSetToEndpoint(
      { ...set, AliasTarget: { ...set.AliasTarget!, HostedZoneId: `/hostedzone/${CLOUDFRONT_ZONE_ID}` } },
      (t) => canonicalZoneOf(t),
    );
    expect(back).toMatchObject({
      dnsName: 'example.com',
      recordType: 'AAAA',
      recordTTL: 300,
      targets: ['d1.cloudfront.net'],
    });
    expect(back.providerSpecific).toEqual([
      { name: ALIAS_PROPERTY, value: 'true' },
      { name: AWS_PROPERTIES.evaluateTargetHealth, value: 'true' },
    ]);
  });

  it('routing fields map to ExternalDNS property names both ways', () => {
    const ep = endpoint({
      dnsName: 'geo.example.com',
      recordType: 'A',
      setIdentifier: 'eu',
      targets: ['192.0.2.1'],
      recordTTL: 60,
      providerSpecific: [
        { name: AWS_PROPERTIES.geoproximityCoordinates, value: '49.22,-74.01' },
        { name: AWS_PROPERTIES.geoproximityBias, value: '10' },
        { name: AWS_PROPERTIES.healthCheckId, value: 'hc-1' },
      ],
    });
    const set = endpointToRecordSet(ep, ctx);
    expect(set.GeoProximityLocation).toEqual({
      Coordinates: { Latitude: '49.22', Longitude: '-74.01' },
      Bias: 10,
    });
    expect(set.SetIdentifier).toBe('eu');
    expect(recordSetToEndpoint(set).providerSpecific).toEqual([
      { name: AWS_PROPERTIES.geoproximityBias, value: '10' },
      { name: AWS_PROPERTIES.geoproximityCoordinates, value: '49.22,-74.01' },
      { name: AWS_PROPERTIES.healthCheckId, value: 'hc-1' },
    ]);
    const geo = endpointToRecordSet(
      endpoint({
        dnsName: 'g.example.com',
        recordType: 'A',
        setIdentifier: 'x',
        targets: ['192.0.2.1'],
        recordTTL: 60,
        providerSpecific: [
          { name: AWS_PROPERTIES.geolocationContinentCode, value: 'EU' },
          { name: AWS_PROPERTIES.geolocationCountryCode, value: 'DE' },
        ],
      }),
      ctx,
    );
    expect(geo.GeoLocation).toEqual({ ContinentCode: 'EU' }); // the continent takes precedence, as in ExternalDNS
  });
});

describe('octets outside 0x20–0x7E (Route53 returns them as \\ddd escapes)', () => {
  it('TXT values with UTF-8 are sent and read as \\ddd escapes, so a second plan is empty', () => {
    expect(targetToValue('TXT', 'café')).toBe('"caf\\303\\251"');
    // what Route53 answers for the value it stored
    expect(valueToTarget('TXT', '"caf\\303\\251"')).toBe('café');
    expect(valueToTarget('TXT', targetToValue('TXT', 'café'))).toBe('café');
    // quotes and backslashes keep their own escapes
    expect(valueToTarget('TXT', targetToValue('TXT', 'a "q" \\ b ü'))).toBe('a "q" \\ b ü');
    const long = 'é'.repeat(200);
    expect(valueToTarget('TXT', targetToValue('TXT', long))).toBe(long);
  });

  it('names with \\ddd escapes decode as UTF-8, then punycode', () => {
    expect(decodeRoute53Name('\\303\\274.example.com.')).toBe('xn--tda.example.com');
    expect(decodeRoute53Name('\\052.example.com.')).toBe('*.example.com');
  });
});
