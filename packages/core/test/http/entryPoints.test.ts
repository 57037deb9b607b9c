import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreSrc = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const packagesDir = resolve(coreSrc, '../..');

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier a source file imports or re-exports (type-only imports included). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((m) => (m[1] ?? m[2]) as string);
}

/** The files reachable from an entry through relative imports, and the packages they import. */
function importGraph(entry: string): { files: Set<string>; packages: Map<string, string[]> } {
  const files = new Set<string>();
  const packages = new Map<string, string[]>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.set(spec, [...(packages.get(spec) ?? []), relative(coreSrc, file)]);
    }
  }
  return { files, packages };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('entry points', () => {
  it('the main entry never loads undici or p-retry: planning needs no HTTP stack', () => {
    const main = importGraph(join(coreSrc, 'index.ts'));
    expect(main.files.size).toBeGreaterThan(20);
    expect([...main.packages.keys()].filter((p) => p === 'undici' || p === 'p-retry')).toEqual([]);
    expect([...main.files].filter((f) => f.includes(`${join(coreSrc, 'http')}`))).toEqual([]);
  });

  it('the built main entry (when built) imports neither undici nor p-retry, directly or via a chunk', () => {
    const dist = resolve(coreSrc, '../dist/index.js');
    if (!existsSync(dist)) return; // `pnpm build` first to check the published files as well
    const reached = new Set<string>();
    const bare: string[] = [];
    const pending = [dist];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (reached.has(file)) continue;
      reached.add(file);
      for (const spec of specifiers(file))
        if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
        else bare.push(spec);
    }
    expect(bare.filter((p) => p === 'undici' || p === 'p-retry')).toEqual([]);
  });

  it('@openova/dns-core/http is where undici and p-retry are loaded', () => {
    const http = importGraph(join(coreSrc, 'http', 'index.ts'));
    expect(http.packages.get('undici')).toBeDefined();
    expect(http.packages.get('p-retry')).toEqual(['http/transport.ts']);
  });

  it('p-retry is imported by the transport only: the one retry loop of the repository', () => {
    const importers = readdirSync(packagesDir)
      .flatMap((pkg) => {
        try {
          return sourceFiles(join(packagesDir, pkg, 'src'));
        } catch {
          return [];
        }
      })
      .filter((file) => specifiers(file).includes('p-retry'))
      .map((file) => relative(packagesDir, file));
    expect(importers).toEqual([join('core', 'src', 'http', 'transport.ts')]);
  });
});
