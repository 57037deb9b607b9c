// The packaging rules every publishable package follows (docs/packaging.md), on the working tree.
// `pnpm check:packages` applies the same rules, and more, to the packed tarballs.
import { describe, expect, it } from 'vitest';
import { PACKAGING_PENDING, checkSources, repositoryRoot, workspacePackages } from '../scripts/packages.js';

const packages = workspacePackages(repositoryRoot);

describe('publishable packages', () => {
  it('finds the packages by listing packages/', () => {
    expect(packages.map((p) => p.name)).toContain('@openova/dns-core');
    expect(packages.length).toBeGreaterThanOrEqual(5);
  });

  for (const pkg of packages) {
    const run = PACKAGING_PENDING.has(pkg.name) ? it.skip : it;
    run(
      `${pkg.name}: README, LICENSE source, repository/homepage/bugs, workspace:^ and declaration maps`,
      () => {
        expect(checkSources(pkg, packages)).toEqual([]);
      },
    );
  }

  it('the repository declares the license the packages name, and ships its text', async () => {
    const { readFileSync } = await import('node:fs');
    const license = readFileSync(`${repositoryRoot}/LICENSE`, 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    for (const pkg of packages) expect(pkg.manifest.license, pkg.name).toBe('Apache-2.0');
  });

  it('reports what is missing, with the package folder in the message', () => {
    const core = packages.find((p) => p.folder === 'core')!;
    const broken = {
      ...core,
      dir: `${repositoryRoot}/test/fixtures`,
      manifest: {
        ...core.manifest,
        repository: { type: 'git', url: 'https://example.invalid/x.git' },
        dependencies: { '@openova/dns-provider-pdns': 'workspace:*' },
      },
    };
    expect(checkSources(broken, packages)).toEqual(
      expect.arrayContaining([
        'repository.url is not git+https://github.com/openova-io/dns-sdk.git',
        'repository.directory is not packages/core',
        'dependency @openova/dns-provider-pdns is "workspace:*", not "workspace:^"',
        'tsconfig.build.json does not set declarationMap',
        'no README.md',
      ]),
    );
  });
});
