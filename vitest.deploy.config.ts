import { defineConfig } from 'vitest/config'

// `npm run test:deploy`: the container suite (test/container), on a real engine. Builds images and runs the
// compose file, so it is kept out of `npm test` and runs on its own, one file at a time.
export default defineConfig({
  test: {
    include: ['test/container/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
})
