// A small, deliberately breakable Web Push sender for the kit's own tests: RFC 8291 (aes128gcm)
// and draft-ietf-webpush-encryption-04 (aesgcm) encryption with @pushcraft/ece, VAPID tokens
// (RFC 8292) signed with jose directly. It is not @pushcraft/webpush on purpose: the kit must not
// depend on the sender it tests (webpush's suite uses the kit). Nor does it sign with
// @pushcraft/vapid, which refuses the broken tokens these tests need (no `exp`, `exp` > 24 h or in
// the past, a non-mailto/https `sub`). Every knob a buggy sender could get wrong is an option
// (`authSecret`, `flipBit`, `audience`, `expiration`, `subject`, `signWith`, `ttl`, `headers`, …).
import { encrypt, encryptAesgcm } from '@pushcraft/ece'
import { SignJWT } from 'jose'
import type { Agent } from 'undici'
import { request } from 'undici'
import type { PushSubscriptionJSON } from '../../src/index.ts'

const enc = new TextEncoder()

export function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

export function unb64u(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64url'))
}

export interface TestVapidKeys {
  privateKey: CryptoKey
  publicKey: Uint8Array
  applicationServerKey: string
}

export async function generateTestVapidKeys(): Promise<TestVapidKeys> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { privateKey: pair.privateKey, publicKey, applicationServerKey: b64u(publicKey) }
}

export interface SendOptions {
  encoding?: 'aes128gcm' | 'aesgcm'
  vapid?: TestVapidKeys | null | undefined
  scheme?: 'vapid' | 'webpush'
  subject?: string
  ttl?: number | null
  urgency?: string
  topic?: string
  headers?: Record<string, string>
  /** Breakages. */
  audience?: string
  expiration?: number | null
  authSecret?: Uint8Array
  flipBit?: boolean
  padding?: number
  signWith?: TestVapidKeys
}

export interface BuiltRequest {
  url: string
  headers: Record<string, string>
  body: Uint8Array
}

export async function buildRequest(
  subscription: PushSubscriptionJSON,
  payload: string | Uint8Array | null,
  options: SendOptions = {},
): Promise<BuiltRequest> {
  const encoding = options.encoding ?? 'aes128gcm'
  const headers: Record<string, string> = {}
  if (options.ttl !== null) headers.ttl = String(options.ttl ?? 60)
  if (options.urgency !== undefined) headers.urgency = options.urgency
  if (options.topic !== undefined) headers.topic = options.topic
  let body = new Uint8Array(0)
  let cryptoKey: string | undefined
  if (payload !== null) {
    const plaintext = typeof payload === 'string' ? enc.encode(payload) : payload
    const uaPublic = unb64u(subscription.keys.p256dh)
    const authSecret = new Uint8Array(options.authSecret ?? unb64u(subscription.keys.auth))
    const ephemeral = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])
    const asPublic = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey))
    const peer = await crypto.subtle.importKey(
      'raw',
      uaPublic,
      { name: 'ECDH', namedCurve: 'P-256' },
      false,
      [],
    )
    const shared = new Uint8Array(
      await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, ephemeral.privateKey, 256),
    )
    if (encoding === 'aes128gcm') {
      const info = new Uint8Array([...enc.encode('WebPush: info\0'), ...uaPublic, ...asPublic])
      const hkdfKey = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits'])
      const ikm = new Uint8Array(
        await crypto.subtle.deriveBits(
          { name: 'HKDF', hash: 'SHA-256', salt: authSecret, info },
          hkdfKey,
          256,
        ),
      )
      body = await encrypt(plaintext, {
        key: ikm,
        keyId: asPublic,
        ...(options.padding ? { padding: options.padding } : {}),
      })
      headers['content-encoding'] = 'aes128gcm'
    } else {
      const result = await encryptAesgcm(plaintext, {
        key: shared,
        authSecret,
        dh: { receiverPublicKey: uaPublic, senderPublicKey: asPublic },
        ...(options.padding ? { padding: options.padding } : {}),
      })
      body = result.body
      headers['content-encoding'] = 'aesgcm'
      headers.encryption = result.headers.encryption
      cryptoKey = result.headers.cryptoKey
    }
    if (options.flipBit) {
      body = body.slice()
      body[body.length - 5]! ^= 0x01
    }
  }
  if (options.vapid !== null) {
    const keys = options.vapid ?? (await generateTestVapidKeys())
    const signer = options.signWith ?? keys
    const audience = options.audience ?? new URL(subscription.endpoint).origin
    const claims: Record<string, unknown> = {
      aud: audience,
      sub: options.subject ?? 'mailto:test@example.com',
    }
    if (options.expiration !== null)
      claims.exp = options.expiration ?? Math.floor(Date.now() / 1000) + 3600
    const token = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
      .sign(signer.privateKey)
    if ((options.scheme ?? 'vapid') === 'vapid') {
      headers.authorization = `vapid t=${token}, k=${keys.applicationServerKey}`
    } else {
      headers.authorization = `WebPush ${token}`
      cryptoKey = [cryptoKey, `p256ecdsa=${keys.applicationServerKey}`].filter(Boolean).join(';')
    }
  }
  if (cryptoKey !== undefined) headers['crypto-key'] = cryptoKey
  Object.assign(headers, options.headers)
  return { url: subscription.endpoint, headers, body }
}

export interface SentResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export async function post(built: BuiltRequest, dispatcher: Agent): Promise<SentResponse> {
  const response = await request(built.url, {
    method: 'POST',
    headers: built.headers,
    body: built.body,
    dispatcher,
  })
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  }
}

export async function send(
  subscription: PushSubscriptionJSON,
  payload: string | Uint8Array | null,
  dispatcher: Agent,
  options: SendOptions = {},
): Promise<SentResponse> {
  return post(await buildRequest(subscription, payload, options), dispatcher)
}
