import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

const backend = (file: string): string =>
  fileURLToPath(new URL(`src/internal/${file}`, import.meta.url))

// The same suite runs twice: on Node with the node:crypto AEAD backend (what the `node` condition
// of package.json `imports` selects), and in an edge-like runtime (no Node globals) with the
// WebCrypto backend, so a stray `Buffer` or `process` in src fails a test and both backends pass
// every vector. Files named *.node.test.ts run on Node only.
export default defineConfig({
  test: {
    ...shared,
    projects: [
      {
        extends: true,
        resolve: { alias: { '#aead': backend('aead-node.ts') } },
        test: { name: 'node', environment: 'node' },
      },
      {
        extends: true,
        resolve: { alias: { '#aead': backend('aead.ts') } },
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
