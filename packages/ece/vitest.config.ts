import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

// The same suite runs twice: on Node and in an edge-like runtime (no Node globals), so a stray
// `Buffer` or `process` in src fails a test. Files named *.node.test.ts run on Node only.
export default defineConfig({
  test: {
    ...shared,
    projects: [
      { extends: true, test: { name: 'node', environment: 'node' } },
      {
        extends: true,
        test: {
          name: 'edge',
          environment: 'edge-runtime',
          setupFiles: ['../../vitest.edge-setup.ts'],
          exclude: ['test/**/*.node.test.ts'],
        },
      },
    ],
  },
})
