import { defineConfig } from 'tsup';

export default defineConfig({
  // `http/index` is the `@openova/dns-core/http` subpath: the only entry that loads undici.
  // `testing/index` is `@openova/dns-core/testing`, the provider conformance suite.
  entry: {
    index: 'src/index.ts',
    'http/index': 'src/http/index.ts',
    'testing/index': 'src/testing/index.ts',
    providerKit: 'src/providerKit.ts',
  },
  format: ['esm'],
  target: 'node20',
  // Declarations (with declaration maps into src/) come from `tsc -p tsconfig.build.json`.
  dts: false,
  // Maps point into the shipped src/ instead of embedding it a second time.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
});
