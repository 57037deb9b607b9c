import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts'],
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
