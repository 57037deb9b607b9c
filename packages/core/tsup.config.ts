import { defineConfig } from 'tsup';

export default defineConfig({
  // `http/index` is the `@openova/dns-core/http` subpath: the only entry that loads undici.
  entry: { index: 'src/index.ts', 'http/index': 'src/http/index.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
