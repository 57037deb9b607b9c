import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against source: every workspace package name (and subpath) resolves to its
// `@openova/source` export, so no build is needed first.
const root = fileURLToPath(new URL('.', import.meta.url));
const alias: { find: string; replacement: string }[] = [];
for (const dir of readdirSync(`${root}packages`)) {
  const manifest = `${root}packages/${dir}/package.json`;
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const source = target as Record<string, string> | string as Record<string, string>;
    if (typeof source !== 'object' || !source['@openova/source']) continue;
    alias.push({
      find: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      replacement: `${root}packages/${dir}/${source['@openova/source'].slice(2)}`,
    });
  }
}
// Longest names first so `@openova/dns-provider-pdns/testing` wins over its package root.
alias.sort((a, b) => b.find.length - a.find.length);

export default defineConfig({
  resolve: {
    alias: alias.map((a) => ({
      find: new RegExp(`^${a.find.replace(/[/.-]/g, '\\$&')}$`),
      replacement: a.replacement,
    })),
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
