import { describe, expect, it } from 'vitest';
import {
  absoluteHost,
  fromPresentation,
  toPresentation,
  txtStringsOf,
  txtTargetOf,
} from '../src/providerKit.js';

describe('presentation form (providers that take RDATA text)', () => {
  it('TXT: plain text split at 255 octets and quoted; read back as the same plain text', () => {
    const long = 'x'.repeat(300);
    expect(txtStringsOf(long)).toEqual(['x'.repeat(255), 'x'.repeat(45)]);
    expect(toPresentation('TXT', long)).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(fromPresentation('TXT', toPresentation('TXT', long))).toBe(long);
    expect(toPresentation('txt', 'say "hi"')).toBe('"say \\"hi\\""');
    expect(fromPresentation('TXT', '"say \\"hi\\""')).toBe('say "hi"');
  });

  it('TXT: a target in presentation form keeps its strings; strings that plain text would not give stay quoted', () => {
    expect(txtStringsOf('"a" "b"')).toEqual(['a', 'b']);
    expect(txtTargetOf(['a', 'b'])).toBe('"a" "b"');
    expect(txtTargetOf(['hello world'])).toBe('hello world');
    // an unbalanced quote is text, not presentation form
    expect(txtStringsOf('"abc')).toEqual(['"abc']);
    // read back in presentation form (plain text starting with a quote would read as presentation
    // form), which is stable from then on
    const once = fromPresentation('TXT', toPresentation('TXT', '"abc'));
    expect(once).toBe('"\\"abc"');
    expect(fromPresentation('TXT', toPresentation('TXT', once))).toBe(once);
  });

  it('host names are written absolute and read back without the dot; relative ones through `host`', () => {
    expect(absoluteHost('.')).toBe('.');
    expect(toPresentation('CNAME', 'Target.Example.COM')).toBe('target.example.com.');
    expect(toPresentation('MX', '10 mail.example.com')).toBe('10 mail.example.com.');
    expect(toPresentation('SRV', '0 5 5060 sip.example.com')).toBe('0 5 5060 sip.example.com.');
    expect(fromPresentation('CNAME', 'target.example.com.')).toBe('target.example.com');
    expect(fromPresentation('MX', '10   mail.example.com.')).toBe('10 mail.example.com');
    const inZone = (name: string) => (name.endsWith('.') ? name.slice(0, -1) : `${name}.example.com`);
    expect(fromPresentation('SRV', '0 5 5060 sip', inZone)).toBe('0 5 5060 sip.example.com');
    expect(fromPresentation('NS', 'ns1', inZone)).toBe('ns1.example.com');
  });

  it('other types are canonical', () => {
    expect(toPresentation('AAAA', '2001:DB8:0::1')).toBe('2001:db8::1');
    expect(fromPresentation('A', ' 192.0.2.1 ')).toBe('192.0.2.1');
  });
});
