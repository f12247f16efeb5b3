import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: process.env.SWAP_BENCH_OUT ?? 'dist', emptyOutDir: true, target: 'chrome130', sourcemap: false },
});
