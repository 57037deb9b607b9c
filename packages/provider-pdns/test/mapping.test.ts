import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteTxtString } from '@openova/dns-core/provider';
import { fromPowerDnsContent, toPowerDnsContent, txtChunks } from '../src/mapping.js';

/** The general TXT path, without the shortcuts for one plain or one simple quoted string. */
const generalTxtContent = (target: string) => (txtChunks(target) ?? [target]).map(quoteTxtString).join(' ');

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
