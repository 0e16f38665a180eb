import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Component tests run in happy-dom; the browser tests (e2e/) drive Debian's Chromium against a
// real `cairn server`, one file at a time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'components', include: ['src/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
})
