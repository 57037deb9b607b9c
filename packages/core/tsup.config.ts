import { defineConfig } from 'tsup';

export default defineConfig({
  // `http/index` is the `@openova/dns-core/http` subpath: the only entry that loads undici.
  // `testing/index` is `@openova/dns-core/testing`, the provider conformance suite.
  entry: {
    index: 'src/index.ts',
    'http/index': 'src/http/index.ts',
    'testing/index': 'src/testing/index.ts',
    'provider/index': 'src/providerKit.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
