import { describe, expect, it } from 'vitest';
import { Redactor } from '@openova/dns-core/http';

describe('Redactor', () => {
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
