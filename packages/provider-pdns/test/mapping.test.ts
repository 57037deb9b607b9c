import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteTxtString } from '@openova/dns-core/provider';
import {
  canonicalTargetFor,
  contentForUnescapingServer,
  fromPowerDnsContent,
  portableString,
  toPowerDnsContent,
  txtChunks,
  unrepresentable,
} from '../src/mapping.js';

/** The general TXT path, without the shortcuts for one plain or one simple quoted string. */
const generalTxtContent = (target: string) =>
  (txtChunks(target) ?? [target]).map((t) => portableString(Buffer.from(t, 'utf8'))).join(' ');

const txtChar = fc.constantFrom('a', 'Z', '0', ' ', '=', ',', '/', '"', '\\', 'é', '\t', ';');

describe('TXT content', () => {
  it('the shortcuts give exactly what the general path gives', () => {
    fc.assert(
      fc.property(fc.array(txtChar, { maxLength: 300 }), fc.boolean(), (chars, quoted) => {
        const text = chars.join('');
        const target = quoted ? `"${text}"` : text;
        expect(toPowerDnsContent('TXT', target)).toBe(generalTxtContent(target));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes an ownership marker verbatim and reads it back as its text', () => {
    const marker = '"heritage=external-dns,external-dns/owner=me,external-dns/resource=service/ns/web"';
    expect(toPowerDnsContent('TXT', marker)).toBe(marker);
    expect(fromPowerDnsContent('TXT', marker)).toBe(marker.slice(1, -1));
    expect(toPowerDnsContent('TXT', 'v=spf1 -all')).toBe('"v=spf1 -all"');
    expect(toPowerDnsContent('TXT', 'x'.repeat(300))).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
  });
});

// Characters PowerDNS versions treat differently (seen by running 4.7.3, 4.9.18 and 5.1.5): quotes,
// backslashes, control characters, non-ASCII of 2, 3 and 4 UTF-8 bytes.
const anyChar = fc.constantFrom(
  'a',
  ' ',
  '"',
  '\\',
  '\t',
  '\n',
  '\u007f',
  '\u0001',
  'é',
  'ñ',
  '€',
  '😀',
  ';',
  '0',
);
const printable = /^[\x20-\x7e]*$/;

describe('quoted character strings (TXT, CAA, NAPTR, HINFO, URI)', () => {
  it('TXT text of any characters is written as printable ASCII and read back as the same text', () => {
    fc.assert(
      fc.property(fc.array(anyChar, { minLength: 1, maxLength: 300 }), (chars) => {
        const text = chars.join('');
        if (text.startsWith('"')) return;
        const content = toPowerDnsContent('TXT', text);
        expect(content).toMatch(printable);
        expect(fromPowerDnsContent('TXT', content)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('a CAA value of any characters is written as printable ASCII and read back as ExternalDNS keeps it', () => {
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 80 }), (chars) => {
        const target = `0 iodef ${quoteTxtString(chars.join(''))}`;
        const content = toPowerDnsContent('CAA', target);
        expect(content).toMatch(printable);
        expect(fromPowerDnsContent('CAA', content)).toBe(target);
        expect(canonicalTargetFor('CAA', target)).toBe(target);
      }),
      { numRuns: 500 },
    );
  });

  it('reads raw UTF-8 (ExternalDNS on 4.x), \\DDD escapes (5.1) and \\" alike', () => {
    const target = '0 iodef "mailto:ñ@example.com"';
    for (const stored of [target, '0 iodef "mailto:\\195\\177@example.com"'])
      expect(fromPowerDnsContent('CAA', stored)).toBe(target);
    expect(toPowerDnsContent('CAA', target)).toBe('0 iodef "mailto:\\195\\177@example.com"');
    expect(fromPowerDnsContent('CAA', '0 issue "a\\034b"')).toBe('0 issue "a\\"b"');
    expect(fromPowerDnsContent('CAA', '0 issue "a\\"b"')).toBe('0 issue "a\\"b"');
    expect(toPowerDnsContent('CAA', '0 issue "a\\"b\\\\c"')).toBe('0 issue "a\\034b\\092c"');
    // flags and tag canonical as core makes them
    expect(canonicalTargetFor('CAA', '00 IODEF "mailto:ñ@x.example"')).toBe('0 iodef "mailto:ñ@x.example"');
    expect(fromPowerDnsContent('TXT', '"caf\\195\\169 \\240\\159\\152\\128"')).toBe('café 😀');
    // bytes that are not UTF-8 stay escaped, and round-trip
    expect(fromPowerDnsContent('TXT', '"a\\200b"')).toBe('"a\\200b"');
    expect(toPowerDnsContent('TXT', fromPowerDnsContent('TXT', '"a\\200b"'))).toBe('"a\\200b"');
  });

  it('NAPTR, HINFO and URI strings are escaped alike; host names and numbers are left as they are', () => {
    const naptr = '100 10 "U" "E2U+sip" "!^(.*)$!\\\\1ñ@example.com!" example.com';
    const written = toPowerDnsContent('NAPTR', naptr);
    expect(written).toBe('100 10 "U" "E2U+sip" "!^(.*)$!\\0921\\195\\177@example.com!" example.com.');
    expect(fromPowerDnsContent('NAPTR', written)).toBe(naptr);
    expect(toPowerDnsContent('HINFO', '"PC ñ" "Linux"')).toBe('"PC \\195\\177" "Linux"');
    expect(fromPowerDnsContent('HINFO', '"PC \\195\\177" "Linux"')).toBe('"PC ñ" "Linux"');
    expect(toPowerDnsContent('URI', '10 1 "https://example.com/ñ"')).toBe(
      '10 1 "https://example.com/\\195\\177"',
    );
  });

  it('for 5.1, every backslash of the portable form is doubled; LUA and other types are sent as they are', () => {
    expect(contentForUnescapingServer('TXT', '"say \\"hi\\" café"')).toBe(
      '"say \\\\034hi\\\\034 caf\\\\195\\\\169"',
    );
    expect(contentForUnescapingServer('CAA', '0 issue "a\\\\b"')).toBe('0 issue "a\\\\092b"');
    expect(contentForUnescapingServer('LUA', String.raw`TXT "'a\\b'"`)).toBe(String.raw`TXT "'a\\b'"`);
    expect(contentForUnescapingServer('A', '192.0.2.1')).toBe('192.0.2.1');
  });

  it('refuses what no escaping stores alike on every version, and nothing else', () => {
    expect(unrepresentable('CAA', '0 issue "bad\\999"')).toMatch(/do not parse/);
    expect(unrepresentable('NAPTR', `100 10 "U" "E2U+sip" "${'y'.repeat(256)}" .`)).toMatch(/256 octets/);
    expect(unrepresentable('HINFO', '"PC" "Linux')).toMatch(/do not parse/);
    expect(unrepresentable('SSHFP', '1 1 ñ')).toMatch(/printable ASCII/);
    for (const [type, target] of [
      ['CAA', '0 iodef "mailto:ñ@example.com"'],
      ['CAA', `0 issue "${'x'.repeat(300)}"`],
      ['TXT', 'café "x'],
      ['CNAME', 'bücher.example'],
      ['A', '192.0.2.1'],
      ['LUA', `TXT "'café'"`],
      ['NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:ñ@example.com!" .'],
    ] as const)
      expect(unrepresentable(type, target)).toBeUndefined();
  });
});
