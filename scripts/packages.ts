// What every publishable package must satisfy, shared by `pnpm check:packages`
// (scripts/check-packages.ts, on the packed tarballs) and `pnpm test` (test/packages.test.ts, on
// the working tree). Packages are found by listing packages/, never from a hand-written list.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';

/** The GitHub repository every package's `repository`, `homepage` and `bugs` point to. */
export const REPOSITORY = 'https://github.com/openova-io/dns-sdk';

/**
 * Packages owned by another workstream whose packaging (README, declaration maps, metadata) has
 * not been brought in line yet: their problems are printed as warnings, not failures. Remove a
 * name once its package passes; a new package is never added here.
 */
export const PACKAGING_PENDING: ReadonlySet<string> = new Set<string>([]);

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  exports?: Record<string, unknown>;
  files?: string[];
  scripts?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string } | string;
  homepage?: string;
  bugs?: { url?: string } | string;
  dependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Folder name under packages/. */
  folder: string;
  /** Absolute path of the package folder. */
  dir: string;
  manifest: Manifest;
  name: string;
}

/** Every folder of packages/ that holds a package.json and is not private. */
export function workspacePackages(root: string): WorkspacePackage[] {
  const base = join(root, 'packages');
  return readdirSync(base)
    .filter((folder) => existsSync(join(base, folder, 'package.json')))
    .map((folder) => {
      const manifest = JSON.parse(readFileSync(join(base, folder, 'package.json'), 'utf8')) as Manifest;
      return { folder, dir: join(base, folder), manifest, name: manifest.name };
    })
    .filter((pkg) => !pkg.manifest.private)
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

/** Problems with a package's manifest, README and build configuration in the working tree. */
export function checkSources(pkg: WorkspacePackage, all: readonly WorkspacePackage[]): string[] {
  const problems: string[] = [];
  const m = pkg.manifest;
  const siblings = new Set(all.map((p) => p.name));
  const repo = typeof m.repository === 'object' ? m.repository : undefined;
  if (repo?.url !== `git+${REPOSITORY}.git`) problems.push(`repository.url is not git+${REPOSITORY}.git`);
  if (repo?.directory !== `packages/${pkg.folder}`)
    problems.push(`repository.directory is not packages/${pkg.folder}`);
  if (m.homepage !== `${REPOSITORY}/tree/main/packages/${pkg.folder}#readme`) {
    problems.push(`homepage is not ${REPOSITORY}/tree/main/packages/${pkg.folder}#readme`);
  }
  const bugs = typeof m.bugs === 'object' ? m.bugs.url : m.bugs;
  if (bugs !== `${REPOSITORY}/issues`) problems.push(`bugs is not ${REPOSITORY}/issues`);
  if (!m.license) problems.push('no license');
  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    if (siblings.has(dep) && range !== 'workspace:^')
      problems.push(`dependency ${dep} is "${range}", not "workspace:^"`);
  }
  if (!/\btsc -p tsconfig\.build\.json\b/.test(m.scripts?.build ?? '')) {
    problems.push('build script does not emit declarations with `tsc -p tsconfig.build.json`');
  }
  const buildConfig = join(pkg.dir, 'tsconfig.build.json');
  if (!existsSync(buildConfig) || !/"declarationMap":\s*true/.test(readFileSync(buildConfig, 'utf8'))) {
    problems.push('tsconfig.build.json does not set declarationMap');
  }
  // Every entry point is part of the API reference (typedoc.json's default is src/index.ts alone).
  const sources = Object.values(m.exports ?? {})
    .map((t) => (typeof t === 'object' && t ? (t as Record<string, string>)['@openova/source'] : undefined))
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.replace(/^\.\//, ''));
  const typedocPath = join(pkg.dir, 'typedoc.json');
  const documented = existsSync(typedocPath)
    ? ((JSON.parse(readFileSync(typedocPath, 'utf8')) as { entryPoints?: string[] }).entryPoints ?? [])
    : ['src/index.ts'];
  for (const source of sources) {
    if (!documented.includes(source))
      problems.push(`entry point ${source} is not in the API reference (typedoc.json)`);
  }
  const readmePath = join(pkg.dir, 'README.md');
  if (!existsSync(readmePath)) {
    problems.push('no README.md');
  } else {
    const readme = readFileSync(readmePath, 'utf8');
    if (!readme.startsWith(`# ${pkg.name}\n`)) problems.push(`README.md does not start with "# ${pkg.name}"`);
    for (const heading of ['## Install', '## Example', '## Compatibility', '## Documentation']) {
      if (!readme.includes(`\n${heading}\n`)) problems.push(`README.md has no "${heading}" section`);
    }
    if (!readme.includes(`install ${pkg.name}`) && !readme.includes(` ${pkg.name}\n`)) {
      problems.push('README.md does not show how to install the package');
    }
    if (!/```ts\n[\s\S]*?from '/.test(readme))
      problems.push('README.md has no TypeScript example with imports');
    if (!readme.includes('ESM only') || !readme.includes('require(esm)') || !readme.includes('20.19')) {
      problems.push('README.md does not state ESM only, require(esm) and Node.js ≥ 20.19');
    }
    if (!readme.includes(REPOSITORY)) problems.push('README.md does not link to the guides');
    if (!readme.includes('API reference')) problems.push('README.md does not mention the API reference');
  }
  return problems;
}

export interface TarballListing {
  /** Paths inside the tarball, without the `package/` prefix. */
  files: string[];
  /** Reads one file of the tarball (a path from `files`). */
  read(path: string): string;
}

/** Unpacks a tarball into memory (through a temporary folder) for inspection. */
export function listTarball(tarball: string): TarballListing {
  const dir = mkdtempSync(join(tmpdir(), 'openova-tarball-'));
  try {
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    const base = join(dir, 'package');
    const contents = new Map<string, string>();
    const walk = (d: string) => {
      for (const entry of readdirSync(d)) {
        const full = join(d, entry);
        if (statSync(full).isDirectory()) walk(full);
        else contents.set(relative(base, full).split('\\').join('/'), readFileSync(full, 'utf8'));
      }
    };
    walk(base);
    return {
      files: [...contents.keys()].sort(),
      read: (path) => {
        const text = contents.get(path);
        if (text === undefined) throw new Error(`${path} is not in ${tarball}`);
        return text;
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Problems with a packed tarball of `pkg`. */
export function checkTarballContents(
  pkg: WorkspacePackage,
  tarball: TarballListing,
  all: readonly WorkspacePackage[],
): string[] {
  const problems: string[] = [];
  const files = new Set(tarball.files);
  for (const required of ['README.md', 'LICENSE', 'package.json']) {
    if (!files.has(required)) problems.push(`tarball has no ${required}`);
  }
  if (files.has('LICENSE') && !tarball.read('LICENSE').includes('Apache License')) {
    problems.push('LICENSE is not the Apache-2.0 text');
  }
  const tests = tarball.files.filter((f) => /\.test\.[cm]?[jt]s$/.test(f));
  if (tests.length) problems.push(`tarball ships tests: ${tests.join(', ')}`);

  const declarations = tarball.files.filter((f) => f.startsWith('dist/') && f.endsWith('.d.ts'));
  if (!declarations.length) problems.push('tarball has no declarations');
  for (const d of declarations) {
    if (!files.has(`${d}.map`)) {
      problems.push(`${d} has no declaration map`);
      continue;
    }
    const map = JSON.parse(tarball.read(`${d}.map`)) as { sources: string[] };
    for (const source of map.sources) {
      const target = posix.normalize(posix.join(posix.dirname(d), source));
      if (!target.startsWith('src/') || !files.has(target)) {
        problems.push(`${d}.map points to ${source}, which is not a source in the tarball`);
      }
    }
  }
  for (const m of tarball.files.filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(tarball.read(m)) as { sources: string[]; sourcesContent?: unknown[] };
    if (map.sourcesContent?.length) problems.push(`${m} embeds its sources (they ship in src/ already)`);
    for (const source of map.sources) {
      const target = posix.normalize(posix.join(posix.dirname(m), source));
      if (!files.has(target)) problems.push(`${m} points to ${source}, which is not in the tarball`);
    }
  }

  const packed = JSON.parse(tarball.read('package.json')) as Manifest;
  const siblings = new Map(all.map((p) => [p.name, p.manifest.version]));
  for (const [dep, range] of Object.entries(packed.dependencies ?? {})) {
    const version = siblings.get(dep);
    if (version !== undefined && range !== `^${version}`) {
      problems.push(`packed dependency ${dep} is "${range}", not "^${version}"`);
    }
  }
  if (typeof packed.repository !== 'object' || !packed.repository.url?.includes(REPOSITORY)) {
    problems.push('packed repository does not point to GitHub');
  }
  return problems;
}

/** The repository root, from this file's location. */
export const repositoryRoot: string = dirname(import.meta.dirname);
