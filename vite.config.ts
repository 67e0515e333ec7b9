import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: one page, served by the host in browser mode or loaded from
// file:// by Electron (hence the relative base).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    target: 'chrome130',
  },
});
