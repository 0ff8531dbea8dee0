import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The container suite needs a real engine and minutes: `npm run test:deploy` (vitest.deploy.config.ts).
    exclude: ['test/container/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so event-driven waits stay far from their bounds.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
})
