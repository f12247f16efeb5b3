import { defineConfig } from 'vite';
import { hevcWasmAlias } from '../../../renderer/vite.config';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  resolve: { alias: hevcWasmAlias },
  build: { outDir: 'dist', emptyOutDir: true, target: 'chrome130' },
});
