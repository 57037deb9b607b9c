import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is its own entry: the bin imports it, the library index never does
  entry: ['src/index.ts', 'src/cli.ts'],
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
