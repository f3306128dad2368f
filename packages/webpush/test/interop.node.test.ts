// Interop with the reference implementations, both directions and both codings:
//   - web-push 3.6.7 (`generateRequestDetails`) → our receiver-side decryption;
//   - our `buildPushRequest` → http_ece 1.2.1 `decrypt` (what web-push itself encrypts with).
// The user agent's key pair is a node:crypto ECDH object, as http_ece needs one.
import { createECDH, randomBytes, type ECDH } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
// @ts-expect-error -- http_ece ships no type declarations
import httpEce from 'http_ece'
// @ts-expect-error -- web-push ships no type declarations
import webpush from 'web-push'
import { parseAesgcmHeaders } from '@pushcraft/ece'
import { generateVapidKeys, verifyVapidAuthorization } from '@pushcraft/vapid'
import {
  MAX_AESGCM_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES,
  type ContentEncoding,
  type PaddingStrategy,
} from '../src/padding.ts'
import { buildPushRequest, type PushRequest } from '../src/request.ts'
import type { PushSubscriptionJSON } from '../src/subscription.ts'
import { importPrivateKey, receivePushMessage } from './helpers/receiver.ts'

interface WebPushRequestDetails {
  method: string
  headers: Record<string, string | number>
  body: Buffer | null
  endpoint: string
}

interface HttpEce {
  decrypt(body: Uint8Array, params: Record<string, unknown>): Buffer
}

const ece = httpEce as HttpEce
const generateRequestDetails = (
  webpush as { generateRequestDetails: (...args: unknown[]) => WebPushRequestDetails }
).generateRequestDetails

const endpoint =
  'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh3GFJ3S6lzZK8C6CLmcmkL8ZL'
const audience = 'https://updates.push.services.mozilla.com'
const subject = 'mailto:interop@example.com'

let ecdh: ECDH
let auth: Buffer
let subscription: PushSubscriptionJSON
let receiver: { privateKey: CryptoKey; publicKey: Uint8Array; auth: Uint8Array }

beforeAll(async () => {
  ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  auth = randomBytes(16)
  const publicKey = new Uint8Array(ecdh.getPublicKey())
  subscription = {
    endpoint,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey('base64url'), auth: auth.toString('base64url') },
  }
  receiver = {
    privateKey: await importPrivateKey(new Uint8Array(ecdh.getPrivateKey()), publicKey),
    publicKey,
    auth: new Uint8Array(auth),
  }
})

/** http_ece as the receiving user agent. */
function httpEceDecrypt(request: PushRequest, contentEncoding: ContentEncoding): Buffer {
  if (contentEncoding === 'aes128gcm') {
    // RFC 8291: the sender key travels as the aes128gcm keyid.
    return ece.decrypt(Buffer.from(request.body!), {
      version: 'aes128gcm',
      privateKey: ecdh,
      authSecret: auth,
    })
  }
  const params = parseAesgcmHeaders({
    encryption: request.headers['encryption'],
    cryptoKey: request.headers['crypto-key'],
  })
  return ece.decrypt(Buffer.from(request.body!), {
    version: 'aesgcm',
    privateKey: ecdh,
    dh: Buffer.from(params.dh!).toString('base64url'),
    salt: Buffer.from(params.salt).toString('base64url'),
    rs: params.recordSize,
    authSecret: auth,
  })
}

const limits: Record<ContentEncoding, number> = {
  aes128gcm: MAX_PAYLOAD_BYTES,
  aesgcm: MAX_AESGCM_PAYLOAD_BYTES,
}

describe.each(['aes128gcm', 'aesgcm'] as const)('%s', (contentEncoding) => {
  it('web-push → our receiver: generateRequestDetails output decrypts, VAPID verifies', async () => {
    const vapidKeys = webpush.generateVAPIDKeys() as { publicKey: string; privateKey: string }
    const details = generateRequestDetails(subscription, 'from web-push', {
      contentEncoding,
      TTL: 120,
      vapidDetails: { subject, publicKey: vapidKeys.publicKey, privateKey: vapidKeys.privateKey },
    })
    const plaintext = await receivePushMessage(
      { headers: details.headers, body: new Uint8Array(details.body!) },
      receiver,
    )
    expect(new TextDecoder().decode(plaintext!)).toBe('from web-push')
    const headers = details.headers as Record<string, string>
    const verified = await verifyVapidAuthorization(
      { authorization: headers['Authorization'], cryptoKey: headers['Crypto-Key'] ?? null },
      { audience, publicKey: vapidKeys.publicKey },
    )
    expect(verified.claims.sub).toBe(subject)
  })

  it('web-push → our receiver: any payload up to the maximum', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: limits[contentEncoding] }), async (bytes) => {
        const details = generateRequestDetails(subscription, Buffer.from(bytes), {
          contentEncoding,
        })
        const plaintext = await receivePushMessage(
          {
            headers: details.headers,
            body: new Uint8Array(details.body!),
          },
          receiver,
        )
        expect(plaintext).toEqual(bytes)
      }),
      { numRuns: 40 },
    )
  })

  it('ours → http_ece: buildPushRequest output decrypts', async () => {
    const keys = await generateVapidKeys()
    const request = await buildPushRequest(subscription, 'from pushcraft', {
      contentEncoding,
      vapid: { keys, subject },
    })
    expect(httpEceDecrypt(request, contentEncoding).toString()).toBe('from pushcraft')
  })

  it('ours → http_ece: any payload up to the maximum, with padding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: limits[contentEncoding] }),
        fc.constantFrom<PaddingStrategy>('none', 'max', { bucket: 512 }),
        async (bytes, padding) => {
          const request = await buildPushRequest(subscription, bytes, {
            contentEncoding,
            padding,
            quirks: false,
          })
          expect(new Uint8Array(httpEceDecrypt(request, contentEncoding))).toEqual(bytes)
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('header conventions match web-push', () => {
  it('the same header set (names compared case-insensitively) for each coding', async () => {
    // web-push always sends Urgency (default 'normal'); ours only when asked.
    const keys = await generateVapidKeys()
    for (const contentEncoding of ['aes128gcm', 'aesgcm'] as const) {
      const ours = await buildPushRequest(subscription, 'x', {
        contentEncoding,
        vapid: { keys, subject },
        ttl: 60,
        urgency: 'normal',
      })
      const vapidKeys = webpush.generateVAPIDKeys() as { publicKey: string; privateKey: string }
      const theirs = generateRequestDetails(subscription, 'x', {
        contentEncoding,
        TTL: 60,
        vapidDetails: { subject, ...vapidKeys },
      })
      const names = (headers: Record<string, unknown>) =>
        Object.keys(headers)
          .map((n) => n.toLowerCase())
          .sort()
      expect(names(ours.headers)).toEqual(names(theirs.headers))
      expect(ours.headers['crypto-key']?.includes(';') ?? false).toBe(contentEncoding === 'aesgcm')
    }
  })
})
