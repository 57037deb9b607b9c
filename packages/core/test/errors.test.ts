import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  ConfigError,
  DnsError,
  formatIssuePath,
  formatIssues,
  isDnsError,
  ProviderError,
  ValidationError,
} from '@openova/dns-core';
import { throwIfAborted } from '@openova/dns-core/provider';
import type * as ErrorsTypes from '../src/errors.js';

type ErrorsModule = typeof ErrorsTypes;

// A second module instance of errors.ts stands in for a duplicate copy of the package (two versions
// installed side by side): its classes are different objects from the ones imported above.
async function loadSecondCopy(): Promise<ErrorsModule> {
  const url = new URL('../src/errors.ts?second-copy', import.meta.url).href;
  return (await import(/* @vite-ignore */ url)) as ErrorsModule;
}

describe('DnsError', () => {
  it('carries a string code, a name and an optional cause', () => {
    const cause = new Error('socket closed');
    const error = new DnsError('PROVIDER', 'boom', { cause });
    expect(error.code).toBe('PROVIDER');
    expect(error.name).toBe('DnsError');
    expect(error.message).toBe('boom');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(new DnsError('CONFIG', 'x')).not.toHaveProperty('cause');
  });

  it('gives every subclass its code and name', () => {
    const cases: [DnsError, string, string][] = [
      [new ValidationError([{ path: [0], code: 'x', message: 'bad' }]), 'VALIDATION', 'ValidationError'],
      [new ConfigError('bad config'), 'CONFIG', 'ConfigError'],
      [new ProviderError('down', { provider: 'pdns' }), 'PROVIDER', 'ProviderError'],
      [new AbortedError(), 'ABORTED', 'AbortedError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(DnsError);
      expect(isDnsError(error)).toBe(true);
    }
  });

  it('ProviderError keeps provider, status, retryable, retryAfter and a custom code', () => {
    const error = new ProviderError('no zone', {
      provider: 'pdns',
      status: 503,
      retryable: true,
      retryAfter: 5,
      code: 'UNKNOWN_ZONE',
    });
    expect(error).toMatchObject({
      provider: 'pdns',
      status: 503,
      retryable: true,
      retryAfter: 5,
      code: 'UNKNOWN_ZONE',
    });
    const plain = new ProviderError('x', { provider: 'inmemory' });
    expect(plain.retryable).toBe(false);
    expect(plain.status).toBeUndefined();
  });

  it('isDnsError rejects everything that is not an SDK error', () => {
    for (const value of [new Error('x'), null, undefined, 'DnsError', { code: 'VALIDATION' }, 42]) {
      expect(isDnsError(value)).toBe(false);
      expect(value instanceof DnsError).toBe(false);
    }
  });

  it('recognises an object carrying the Symbol.for brand (another copy of the package)', () => {
    const foreign = Object.assign(new Error('from another copy'), { code: 'PROVIDER' });
    Object.defineProperty(foreign, Symbol.for('@openova/dns-core/DnsError'), { value: true });
    expect(isDnsError(foreign)).toBe(true);
    expect(foreign instanceof DnsError).toBe(true);
  });

  it('recognises errors from a second loaded copy of errors.ts, subclasses included', async () => {
    const copy = await loadSecondCopy();
    expect(copy.DnsError).not.toBe(DnsError);
    const validation = new copy.ValidationError([{ path: ['a'], code: 'x', message: 'bad' }]);
    expect(validation instanceof DnsError).toBe(true);
    expect(validation instanceof ValidationError).toBe(true);
    expect(validation instanceof ConfigError).toBe(false);
    expect(isDnsError(validation)).toBe(true);
    const provider = new copy.ProviderError('down', { provider: 'pdns' });
    expect(provider instanceof ProviderError).toBe(true);
    expect(provider instanceof ValidationError).toBe(false);
    // and the other way round
    expect(new ConfigError('x') instanceof copy.ConfigError).toBe(true);
    expect(new ConfigError('x') instanceof copy.DnsError).toBe(true);
    expect(copy.isDnsError(new AbortedError())).toBe(true);
  });

  it('ordinary subclass checks still work within one copy', () => {
    expect(new ConfigError('x') instanceof ValidationError).toBe(false);
    expect(new ValidationError([]) instanceof ValidationError).toBe(true);
    expect(new Error('x') instanceof ValidationError).toBe(false);
  });
});

describe('issue formatting', () => {
  it('renders paths like JavaScript accessors', () => {
    expect(formatIssuePath([3, 'targets', 0])).toBe('[3].targets[0]');
    expect(formatIssuePath(['dnsName'])).toBe('dnsName');
    expect(formatIssuePath(['labels', 'external-dns/owner'])).toBe('labels["external-dns/owner"]');
    expect(formatIssuePath(['create', 2, 'providerSpecific', 0, 'name'])).toBe(
      'create[2].providerSpecific[0].name',
    );
    expect(formatIssuePath([])).toBe('');
  });

  it('ValidationError lists every issue, one per line, with a count', () => {
    const error = new ValidationError([
      { path: [3, 'targets', 0], code: 'invalid_ipv4', message: '"300.1.1.1" is not an IPv4 address' },
      { path: [], code: 'invalid_type', message: 'expected a list of endpoints' },
    ]);
    expect(error.message).toBe(
      '2 validation issues:\n[3].targets[0]: "300.1.1.1" is not an IPv4 address\nexpected a list of endpoints',
    );
    expect(error.issues).toHaveLength(2);
    expect(formatIssues(error.issues.slice(0, 1))).toBe('[3].targets[0]: "300.1.1.1" is not an IPv4 address');
    expect(new ValidationError(error.issues.slice(0, 1), { summary: 'bad plan' }).message).toMatch(
      /^bad plan:\n/,
    );
  });

  it('throwIfAborted throws AbortedError with the reason as cause', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    controller.abort('stop');
    try {
      throwIfAborted(controller.signal);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AbortedError);
      expect((error as AbortedError).cause).toBe('stop');
    }
  });
});

describe('rebaseIssues and related paths', () => {
  // A provider's issue about two of its endpoints named the other one as `endpoints[0]` while its
  // path was rebased to `desired[1]`: the message and the paths must speak of the same input.
  it('rebases related with path and rewrites the message mention of it', async () => {
    const { rebaseIssues, ValidationError: VE } = await import('../src/errors.js');
    const error = new VE([
      {
        path: [2, 'providerSpecific'],
        related: [0],
        code: 'disagree',
        message: 'x.example.com A [0]: proxied is false, but [0] at the same name says true',
      },
      { path: [1], code: 'plain', message: 'no related [1] here' },
    ]);
    const rebased = rebaseIssues(error, (path) =>
      typeof path[0] === 'number' ? ['desired', ...path] : undefined,
    );
    expect(rebased.issues).toEqual([
      {
        path: ['desired', 2, 'providerSpecific'],
        related: ['desired', 0],
        code: 'disagree',
        // the set identifier `[0]` in the description is left alone: the last mention is replaced
        message: 'x.example.com A [0]: proxied is false, but desired[0] at the same name says true',
      },
      { path: ['desired', 1], code: 'plain', message: 'no related [1] here' },
    ]);
    expect(rebased.message).toContain(
      'desired[2].providerSpecific: x.example.com A [0]: proxied is false, but desired[0]',
    );
    // a related path the rebase does not own is kept, and so is the message
    const kept = rebaseIssues(error, (path) => (path[0] === 2 ? ['create', 0] : undefined));
    expect(kept.issues[0]).toMatchObject({
      path: ['create', 0],
      related: [0],
      message: error.issues[0]!.message,
    });
  });
});
