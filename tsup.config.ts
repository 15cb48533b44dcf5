import { defineConfig } from 'tsup'

export default defineConfig({
  // cli: the `ringstream` command (bin/ringstream.js loads dist/cli.js).
  entry: { index: 'ts/index.ts', cli: 'ts/cli/main.ts' },
  format: ['cjs', 'esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  // __dirname in the ESM build: the native engine finds native/binding.js from it.
  shims: true,
})
