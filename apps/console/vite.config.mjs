// Builds the console into apps/console/dist, served by the key service at /console/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/console/',
  // The STS core's DES runs in the page (check values of key components), from its sources.
  resolve: { alias: { '@sts/core/des': here('../../libs/sts-core/src/des.ts') } },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // No inline script: the strict Content-Security-Policy allows none.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
});
