import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is its own entry: the bin imports it, the library index never does
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
