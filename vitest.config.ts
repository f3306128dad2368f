import { defineConfig } from 'vitest/config'

// Editor and ad-hoc use: `pnpm vitest` at the root runs every package's projects.
// CI runs each package's own config through turbo (see scripts/test-all.mjs).
export default defineConfig({
  test: { projects: ['packages/*', 'apps/*'] },
})
