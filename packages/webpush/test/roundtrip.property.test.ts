// Properties: any payload up to the maximum round-trips through buildPushRequest and the
// receiver-side decryption (ECDH with the user agent's private key + @pushcraft/ece), for both
// codings and every padding strategy; anything larger is refused before encryption.
import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MAX_AESGCM_PAYLOAD_BYTES,
  MAX_BODY_BYTES,
  MAX_PAYLOAD_BYTES,
  type ContentEncoding,
  type PaddingStrategy,
} from '../src/padding.ts'
import { buildPushRequest } from '../src/request.ts'
import { createUserAgent, receivePushMessage, type UserAgent } from './helpers/receiver.ts'

let ua: UserAgent
beforeAll(async () => {
  ua = await createUserAgent()
})

const limits: Record<ContentEncoding, number> = {
  aes128gcm: MAX_PAYLOAD_BYTES,
  aesgcm: MAX_AESGCM_PAYLOAD_BYTES,
}

const padding = fc.oneof(
  fc.constant<PaddingStrategy>('none'),
  fc.constant<PaddingStrategy>('max'),
  fc.integer({ min: 1, max: 4096 }).map((bucket): PaddingStrategy => ({ bucket })),
)

describe.each(['aes128gcm', 'aesgcm'] as const)('%s', (contentEncoding) => {
  const max = limits[contentEncoding]

  it('any payload up to the maximum round-trips, with any padding', async () => {
    const payload = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: max }),
      // Bias towards the edges of the budget.
      fc
        .integer({ min: max - 16, max })
        .map((length) => crypto.getRandomValues(new Uint8Array(length))),
    )
    await fc.assert(
      fc.asyncProperty(payload, padding, async (bytes, strategy) => {
        const request = await buildPushRequest(ua.subscription, bytes, {
          contentEncoding,
          padding: strategy,
        })
        expect(request.body!.length).toBeLessThanOrEqual(MAX_BODY_BYTES)
        if (strategy === 'max') expect(request.body!.length).toBe(MAX_BODY_BYTES)
        expect(await receivePushMessage(request, ua)).toEqual(bytes)
      }),
      { numRuns: 120 },
    )
  })

  it('any text round-trips as UTF-8', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (text) => {
        const request = await buildPushRequest(ua.subscription, text, { contentEncoding })
        expect(new TextDecoder().decode((await receivePushMessage(request, ua))!)).toBe(text)
      }),
      { numRuns: 60 },
    )
  })

  it('anything larger is refused with ERR_WEBPUSH_PAYLOAD_TOO_LARGE', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: max + 1, max: 3 * MAX_BODY_BYTES }),
        padding,
        async (length, strategy) => {
          await expect(
            buildPushRequest(ua.subscription, new Uint8Array(length), {
              contentEncoding,
              padding: strategy,
            }),
          ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE' })
        },
      ),
      { numRuns: 50 },
    )
  })
})
