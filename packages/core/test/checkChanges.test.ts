import { describe, expect, it } from 'vitest';
import { DomainFilter, endpoint, ValidationError, type Changes } from '@openova/dns-core';
import { assertValidChangeSet } from '@openova/dns-core/provider';

const rules = {
  provider: 'demo',
  domainFilter: new DomainFilter({ include: ['example.com'] }),
  recordTypes: ['A', 'TXT'],
  setIdentifiers: false,
};

describe('assertValidChangeSet', () => {
  it('passes a valid change set', () => {
    const changes: Changes = {
      create: [endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] })],
      updateOld: [],
      updateNew: [],
      delete: [endpoint({ dnsName: 'b.example.com', recordType: 'A', targets: ['not-checked-on-removal'] })],
    };
    expect(() => assertValidChangeSet(changes, rules)).not.toThrow();
  });

  it('lists every problem with its path, including provider checks, before anything is sent', () => {
    const changes: Changes = {
      create: [
        endpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['300.1.1.1'] }),
        endpoint({ dnsName: 'b.example.com', recordType: 'A', targets: [] }),
        endpoint({
          dnsName: 'c.example.org',
          recordType: 'MX',
          targets: ['10 mx.example.org'],
          setIdentifier: 'eu',
        }),
      ],
      updateOld: [],
      updateNew: [],
      delete: [],
    };
    const error = (() => {
      try {
        assertValidChangeSet(changes, {
          ...rules,
          checkWrite: (ep, path, issues) =>
            ep.dnsName.startsWith('a.') &&
            issues.push({ path: [...path, 'labels'], code: 'custom', message: 'no' }),
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues.map((i) => `${i.path.join('.')} ${i.code}`);
    expect(issues).toEqual([
      'create.0.targets.0 invalid_ipv4',
      'create.0.labels custom',
      'create.1.targets no_targets',
      'create.2.recordType unmanaged_record_type',
      'create.2.setIdentifier set_identifier_unsupported',
      'create.2.dnsName outside_domain_filter',
    ]);
    expect((error as ValidationError).message).toMatch(
      /^demo: the change set has invalid records; nothing was sent/,
    );
  });
});
