import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * The software H.265 decoder's WebAssembly and its Emscripten glue are files the page serves, not
 * modules: `?url` imports emit them as assets. The package exports only its entry, so the folder is
 * reached by path.
 */
export const hevcWasmAlias = [{ find: /^@hevcjs\/core\/dist\/wasm\//, replacement: `${join(import.meta.dirname, '..', 'node_modules', '@hevcjs', 'core', 'dist', 'wasm')}/` }];

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()],
  resolve: { alias: hevcWasmAlias },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
    // Shaka alone is ≈700 kB; the page loads from disk or loopback, so one ~1 MB chunk costs nothing.
    chunkSizeWarningLimit: 1500,
  },
});
