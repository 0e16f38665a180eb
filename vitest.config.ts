import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: keep parallelism modest so timing-sensitive tests (shutdown, SIGKILL) stay honest.
    maxWorkers: 2,
  },
})
