import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoint, formatIssuePath, validateEndpoint } from '@openova/dns-core';
import {
  canonicalizeTarget,
  formatTxtStrings,
  parseTxtStrings,
  targetValidators,
} from '@openova/dns-core/provider';

/** Issues for one target of one type, as `message` lines (empty = valid). */
function check(recordType: string, target: string): string[] {
  const validator = targetValidators[recordType];
  if (!validator) throw new Error(`no validator for ${recordType}`);
  const issues = validator(target, ['targets', 0]);
  for (const i of issues) expect(formatIssuePath(i.path)).toBe('targets[0]');
  return issues.map((i) => i.message);
}

const valid = (recordType: string, targets: string[]) => {
  for (const t of targets) expect(check(recordType, t), `${recordType} ${t}`).toEqual([]);
};
const invalid = (recordType: string, targets: string[]) => {
  for (const t of targets) expect(check(recordType, t).length, `${recordType} ${t}`).toBeGreaterThan(0);
};

describe('A and AAAA', () => {
  it('A takes dotted-quad IPv4 only', () => {
    valid('A', ['192.0.2.1', '0.0.0.0', '255.255.255.255']);
    invalid('A', ['300.1.1.1', '1.2.3', '01.2.3.4', '2001:db8::1', 'host.example.com', ' 192.0.2.1', '']);
    expect(check('A', '2001:db8::1')).toEqual(['"2001:db8::1" is not an IPv4 address']);
  });
  it('AAAA takes IPv6 in any spelling, without zone index', () => {
    valid('AAAA', ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', '::1', '::ffff:192.0.2.1', '::']);
    invalid('AAAA', ['192.0.2.1', 'fe80::1%eth0', '2001:db8::g', '2001:db8:::1', 'host.example.com']);
    expect(check('AAAA', '192.0.2.1')).toEqual(['"192.0.2.1" is not an IPv6 address']);
  });
  it('canonical form: IPv6 compressed and lower case (RFC 5952)', () => {
    expect(canonicalizeTarget('AAAA', '2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalizeTarget('AAAA', '2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalizeTarget('A', '192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('host-name targets: CNAME, NS, PTR, DNAME', () => {
  it('accept host names with or without trailing dot, IDN included', () => {
    for (const type of ['CNAME', 'NS', 'PTR', 'DNAME'])
      valid(type, [
        'lb.example.net',
        'lb.example.net.',
        'LB.Example.NET',
        '_svc.example.net',
        '點看.org',
        'localhost',
      ]);
  });
  it('reject malformed names', () => {
    for (const type of ['CNAME', 'NS', 'PTR'])
      invalid(type, [
        '',
        'a..b',
        '*.example.com',
        'a b.example.com',
        `${'x'.repeat(64)}.example.com`,
        'a*b.example.com',
      ]);
    expect(check('CNAME', 'a..b')).toEqual(['"a..b": target "a..b" has an empty label']);
    expect(check('NS', '')).toEqual(['"": missing name server']);
  });
  it('PTR targets must not be IP addresses', () => {
    expect(check('PTR', '192.0.2.1')).toEqual([
      '"192.0.2.1": a PTR target must be a host name, not an IP address',
    ]);
    invalid('PTR', ['2001:db8::1']);
  });
  it('canonical form: lower case, punycode, no trailing dot', () => {
    expect(canonicalizeTarget('CNAME', 'LB.Example.NET.')).toBe('lb.example.net');
    expect(canonicalizeTarget('NS', 'ns1.點看.org.')).toBe('ns1.xn--c1yn36f.org');
    expect(canonicalizeTarget('PTR', 'Host.Example.com')).toBe('host.example.com');
  });
});

describe('MX', () => {
  it('needs "<preference 0-65535> <host>"', () => {
    valid('MX', ['10 mx.example.com', '0 mx.example.com.', '65535 mx.example.com', '0 .']);
    expect(check('MX', 'mx.example.com')).toEqual(['"mx.example.com": MX needs "<preference> <host>"']);
    expect(check('MX', '10 mx.example.com extra')).toEqual([
      '"10 mx.example.com extra": MX needs "<preference> <host>"',
    ]);
    expect(check('MX', '65536 mx.example.com')).toEqual([
      '"65536 mx.example.com": preference must be an integer from 0 to 65535',
    ]);
    invalid('MX', [
      '-1 mx.example.com',
      'ten mx.example.com',
      '1.5 mx.example.com',
      '10 mx..example.com',
      '',
    ]);
  });
  it('canonical form: number without leading zeros, host canonical', () => {
    expect(canonicalizeTarget('MX', '010  MX.Example.COM.')).toBe('10 mx.example.com');
    expect(canonicalizeTarget('MX', '0 .')).toBe('0 .');
    expect(canonicalizeTarget('MX', 'garbage')).toBe('garbage');
  });
});

describe('SRV', () => {
  it('needs "<priority> <weight> <port> <target>", each number 0-65535', () => {
    valid('SRV', ['1 50 5060 sip1-n1.example.org', '0 0 0 .', '65535 65535 65535 sip.example.org.']);
    expect(check('SRV', '1 50 sip.example.org')).toEqual([
      '"1 50 sip.example.org": SRV needs "<priority> <weight> <port> <target>"',
    ]);
    expect(check('SRV', '1 50 70000 sip.example.org')).toEqual([
      '"1 50 70000 sip.example.org": port must be an integer from 0 to 65535',
    ]);
    expect(check('SRV', 'x y 1 sip.example.org')).toHaveLength(2);
    invalid('SRV', ['1 2 3 4 5', '1 2 3 *.example.org']);
  });
  it('canonical form', () => {
    expect(canonicalizeTarget('SRV', '01 050 5060 SIP.Example.org.')).toBe('1 50 5060 sip.example.org');
  });
});

describe('TXT', () => {
  it('accepts plain text of any length (the provider quotes and splits it)', () => {
    valid('TXT', ['v=spf1 -all', 'x'.repeat(1000), '', 'heritage=external-dns,external-dns/owner=a']);
  });
  it('accepts complete quoted strings of at most 255 octets each', () => {
    valid('TXT', [
      '"heritage=external-dns,external-dns/owner=default"',
      '"a" "b"',
      '"with \\"escaped\\" quotes"',
      `"${'x'.repeat(255)}" "${'y'.repeat(255)}"`,
      '"\\255"',
      '""',
    ]);
  });
  it('rejects broken quoting', () => {
    for (const t of ['"unterminated', '"a" b', '"a"b"', '"ends with backslash\\', '"\\256"'])
      expect(check('TXT', t), t).toEqual([
        `${JSON.stringify(t)} starts with a quote but is not a list of complete quoted strings`,
      ]);
  });
  it('counts octets, not characters: escapes are one octet, non-ASCII is its UTF-8 length', () => {
    expect(check('TXT', `"${'x'.repeat(256)}"`)).toEqual([
      `TXT string 1 of ${JSON.stringify(`"${'x'.repeat(39)}…`)} is 256 octets; at most 255 are allowed`,
    ]);
    expect(check('TXT', `"${'\\120'.repeat(255)}"`)).toEqual([]); // 255 escaped octets
    expect(check('TXT', `"${'é'.repeat(127)}x"`)).toEqual([]); // 255 octets
    expect(check('TXT', `"${'é'.repeat(128)}"`)).toHaveLength(1); // 256 octets
    expect(check('TXT', `"ok" "${'x'.repeat(300)}"`)[0]).toMatch(/^TXT string 2 of/);
  });
  it('parseTxtStrings and formatTxtStrings round-trip, splitting at 255 octets', () => {
    expect(parseTxtStrings('"a b" "c\\"d" "\\065"')).toEqual(['a b', 'c"d', 'A']);
    expect(parseTxtStrings('plain')).toBeUndefined();
    expect(parseTxtStrings('')).toBeUndefined();
    const long = 'é'.repeat(200); // 400 octets: must split between characters
    const formatted = formatTxtStrings(long);
    const strings = parseTxtStrings(formatted)!;
    expect(strings.join('')).toBe(long);
    for (const s of strings) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
    expect(check('TXT', formatted)).toEqual([]);
    expect(parseTxtStrings(formatTxtStrings('a "quoted" \\ backslash'))).toEqual(['a "quoted" \\ backslash']);
    expect(formatTxtStrings('')).toBe('""');
  });
  it('canonical form leaves TXT data unchanged', () => {
    expect(canonicalizeTarget('TXT', '"A"  "b"')).toBe('"A"  "b"');
  });
});

describe('CAA', () => {
  it('needs "<flags 0-255> <tag> \\"<value>\\""', () => {
    valid('CAA', [
      '0 issue "letsencrypt.org"',
      '128 iodef "mailto:security@example.com"',
      '0 issuewild ";"',
      '0 issue ""',
    ]);
    expect(check('CAA', '0 issue')).toEqual(['"0 issue": CAA needs "<flags> <tag> \\"<value>\\""']);
    expect(check('CAA', '256 issue "ca.example"')).toEqual([
      '"256 issue \\"ca.example\\"": flags must be an integer from 0 to 255',
    ]);
    expect(check('CAA', '0 is-sue "ca.example"')).toEqual([
      '"0 is-sue \\"ca.example\\"": CAA tag must be letters and digits',
    ]);
    expect(check('CAA', '0 issue ca.example')).toEqual([
      '"0 issue ca.example": CAA value must be one quoted string',
    ]);
    invalid('CAA', ['0 issue "a" "b"', 'x issue "a"']);
  });
  it('canonical form: tag lower-cased, flags as a number', () => {
    expect(canonicalizeTarget('CAA', '000 ISSUE "LetsEncrypt.org"')).toBe('0 issue "LetsEncrypt.org"');
  });
});

describe('NAPTR', () => {
  it('needs order, preference, three quoted strings and a replacement', () => {
    valid('NAPTR', [
      '100 10 "S" "SIP+D2U" "" _sip._udp.example.org.',
      '10 100 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    ]);
    invalid('NAPTR', [
      '10 "U" "SIP+DTU" "" _sip._udp.sip1.example.org.', // preference missing
      '70000 10 "S" "SIP+D2U" "" .',
      '10 10 S "SIP+D2U" "" .',
      '10 10 "S" "SIP+D2U" "" bad..name',
    ]);
  });
});

describe('every target of an endpoint is checked with its path', () => {
  it('reports each bad target at its index', () => {
    const issues = validateEndpoint(
      endpoint({
        dnsName: 'a.example.com',
        recordType: 'MX',
        targets: ['10 mx.example.com', 'mx2', '70000 mx3.example.com'],
      }),
      [5],
    );
    expect(issues.map((i) => formatIssuePath(i.path))).toEqual(['[5].targets[1]', '[5].targets[2]']);
  });
  it('canonicalizeTarget leaves unknown types and invalid values alone', () => {
    expect(canonicalizeTarget('LUA', 'A "1.2.3.4"')).toBe('A "1.2.3.4"');
    expect(canonicalizeTarget('AAAA', 'not-an-ip')).toBe('not-an-ip');
    expect(canonicalizeTarget('SRV', '1 2 x y')).toBe('1 2 x y');
  });
});

describe('validators never throw (property-based)', () => {
  it('every validator and canonicaliser handles any string', () => {
    const anyTarget = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.domain(),
      fc.ipV6(),
      fc.constantFrom('"', '\\', '"\\', '0 .', '1 2 3 .', '"a" "', '\\999'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(targetValidators)), anyTarget, (type, target) => {
        const issues = targetValidators[type]!(target, ['targets', 0]);
        for (const i of issues) expect(i.message.length).toBeGreaterThan(0);
        const canonical = canonicalizeTarget(type, target);
        // canonical form of a valid target is still valid, and canonicalising is idempotent
        if (issues.length === 0) {
          expect(targetValidators[type]!(canonical, [])).toEqual([]);
          expect(canonicalizeTarget(type, canonical)).toBe(canonical);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
