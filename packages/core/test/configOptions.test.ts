import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DomainFilter,
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  type ReconcileOptions,
} from '@openova/dns-core';

// Options of the wrong shape are said as ConfigError (CONFIG) naming the option and what it takes,
// before anything is read: never a TypeError from deep inside a run.
const desired = [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }];
const setup = () => {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  return { provider, registry: new TxtRegistry(provider, { ownerId: 'me' }) };
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('reconcile options of the wrong shape', () => {
  const cases: [string, Partial<Record<keyof ReconcileOptions, unknown>>, RegExp][] = [
    [
      'policy "yolo"',
      { policy: 'yolo' },
      /^policy must be one of "sync", "upsert-only", "create-only", got "yolo"$/,
    ],
    [
      'policy "Sync" (case matters, as in ExternalDNS)',
      { policy: 'Sync' },
      /^policy must be one of .*got "Sync"$/,
    ],
    ['no policy', { policy: undefined }, /^policy is required, one of "sync", "upsert-only", "create-only"/],
    [
      'managedRecordTypes with a number',
      { managedRecordTypes: ['A', 42] },
      /^managedRecordTypes, when set, must be a list of record type names .*got \["A",42\]$/,
    ],
    ['excludeRecordTypes not a list', { excludeRecordTypes: 'TXT' }, /^excludeRecordTypes, .*got "TXT"$/],
    [
      'domainFilter as a plain list',
      { domainFilter: ['example.com'] },
      /^domainFilter, when set, must be a DomainFilter .*got \["example.com"\]; for a list of domains use new DomainFilter\(\{ include: \[...\] \}\)$/,
    ],
  ];
  for (const [what, given, message] of cases)
    it(`${what}: ConfigError before anything is read`, async () => {
      const { provider, registry } = setup();
      const run = reconcile({
        registry,
        desired,
        policy: 'sync',
        dryRun: false,
        ...given,
      } as ReconcileOptions);
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('CONFIG');
      expect((error as Error).message).toMatch(message);
      expect(provider.calls).toEqual({ records: 0, applyChanges: 0, adjustEndpoints: 0 });
    });
});

describe('TxtRegistry options of the wrong shape', () => {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const make = (options: Record<string, unknown>) => () =>
    new TxtRegistry(provider, { ownerId: 'me', ...options });
  it.each([
    ['prefix', { prefix: 42 }, 'TXT registry: prefix, when set, must be a string, got 42'],
    ['suffix', { suffix: true }, 'TXT registry: suffix, when set, must be a string, got true'],
    [
      'wildcardReplacement',
      { wildcardReplacement: 1 },
      'TXT registry: wildcardReplacement, when set, must be a string, got 1',
    ],
    ['oldOwnerId', { oldOwnerId: 7 }, 'TXT registry: oldOwnerId, when set, must be a non-empty string'],
    [
      'managedRecordTypes',
      { managedRecordTypes: 'A' },
      'TXT registry: managedRecordTypes, when set, must be a list of record type names (e.g. ["A", "CNAME"]), got "A"',
    ],
    [
      'encryption without its key',
      { encryption: { enabled: true } },
      'TXT registry: encryption.aesKey is required: 32 raw bytes or base64 of 32 bytes (a string or a Uint8Array), got undefined',
    ],
    [
      'encryption null',
      { encryption: null },
      'TXT registry: encryption, when set, must be an object { aesKey, enabled? }, got null',
    ],
    [
      'encryption.enabled not a boolean',
      { encryption: { aesKey: 'k'.repeat(32), enabled: 'yes' } },
      'TXT registry: encryption.enabled, when set, must be true or false, got "yes"',
    ],
  ])('%s', (_, options, message) => {
    expect(configError(make(options)).message).toBe(message);
  });

  it('never shows the key when only the key is wrong', () => {
    const error = configError(make({ encryption: { aesKey: 12345678 } }));
    expect(error.message).toContain('got number');
    expect(error.message).not.toContain('12345678');
  });
});

describe('DomainFilter options of the wrong shape', () => {
  it.each([
    [
      { include: 'example.com' },
      'domain filter "include" must be a list of strings (e.g. ["example.com"]), got "example.com"',
    ],
    [
      { exclude: ['a.example.com', 3] },
      'domain filter "exclude" must be a list of strings (e.g. ["example.com"]), got ["a.example.com",3]',
    ],
    [{ regexInclude: 42 }, 'domain filter "regexInclude" must be a string or a RegExp, got 42'],
  ])('%j', (options, message) => {
    expect(configError(() => new DomainFilter(options as never)).message).toBe(message);
  });
  it('a list given for the options', () => {
    expect(configError(() => new DomainFilter(['example.com'] as never)).message).toMatch(
      /^a domain filter's options must be an object .*got \["example.com"\]$/,
    );
  });
});
