import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so event-driven waits stay far from their bounds.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
})
