import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// One build produces the Electron shell (main + preload), the renderer, and the plain-Node
// entry points (CLI, HTTP server, workers) that share the engine chunks with main.
export default defineConfig({
  main: {
    build: {
      target: 'node20',
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
          // CSV parsing worker: large imports fan out over worker threads.
          'parse-worker': resolve(__dirname, 'src/core/import/parse-worker.ts'),
          // The local backend's funnel helper: a large funnel's pass is split with it.
          'pass-worker': resolve(__dirname, 'src/core/backends/local/pass-worker.ts'),
          // `iafa serve`'s worker pool: heavy calls run off the thread that answers HTTP.
          'pool-worker': resolve(__dirname, 'src/server/pool-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
