import { describe, expect, it } from 'vitest';
import {
  cloneEndpoint,
  deleteProviderSpecific,
  describeEndpoint,
  endpoint,
  endpointKey,
  endpointToJSON,
  getProviderSpecific,
  HERITAGE,
  isOwnedBy,
  parseLabels,
  sameTargets,
  serializeLabels,
  setProviderSpecific,
} from '@openova/dns-core';
import {
  canonicalIP,
  canonicalIPv6,
  canonicalTarget,
  sortTargets,
  suitableRecordType,
  targetsLess,
} from '@openova/dns-core/provider';

describe('sameTargets (ExternalDNS Targets.Same, plus deviation D6)', () => {
  it('ignores order', () => {
    expect(sameTargets(['192.0.2.1', '192.0.2.2'], ['192.0.2.2', '192.0.2.1'])).toBe(true);
  });
  it('ignores case', () => {
    expect(sameTargets(['LB.Example.net'], ['lb.example.NET'])).toBe(true);
    // ExternalDNS mis-pairs these after a case-sensitive sort; we compare canonical sets
    expect(sameTargets(['B', 'a'], ['A', 'b'])).toBe(true);
  });
  it('ignores IPv6 spelling', () => {
    expect(sameTargets(['2001:DB8:0:0:0:0:0:1'], ['2001:db8::1'])).toBe(true);
    expect(sameTargets(['2001:db8::1', '2001:db8::2'], ['2001:db8:0::2', '2001:DB8::1'])).toBe(true);
  });
  it('D6: ignores one trailing dot (ExternalDNS would flap here)', () => {
    expect(sameTargets(['lb.example.net.'], ['lb.example.net'])).toBe(true);
    expect(canonicalTarget('lb.example.net.')).toBe('lb.example.net');
  });
  it('detects real differences', () => {
    expect(sameTargets(['192.0.2.1'], ['192.0.2.2'])).toBe(false);
    expect(sameTargets(['192.0.2.1'], ['192.0.2.1', '192.0.2.2'])).toBe(false);
    expect(sameTargets(['a.example.net'], ['b.example.net'])).toBe(false);
    expect(sameTargets([], ['a'])).toBe(false);
    expect(sameTargets([], [])).toBe(true);
  });
});

describe('targetsLess (ExternalDNS Targets.IsLess, §1.5)', () => {
  it('a shorter list is less', () => {
    expect(targetsLess(['z'], ['a', 'b'])).toBe(true);
    expect(targetsLess(['a', 'b'], ['z'])).toBe(false);
  });
  it('compares IPs numerically, not as strings', () => {
    expect(targetsLess(['8.8.8.8'], ['127.0.0.1'])).toBe(true);
    expect(targetsLess(['127.0.0.1'], ['8.8.8.8'])).toBe(false);
    expect(targetsLess(['2001:db8::2'], ['2001:db8::10'])).toBe(true);
  });
  it('puts every IPv4 address before every IPv6 address (netip.Addr.Less)', () => {
    expect(targetsLess(['1.2.3.4'], ['::1'])).toBe(true);
    expect(targetsLess(['::1'], ['1.2.3.4'])).toBe(false);
    expect(targetsLess(['255.255.255.255'], ['::'])).toBe(true);
    expect(targetsLess(['1.2.3.4'], ['::ffff:1.2.3.4'])).toBe(true);
  });
  it('puts IPs before names, so 1.2.3.4 beats 1-2-3-4.example.com', () => {
    expect(targetsLess(['1.2.3.4'], ['1-2-3-4.example.com'])).toBe(true);
    expect(targetsLess(['1-2-3-4.example.com'], ['1.2.3.4'])).toBe(false);
  });
  it('uses plain string order for names and the first differing sorted element', () => {
    expect(targetsLess(['v1'], ['v2'])).toBe(true);
    expect(targetsLess(['b', 'a'], ['c', 'a'])).toBe(true);
    expect(targetsLess(['a', 'z'], ['b', 'c'])).toBe(true);
  });
  it('identical lists are not less', () => {
    expect(targetsLess(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(targetsLess([], [])).toBe(false);
  });
  // oracle class b2: IPv6 lists are sorted IP-aware (Targets.Less), not as strings
  it('sorts IPv6 lists by address, so spelling does not move an address', () => {
    // as strings `2001:0db8::2` sorts before `2001:db8::1`; by address it comes after
    expect(targetsLess(['2001:0db8::2', '2001:db8::1'], ['2001:db8::1', '2001:db8::3'])).toBe(true);
    expect(targetsLess(['2001:db8::1', '2001:db8::3'], ['2001:0db8::2', '2001:db8::1'])).toBe(false);
    expect(targetsLess(['2001:DB8::2', '2001:db8::1'], ['2001:db8::1', '2001:db8::3'])).toBe(true);
  });
  it('a pair differing only in spelling ends the comparison as "not less", as in ExternalDNS', () => {
    expect(targetsLess(['2001:DB8::1', '2001:DB8::2'], ['2001:db8::1', '2001:0db8::2'])).toBe(false);
    expect(targetsLess(['2001:db8::1', '2001:0db8::2'], ['2001:DB8::1', '2001:DB8::2'])).toBe(false);
    expect(targetsLess(['2001:db8:0:0::1', '2001:db8::2'], ['2001:db8::1', '2001:db8::3'])).toBe(false);
  });
  it('orders IPv4-mapped addresses by their Go text (::ffff:1.2.3.4)', () => {
    // Go text `::ffff:10.0.0.1` sorts before `::ffff:9.0.0.1`; RFC 5952 hex (`::ffff:a00:1`) would not
    const a = ['::ffff:9.0.0.5', '::ffff:10.0.0.1'];
    const b = ['::ffff:10.0.0.2', '::ffff:9.0.0.1'];
    expect(targetsLess(a, b)).toBe(true);
    expect(targetsLess(b, a)).toBe(false);
  });
});

describe('target helpers', () => {
  it('sortTargets de-duplicates and sorts, IPs by canonical text', () => {
    expect(sortTargets(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(sortTargets(['192.0.2.10', '192.0.2.9'])).toEqual(['192.0.2.10', '192.0.2.9']);
  });
  it('canonicalIP / canonicalIPv6', () => {
    expect(canonicalIPv6('2001:DB8::0:1')).toBe('2001:db8::1');
    expect(canonicalIPv6('192.0.2.1')).toBeUndefined();
    expect(canonicalIP('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIP('host')).toBeUndefined();
  });
  it('suitableRecordType', () => {
    expect(suitableRecordType('192.0.2.1')).toBe('A');
    expect(suitableRecordType('2001:db8::1')).toBe('AAAA');
    expect(suitableRecordType('lb.example.net')).toBe('CNAME');
  });
});

describe('endpoint identity and helpers', () => {
  it('the key is (normalised name, type, set identifier)', () => {
    const base = { dnsName: 'API.example.com.', recordType: 'A', setIdentifier: '' };
    expect(endpointKey(base)).toBe(
      endpointKey({ dnsName: 'api.example.com', recordType: 'A', setIdentifier: '' }),
    );
    expect(endpointKey({ dnsName: 'a.example.com', recordType: 'A', setIdentifier: '' })).not.toBe(
      endpointKey({ dnsName: 'a.example.com', recordType: 'AAAA', setIdentifier: '' }),
    );
    expect(endpointKey({ dnsName: 'a.example.com', recordType: 'A', setIdentifier: 'blue' })).not.toBe(
      endpointKey({ dnsName: 'a.example.com', recordType: 'A', setIdentifier: '' }),
    );
    expect(endpointKey({ dnsName: '點看.org', recordType: 'A', setIdentifier: '' })).toBe(
      endpointKey({ dnsName: 'xn--c1yn36f.org', recordType: 'A', setIdentifier: '' }),
    );
    expect(describeEndpoint({ dnsName: 'a.example.com', recordType: 'A', setIdentifier: 'blue' })).toBe(
      'a.example.com A [blue]',
    );
  });
  it('endpointToJSON omits empty values like Go omitempty, in struct order', () => {
    const ep = endpoint({ dnsName: 'a.example.com', recordType: 'A' });
    expect(endpointToJSON(ep)).toEqual({ dnsName: 'a.example.com', recordType: 'A' });
    const full = endpoint({
      dnsName: 'a.example.com',
      recordType: 'A',
      targets: ['192.0.2.1'],
      setIdentifier: 's',
      recordTTL: 60,
      labels: { owner: 'o' },
      providerSpecific: [{ name: 'n', value: 'v' }],
    });
    expect(Object.keys(endpointToJSON(full))).toEqual([
      'dnsName',
      'targets',
      'recordType',
      'setIdentifier',
      'recordTTL',
      'labels',
      'providerSpecific',
    ]);
  });
  it('cloneEndpoint is deep', () => {
    const ep = endpoint({
      dnsName: 'a',
      recordType: 'A',
      targets: ['1'],
      labels: { a: 'b' },
      providerSpecific: [{ name: 'n', value: 'v' }],
    });
    const copy = cloneEndpoint(ep);
    copy.targets.push('2');
    copy.labels['c'] = 'd';
    copy.providerSpecific[0]!.value = 'changed';
    expect(ep).toEqual(
      endpoint({
        dnsName: 'a',
        recordType: 'A',
        targets: ['1'],
        labels: { a: 'b' },
        providerSpecific: [{ name: 'n', value: 'v' }],
      }),
    );
  });
  it('provider-specific get/set/delete follow ExternalDNS (replace in place, else append)', () => {
    const ep = endpoint({
      dnsName: 'a',
      recordType: 'A',
      providerSpecific: [
        { name: 'x', value: '1' },
        { name: 'y', value: '2' },
      ],
    });
    setProviderSpecific(ep, 'x', '3');
    setProviderSpecific(ep, 'z', '4');
    expect(ep.providerSpecific).toEqual([
      { name: 'x', value: '3' },
      { name: 'y', value: '2' },
      { name: 'z', value: '4' },
    ]);
    expect(getProviderSpecific(ep, 'y')).toBe('2');
    expect(getProviderSpecific(ep, 'nope')).toBeUndefined();
    deleteProviderSpecific(ep, 'x');
    expect(ep.providerSpecific.map((p) => p.name)).toEqual(['y', 'z']);
  });
  it('isOwnedBy needs the owner label present (absent is not "")', () => {
    expect(isOwnedBy(endpoint({ dnsName: 'a', recordType: 'A', labels: { owner: '' } }), '')).toBe(true);
    expect(isOwnedBy(endpoint({ dnsName: 'a', recordType: 'A' }), '')).toBe(false);
    expect(isOwnedBy(endpoint({ dnsName: 'a', recordType: 'A', labels: { owner: 'me' } }), 'you')).toBe(
      false,
    );
  });
});

describe('ownership labels in TXT values', () => {
  it('serialises heritage first, then keys sorted byte-wise, quoted', () => {
    expect(serializeLabels({ resource: 'ingress/default/api', owner: 'openova' })).toBe(
      '"heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/api"',
    );
    expect(serializeLabels({ owner: 'o', ownedRecord: 'r' }, { quoted: false })).toBe(
      'heritage=external-dns,external-dns/ownedRecord=r,external-dns/owner=o',
    );
    expect(serializeLabels({})).toBe('"heritage=external-dns"');
    expect(serializeLabels({ owner: 'o', 'txt-encryption-nonce': 'n' })).toBe(
      '"heritage=external-dns,external-dns/owner=o"',
    );
    expect(HERITAGE).toBe('external-dns');
  });
  it('parses values back, and serialise → parse is the identity', () => {
    const labels = { owner: 'openova', resource: 'crd/ns/x=y', 'key-id': '1' };
    expect(parseLabels(serializeLabels(labels))).toEqual(labels);
    expect(parseLabels(serializeLabels(labels, { quoted: false }))).toEqual(labels);
  });
  it('follows ExternalDNS parsing rules', () => {
    expect(
      parseLabels('"heritage=external-dns,external-dns/owner=a,foo=bar,external-dns/resource=crd/ns/x=y"'),
    ).toEqual({
      owner: 'a',
      resource: 'crd/ns/x=y',
    });
    expect(parseLabels('""heritage=external-dns,external-dns/owner=a""')).toEqual({ owner: 'a' });
    expect(parseLabels('heritage=external-dns,novalue,external-dns/owner=a')).toEqual({ owner: 'a' });
    expect(parseLabels('heritage=external-dns,external-dnsfoo=x')).toEqual({ 'external-dnsfoo': 'x' });
    expect(parseLabels('"heritage=mate,external-dns/owner=a"')).toBeUndefined();
    expect(parseLabels('"external-dns/owner=a"')).toBeUndefined();
    expect(parseLabels('v=spf1 -all')).toBeUndefined();
    expect(parseLabels('')).toBeUndefined();
  });
  it('stores a __proto__ key as data', () => {
    const labels = parseLabels('heritage=external-dns,external-dns/__proto__=x');
    expect(Object.keys(labels!)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});
