import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
    // Shaka alone is ≈700 kB; the page loads from disk or loopback, so one ~1 MB chunk costs nothing.
    chunkSizeWarningLimit: 1500,
  },
});
