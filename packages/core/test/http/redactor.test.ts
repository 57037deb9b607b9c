import { describe, expect, it } from 'vitest';
import { Redactor } from '@openova/dns-core/http';

describe('Redactor', () => {
  it('hides a secret however a server or proxy echoes it: percent-encoded, JSON- or HTML-escaped, base64, upper or lower case', () => {
    const key = 'kR3v+9Qx/Zp7Lw==';
    const quoted = 'a"b\\c<d>-0123456789';
    const redactor = new Redactor([key, quoted]);
    const echoes = [
      `key=${encodeURIComponent(key)}`,
      `key=${encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`,
      `{"x-api-key":${JSON.stringify(quoted)}}`,
      `<td>a&quot;b\\c&lt;d&gt;-0123456789</td>`,
      `authorization: Basic ${Buffer.from(key).toString('base64')}`,
      `X-API-KEY: ${key.toUpperCase()}`,
    ];
    for (const text of echoes) {
      const out = redactor.redact(text);
      expect(out, text).toContain('[redacted]');
      for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64'), 'b\\c<d>'])
        expect(out.toLowerCase()).not.toContain(form.toLowerCase());
    }
  });

  it('replaces every secret in one pass: a short secret never garbles a replacement', () => {
    const r = new Redactor(['t', 'tok-abc', 'a.b']);
    expect(r.redact('POST /projects/p tok-abc a.b axb')).toBe(
      'POST /projec[redacted]s/p [redacted] [redacted] axb',
    );
  });

  it('hides a secret that contains another one whole, and treats regex characters literally', () => {
    const r = new Redactor(['abc', 'xabcx', '(.*)']);
    expect(r.redact('xabcx abc (.*) ...')).toBe('[redacted] [redacted] [redacted] ...');
    expect(new Redactor([]).redact('nothing')).toBe('nothing');
  });
});
