// Fuzzing with an allow-list of errors (STYLE §9): on arbitrary or mutated input, parsing and
// verifying headers and importing keys only ever throw VapidError, never anything else.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createVapidAuthorization,
  importVapidKeys,
  importVapidPublicKey,
  parseVapidAuthorization,
  VapidError,
  verifyVapidAuthorization,
  type VapidAuthorization,
} from '../src/index.ts'
import { TEST_PRIVATE_KEY } from './helpers.ts'

const audience = 'https://push.example.net'
let valid: VapidAuthorization

beforeAll(async () => {
  const keys = await importVapidKeys(TEST_PRIVATE_KEY)
  valid = await createVapidAuthorization({ keys, audience, subject: 'mailto:push@example.com' })
})

async function onlyVapidErrors(run: () => unknown): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (!(error instanceof VapidError)) throw error
  }
}

function mutate(text: string, position: number, replacement: string, cut: number): string {
  const at = position % (text.length + 1)
  return text.slice(0, at) + replacement + text.slice(Math.min(text.length, at + cut))
}

describe('fuzz', () => {
  it('verifyVapidAuthorization on arbitrary headers throws only VapidError', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc
        .tuple(
          fc.constantFrom('vapid ', 'WebPush ', 'VAPID t=', 'vapid k='),
          fc.string({ maxLength: 300 }),
        )
        .map((parts) => parts.join('')),
    )
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.option(fc.string({ maxLength: 100 })),
        async (authorization, cryptoKey) => {
          await onlyVapidErrors(() =>
            verifyVapidAuthorization({ authorization, cryptoKey }, { audience }),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  it('mutated valid headers are rejected with VapidError (or still valid)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.string({ maxLength: 4 }),
        fc.nat({ max: 4 }),
        async (position, replacement, cut) => {
          const authorization = mutate(valid.authorization, position, replacement, cut)
          await onlyVapidErrors(() => verifyVapidAuthorization({ authorization }, { audience }))
          if (authorization !== valid.authorization) {
            // parse alone never throws anything but VapidError either
            await onlyVapidErrors(() => parseVapidAuthorization({ authorization }))
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('importing arbitrary key text or bytes throws only VapidError', async () => {
    const input = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ minLength: 30, maxLength: 140 }).map((bytes) => {
        bytes[0] = 0x30
        return bytes
      }),
      fc
        .string({ maxLength: 200 })
        .map((body) => `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`),
      fc.dictionary(
        fc.constantFrom('kty', 'crv', 'd', 'x', 'y'),
        fc.oneof(fc.string(), fc.constant('EC'), fc.constant('P-256')),
      ),
    )
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        await onlyVapidErrors(() => importVapidKeys({ privateKey: value }))
        await onlyVapidErrors(() => importVapidPublicKey(value))
      }),
      { numRuns: 200 },
    )
  })

  it('a valid header still verifies (the fuzz harness is not vacuous)', async () => {
    await expect(
      verifyVapidAuthorization({ authorization: valid.authorization }, { audience }),
    ).resolves.toBeDefined()
  })
})
