import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

// On Node the suite runs the node:crypto key agreement, as the `node` condition of package.json
// `imports` selects; test/agreement-backends.test.ts runs the WebCrypto one against it.
export default defineConfig({
  resolve: {
    alias: {
      '#agreement': fileURLToPath(new URL('src/internal/agreement-node.ts', import.meta.url)),
    },
  },
  test: { ...shared, name: 'webpush' },
})
