// DNS changes reviewed like code: a CI job makes a dry run on every pull request, posts the plan as
// a Markdown review comment and uploads the saved plan; after approval, a second job applies exactly
// that plan (refused if the zone changed in between).
//
//   node --conditions=@openova/source --import tsx examples/cookbook/ci-dry-run.ts
//
// In CI the two jobs are separate processes sharing `plan.json` as a build artifact; here they run
// one after the other. Posting uses GitHub's REST API ("create an issue comment"); with no
// GITHUB_API_URL set, a loopback stand-in receives the comment so the recipe runs offline.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryProvider,
  TxtRegistry,
  applyPlan,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  renderPlanMarkdown,
  type EndpointInit,
  type Registry,
} from '@openova/dns-core';

/** Job 1, on every pull request: dry run, comment, save. Returns the saved plan's path. */
async function planJob(registry: Registry, desired: EndpointInit[], dir: string): Promise<string> {
  const { plan } = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
  const file = join(dir, 'plan.json');
  writeFileSync(file, renderPlanJSON(plan)); // upload as an artifact
  const api = process.env['GITHUB_API_URL'] ?? 'https://api.github.com';
  const repo = process.env['GITHUB_REPOSITORY'] ?? 'example/dns';
  const pr = process.env['PR_NUMBER'] ?? '1';
  const response = await fetch(`${api}/repos/${repo}/issues/${pr}/comments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${process.env['GITHUB_TOKEN'] ?? ''}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ body: renderPlanMarkdown(plan) }),
  });
  if (response.status !== 201) throw new Error(`posting the plan failed: HTTP ${response.status}`);
  return file;
}

/** Job 2, after approval: apply the saved plan, nothing else. */
async function applyJob(registry: Registry, file: string): Promise<void> {
  const plan = planFromJSON(readFileSync(file, 'utf8')); // checksum verified: an edited file is refused
  const result = await applyPlan({ registry, plan });
  console.log(`applied plan ${plan.checksum.slice(0, 12)}: ${result.applied}`);
}

// A stand-in for GitHub's API on loopback, unless a real one is configured.
const comments: string[] = [];
const github = createServer((req, res) => {
  let text = '';
  req.on('data', (c: Buffer) => (text += String(c)));
  req.on('end', () => {
    comments.push((JSON.parse(text) as { body: string }).body);
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1}');
  });
});
if (!process.env['GITHUB_API_URL']) {
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  process.env['GITHUB_API_URL'] = `http://127.0.0.1:${(github.address() as { port: number }).port}`;
}

try {
  const provider = new InMemoryProvider({
    zones: ['example.com'],
    records: [{ dnsName: 'old.example.com', recordType: 'A', targets: ['192.0.2.9'] }], // not ours
  });
  const registry = new TxtRegistry(provider, { ownerId: 'ci', prefix: '_externaldns.%{record_type}.' });
  const desired: EndpointInit[] = [
    { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.10'], recordTTL: 300 },
    { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['api.example.com'], recordTTL: 300 },
  ];
  const file = await planJob(registry, desired, mkdtempSync(join(tmpdir(), 'dns-ci-')));
  console.log(`posted review comment:\n\n${comments.join('\n---\n')}\n`);
  console.log(`records before approval: ${(await provider.records()).length}`);
  // … a reviewer approves the pull request; the apply job starts …
  await applyJob(registry, file);
  console.log(`records after apply: ${(await provider.records()).length}`);
} finally {
  github.close();
}
