import type { ViteUserConfig } from 'vitest/config'

/**
 * The settings every package's vitest config shares: explicit imports (no globals), and a JSON
 * report in `.test-results/` that `scripts/test-all.mjs` totals into the CI's summary line.
 */
export const shared: ViteUserConfig['test'] = {
  include: ['test/**/*.test.ts'],
  globals: false,
  reporters: ['default', 'json'],
  outputFile: { json: '.test-results/vitest.json' },
  testTimeout: 20_000,
  hookTimeout: 60_000,
}
