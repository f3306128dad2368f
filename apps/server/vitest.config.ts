import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

export default defineConfig({
  test: {
    ...shared,
    name: 'server',
    globalSetup: ['test/setup/postgres.ts', 'test/setup/redis.ts'],
    // The suites share one PostgreSQL server and two cores: run files one after another.
    fileParallelism: false,
  },
})
