import { describe, expect, it } from 'vitest';
import { describeNetworkFailure, isConnectionRefused, parseRetryAfter } from '@openova/dns-core/http';

const withCode = (message: string, code: string, cause?: unknown) =>
  Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });

describe('HTTP helpers for provider clients', () => {
  it('finds a refused connection anywhere in the cause chain', () => {
    expect(
      isConnectionRefused(
        new Error('fetch failed', { cause: withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED') }),
      ),
    ).toBe(true);
    expect(isConnectionRefused(withCode('socket hang up', 'ECONNRESET'))).toBe(false);
    expect(isConnectionRefused('nope')).toBe(false);
  });

  it('describes a failure with its codes and causes on one line', () => {
    const error = new Error('fetch failed', {
      cause: withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
    });
    expect(describeNetworkFailure(error)).toBe(
      'fetch failed ← ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeNetworkFailure('plain')).toBe('plain');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-28T00:00:00Z');
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter(['2.1'])).toBe(3);
    expect(parseRetryAfter('Sat, 28 Nov 2026 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
