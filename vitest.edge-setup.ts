// Setup for the edge-like project. Vitest's edge-runtime environment still exposes Node's
// `Buffer` and `process` (vitest itself needs `process` between tests), so each test runs with
// the globals an edge runtime (Workers, browsers) lacks removed, and they come back afterwards.
// A package that reaches for one of them fails its edge run with a ReferenceError.
import { afterEach, beforeEach } from 'vitest'

const nodeOnly = ['Buffer', 'process', 'require', 'setImmediate', 'clearImmediate', 'global']
const saved = new Map<string, PropertyDescriptor>()

beforeEach(() => {
  for (const name of nodeOnly) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, name)
    if (descriptor) {
      saved.set(name, descriptor)
      Reflect.deleteProperty(globalThis, name)
    }
  }
})

afterEach(() => {
  for (const [name, descriptor] of saved) Object.defineProperty(globalThis, name, descriptor)
  saved.clear()
})
