// Runs the TXT-registry conformance kinds (externaldns-semantics.md §7, runner rules in DEVIATIONS.md):
// toTXTName, toEndpointName, serializeLabels, parseLabels, decrypt, aesKey, records, applyChanges.
import { isDeepStrictEqual } from 'node:util';
import {
  decryptTxtValue,
  emptyChanges,
  isDnsError,
  normalizeDnsName,
  parseAesKey,
  parseEndpoints,
  parseLabels,
  serializeLabels,
  toEndpointName,
  toTxtName,
  TxtRegistry,
  type Changes,
  type TxtNameConfig,
  type TxtRegistryOptions,
} from '@openova/dns-core';
import type { ConformanceCase } from './cases.js';
import { diffEndpointLists } from './compare.js';
import { ListProvider } from './listProvider.js';
import type { CaseResult } from './planCases.js';

/** The kinds {@link runRegistryCase} understands. */
export const REGISTRY_CASE_KINDS: readonly string[] = [
  'toTXTName',
  'toEndpointName',
  'serializeLabels',
  'parseLabels',
  'decrypt',
  'aesKey',
  'records',
  'applyChanges',
];

interface RegistryConfig extends TxtNameConfig {
  ownerId: string;
  oldOwnerId?: string;
  managedRecordTypes?: string[];
  excludeRecordTypes?: string[];
}

type Obj = Record<string, unknown>;
const CHANGE_LISTS = ['create', 'updateOld', 'updateNew', 'delete'] as const;
const parse = (value: unknown) => parseEndpoints(value ?? [], { validateContent: false });
const show = (v: unknown) => JSON.stringify(v);
const result = (diffs: string[]): CaseResult =>
  diffs.length ? { ok: false, diff: diffs.join('\n  ') } : { ok: true };

function nameConfig(config: Obj | undefined): TxtNameConfig {
  const out: TxtNameConfig = {};
  for (const k of ['prefix', 'suffix', 'wildcardReplacement'] as const) {
    const v = config?.[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * Registry options for a vector's config. The vectors come from upstream tests that pass an empty
 * managed-types list when they name none, so an absent `managedRecordTypes` means "none" here (not
 * the registry's A/AAAA/CNAME default).
 */
export function registryOptions(config: RegistryConfig): TxtRegistryOptions {
  const options: TxtRegistryOptions = {
    ownerId: config.ownerId,
    ...nameConfig(config as unknown as Obj),
    managedRecordTypes: config.managedRecordTypes ?? [],
    excludeRecordTypes: config.excludeRecordTypes ?? [],
  };
  if (config.oldOwnerId) options.oldOwnerId = config.oldOwnerId;
  return options;
}

function concat(calls: readonly Changes[]): Changes {
  const all = emptyChanges();
  for (const c of calls) for (const list of CHANGE_LISTS) all[list].push(...c[list]);
  return all;
}

async function runRecords(input: Obj, expected: Obj): Promise<CaseResult> {
  const provider = new ListProvider(parse(input['providerRecords']));
  const registry = new TxtRegistry(provider, registryOptions(input['config'] as RegistryConfig));
  const records = await registry.records();
  const diff = diffEndpointLists(records, parse(expected['records']), 'records');
  return result(diff ? [diff] : []);
}

async function runApplyChanges(input: Obj, expected: Obj): Promise<CaseResult> {
  const provider = new ListProvider(parse(input['providerRecords'] ?? input['zone']));
  const registry = new TxtRegistry(provider, registryOptions(input['config'] as RegistryConfig));
  if (input['recordsCalledFirst'] === true) await registry.records();
  const raw = (input['changes'] ?? {}) as Obj;
  const changes: Changes = {
    create: parse(raw['create']),
    updateOld: parse(raw['updateOld']),
    updateNew: parse(raw['updateNew']),
    delete: parse(raw['delete']),
  };
  if (expected['error'] === true) {
    try {
      await registry.applyChanges(changes);
    } catch (error) {
      if (!isDnsError(error)) return { ok: false, diff: `threw a non-DnsError: ${String(error)}` };
      return provider.applied.length
        ? { ok: false, diff: `threw, but the provider received ${provider.applied.length} call(s)` }
        : { ok: true };
    }
    return { ok: false, diff: 'expected an error, the call succeeded' };
  }
  await registry.applyChanges(changes);
  const sent = concat(provider.applied);
  const diffs: string[] = [];
  for (const list of CHANGE_LISTS) {
    if (expected[list] === undefined) continue;
    const d = diffEndpointLists(sent[list], parse(expected[list]), list);
    if (d) diffs.push(d);
  }
  return result(diffs);
}

function runAesKey(input: Obj, expected: Obj): CaseResult {
  const keys = input['keys'] as string[];
  const results = expected['results'] as string[];
  const diffs: string[] = [];
  keys.forEach((key, i) => {
    const want = results[i] ?? '';
    let got: string;
    try {
      const bytes = parseAesKey(key);
      got = Buffer.from(bytes).equals(Buffer.from(key, 'utf8'))
        ? 'raw'
        : `hex ${Buffer.from(bytes).toString('hex')}`;
    } catch (error) {
      got = isDnsError(error) && error.code === 'CONFIG' ? 'error' : `unexpected ${String(error)}`;
    }
    const ok = want.startsWith('used as raw')
      ? got === 'raw'
      : want.startsWith('error')
        ? got === 'error'
        : got === `hex ${/hex ([0-9a-f]+)/.exec(want)?.[1] ?? '?'}`;
    if (!ok) diffs.push(`key ${i}: expected ${show(want)}, got ${got}`);
  });
  return result(diffs);
}

function runDecrypt(input: Obj, expected: Obj): CaseResult {
  const decrypted = decryptTxtValue(input['value'] as string, parseAesKey(input['aesKey'] as string));
  if (!decrypted) return { ok: false, diff: 'value did not decrypt' };
  const labels = parseLabels(decrypted.plaintext);
  const got = {
    plaintext: decrypted.plaintext,
    nonceBase64: decrypted.nonce,
    labels: labels ? { ...labels, 'txt-encryption-nonce': decrypted.nonce } : null,
  };
  const diffs: string[] = [];
  for (const k of ['plaintext', 'nonceBase64', 'labels'] as const) {
    if (expected[k] !== undefined && !isDeepStrictEqual(got[k], expected[k]))
      diffs.push(`${k}: expected ${show(expected[k])}, got ${show(got[k])}`);
  }
  return result(diffs);
}

/** Runs one registry-area conformance case; `{ ok: false, diff }` names every difference found. */
export async function runRegistryCase(c: ConformanceCase): Promise<CaseResult> {
  const input = c.input as Obj;
  const expected = c.expected as Obj;
  switch (c.kind) {
    case 'toTXTName': {
      const got = toTxtName(
        input['dnsName'] as string,
        input['recordType'] as string,
        nameConfig(input['config'] as Obj),
      );
      const want = expected['txtName'] as string;
      return normalizeDnsName(got) === normalizeDnsName(want)
        ? { ok: true }
        : { ok: false, diff: `txtName: expected ${show(want)}, got ${show(got)}` };
    }
    case 'toEndpointName': {
      const got = toEndpointName(input['txtName'] as string, nameConfig(input['config'] as Obj));
      const diffs: string[] = [];
      if (normalizeDnsName(got.endpointName) !== normalizeDnsName(expected['endpointName'] as string))
        diffs.push(`endpointName: expected ${show(expected['endpointName'])}, got ${show(got.endpointName)}`);
      if (got.recordType !== expected['recordType'])
        diffs.push(`recordType: expected ${show(expected['recordType'])}, got ${show(got.recordType)}`);
      return result(diffs);
    }
    case 'serializeLabels': {
      const got = serializeLabels(input['labels'] as Record<string, string>);
      return got === expected['value']
        ? { ok: true }
        : { ok: false, diff: `value: expected ${show(expected['value'])}, got ${show(got)}` };
    }
    case 'parseLabels': {
      const got = parseLabels(input['value'] as string) ?? null;
      return isDeepStrictEqual(got, expected['labels'])
        ? { ok: true }
        : { ok: false, diff: `labels: expected ${show(expected['labels'])}, got ${show(got)}` };
    }
    case 'decrypt':
      return runDecrypt(input, expected);
    case 'aesKey':
      return runAesKey(input, expected);
    case 'records':
      return runRecords(input, expected);
    case 'applyChanges':
      return runApplyChanges(input, expected);
    default:
      return { ok: false, diff: `runRegistryCase: unknown kind ${c.kind}` };
  }
}
