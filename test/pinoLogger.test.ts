// reconcile given a real pino logger: the structured fields reach pino's output as fields.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InMemoryProvider, reconcile, TxtRegistry } from '@openova/dns-core';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('pino', () => {
  it('is accepted as it is: fields are fields, the message is the message', async () => {
    const { lines, logger } = capture();
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    await reconcile({
      registry,
      desired: [
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'geo.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
      ],
      policy: 'sync',
      logger, // pino fits the Logger type as it is: its argument order is what toLogger fixes
    });
    await new Promise((resolve) => setImmediate(resolve));
    const planned = lines.find((l) => l['msg'] === 'plan computed');
    expect(planned).toMatchObject({ create: 1, update: 0, delete: 0, hasChanges: true, level: 30 });
    const skipped = lines.find((l) => l['msg'] === 'desired record not written');
    expect(skipped).toMatchObject({ record: 'geo.example.com', code: 'not-managed-type', level: 40 });
  });
});
