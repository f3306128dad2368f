import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

// On Node the suite runs the node:crypto backend (key agreement and AES-GCM), as the `node`
// condition of package.json `imports` selects; test/backends.node.test.ts checks it against WebCrypto.
export default defineConfig({
  resolve: {
    alias: {
      '#backend': fileURLToPath(new URL('src/internal/backend-node.ts', import.meta.url)),
    },
  },
  test: { ...shared, name: 'webpush' },
})
