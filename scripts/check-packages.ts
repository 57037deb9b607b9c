// `pnpm check:packages` (after `pnpm build`): checks what npm users get, from the packed tarballs.
//
// For every folder in packages/ (never a hand-written list):
//   1. `pnpm pack` it, then run publint (strict) and attw (profile esm-only) on the tarball;
//   2. check the tarball's contents: README.md, LICENSE, declaration maps whose sources are in the
//      tarball, no tests, real repository/homepage/bugs, `^x.y.z` ranges for sibling packages
//      (`checkTarballContents`, shared with test/packages.test.ts);
//   3. install every tarball into one empty project, offline (the tarballs plus the workspace's
//      pnpm store; nothing is fetched), and run a minimal example for each package from an ES module
//      and from CommonJS: every entry point loads under `import` and `require` with the same
//      exports, and a plan is made and applied through the installed @openova/dns-core.
// Prints one line per package and exits 1 on the first problem list that is not empty.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import {
  PACKAGING_PENDING,
  checkSources,
  checkTarballContents,
  listTarball,
  workspacePackages,
} from './packages.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'openova-pack-'));
const keep = process.argv.includes('--keep');
const problems: string[] = [];
const warnings: string[] = [];
const pnpm = (args: string[], cwd: string) =>
  execFileSync('pnpm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

try {
  const packages = workspacePackages(root);
  const tarballs = new Map<string, string>();
  for (const pkg of packages) {
    const out = pnpm(['pack', '--json', '--pack-destination', work], pkg.dir);
    const tarball = (JSON.parse(out) as { filename: string }).filename;
    tarballs.set(pkg.name, resolve(work, tarball));
    const found: string[] = [];

    const lint = await publint({
      pack: { tarball: readFileSync(resolve(work, tarball)).buffer },
      strict: true,
    });
    for (const m of lint.messages) {
      found.push(`publint ${m.type}: ${formatMessage(m, lint.pkg) ?? m.code}`);
    }
    try {
      execFileSync(
        join(root, 'node_modules/.bin/attw'),
        ['--profile', 'esm-only', '--format', 'ascii', '--no-emoji', resolve(work, tarball)],
        { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (error) {
      found.push(`attw: ${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
    for (const p of checkSources(pkg, packages)) found.push(p);
    for (const p of checkTarballContents(pkg, listTarball(resolve(work, tarball)), packages)) found.push(p);

    const pending = PACKAGING_PENDING.has(pkg.name);
    console.log(`${found.length ? (pending ? 'WARN' : 'FAIL') : 'ok  '} ${pkg.name} (${tarball})`);
    // A pending package's problems are printed, not counted (see PACKAGING_PENDING).
    for (const p of found) (pending ? warnings : problems).push(`${pkg.name}: ${p}`);
  }

  // One empty project with every tarball installed. Sibling dependencies resolve to the tarballs
  // through overrides; third-party ones come from the workspace's store (`--offline`).
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tarball-smoke', private: true }));
  writeFileSync(
    join(project, 'pnpm-workspace.yaml'),
    `overrides:\n${[...tarballs].map(([name, file]) => `  '${name}': 'file:${file}'\n`).join('')}`,
  );
  pnpm(['add', '--offline', ...tarballs.values()], project);

  const entries = packages.flatMap((pkg) =>
    Object.keys(pkg.manifest.exports ?? {})
      .filter((subpath) => !subpath.endsWith('.json'))
      .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
  );
  // The same example from both module systems: load every entry, then plan and apply a record.
  const example = (load: (spec: string) => string) => `
    const entries = ${JSON.stringify(entries)};
    const names = {};
    for (const e of entries) {
      const m = ${load('e')};
      names[e] = Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort();
      if (names[e].length === 0) throw new Error(e + ' exports nothing');
    }
    const { InMemoryProvider, TxtRegistry, reconcile, renderPlanText } = ${load("'@openova/dns-core'")};
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'smoke', prefix: '_externaldns.%{record_type}.' });
    const desired = [{ dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.10'], recordTTL: 300 }];
    const first = await reconcile({ registry, desired, policy: 'sync' });
    const second = await reconcile({ registry, desired, policy: 'sync' });
    if (!first.applied || second.plan.changes.create.length !== 0) throw new Error('not converged');
    console.log(JSON.stringify({ names, text: renderPlanText(first.plan) }));
  `;
  writeFileSync(
    join(project, 'example.mjs'),
    example((spec) => `await import(${spec})`),
  );
  writeFileSync(
    join(project, 'example.cjs'),
    `(async () => {${example((spec) => `require(${spec})`)}})().catch((e) => { console.error(e); process.exit(1); });`,
  );
  const run = (file: string) =>
    JSON.parse(
      execFileSync(process.execPath, [file], {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { names: Record<string, string[]>; text: string };
  const esm = run('example.mjs');
  const cjs = run('example.cjs');
  for (const e of entries) {
    if (JSON.stringify(esm.names[e]) !== JSON.stringify(cjs.names[e])) {
      problems.push(`${e}: require() and import() export different names`);
    }
  }
  if (!esm.text.includes('+ api.example.com A ttl 300: 192.0.2.10'))
    problems.push(`example printed ${esm.text}`);
  console.log(
    `installed ${tarballs.size} tarballs offline; ${entries.length} entry points load from ESM and CommonJS (Node.js ${process.version})`,
  );
} catch (error) {
  const e = error as { stderr?: string; message?: string };
  problems.push(`${e.message ?? String(error)}\n${e.stderr ?? ''}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

if (warnings.length) {
  console.log(
    `\n${warnings.length} warning(s), packages pending:\n${warnings.map((p) => `- ${p}`).join('\n')}`,
  );
}
if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exitCode = 1;
}
