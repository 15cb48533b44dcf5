import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'ts/index.ts' },
  format: ['cjs', 'esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node18',
  platform: 'node',
  splitting: false,
  // __dirname in the ESM build: the native engine finds native/binding.js from it.
  shims: true,
})
