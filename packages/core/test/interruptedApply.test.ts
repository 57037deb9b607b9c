import { describe, expect, it } from 'vitest';
import { DnsError, InterruptedApplyError, ProviderError } from '../src/index.js';

describe('InterruptedApplyError', () => {
  it("carries the failed write's code, retry hints and status, and names what was and was not written", () => {
    const cause = new ProviderError('hetzner: POST /records answered 429', {
      provider: 'hetzner',
      code: 'PROVIDER_RATE_LIMITED',
      retryable: true,
      retryAfter: 7,
      status: 429,
    });
    const error = new InterruptedApplyError('hetzner', cause, {
      applied: ['a.example.com A'],
      notApplied: ['b.example.com A', 'c.example.com A'],
      undone: ['_o.b.example.com TXT'],
    });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toBeInstanceOf(DnsError);
    expect(error).toMatchObject({
      name: 'InterruptedApplyError',
      provider: 'hetzner',
      code: 'PROVIDER_RATE_LIMITED',
      retryable: true,
      retryAfter: 7,
      status: 429,
      cause,
      applied: ['a.example.com A'],
      notApplied: ['b.example.com A', 'c.example.com A'],
      undone: ['_o.b.example.com TXT'],
    });
    expect(error.message).toBe(
      'hetzner: 2 record set change(s) not applied (b.example.com A, c.example.com A); 1 applied (a.example.com A); markers removed again (_o.b.example.com TXT): hetzner: POST /records answered 429',
    );
  });

  it('a cause that is no DnsError gives PROVIDER, not retryable', () => {
    const error = new InterruptedApplyError('azure', new TypeError('boom'), {
      applied: [],
      notApplied: ['x.example.com A'],
    });
    expect(error).toMatchObject({ code: 'PROVIDER', retryable: false, retryAfter: undefined, undone: [] });
    expect(error.message).toBe(
      'azure: 1 record set change(s) not applied (x.example.com A); 0 applied: boom',
    );
  });
});
