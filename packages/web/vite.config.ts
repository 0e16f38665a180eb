import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The UI is built into the root package's dist/ui, which `cairn server` serves at `/`
// (src/server/http/ui-static.ts) and which the npm package ships with the server.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/ajax-api': 'http://127.0.0.1:5000',
      '/get-artifact': 'http://127.0.0.1:5000',
    },
  },
})
