/**
 * The published Web Push test vectors as importable data, for users' own tests: RFC 8188 §3,
 * RFC 8291 Appendix A, draft-ietf-httpbis-encryption-encoding-03 / draft-ietf-webpush-encryption-04
 * (`aesgcm`), Firefox's deterministic receiver vectors, and the RFC 8292 §2.4 VAPID token. Every
 * vector keeps its provenance (`source.document`, `source.section`, `source.url`).
 *
 * Exported from the subpath `@pushcraft/testing/fixtures`.
 *
 * @module
 */

import { VECTOR_SET } from './fixtures-data.js'
import { fromBase64Url } from './internal/bytes.js'

/**
 * A binary value of the vector file: unpadded base64url and lowercase hex of the same octets
 * (plus `utf8` for text).
 *
 * @example
 *
 * ```ts
 * import { fixtureBytes, type FixtureBinary } from '@pushcraft/testing/fixtures'
 * const value: FixtureBinary = { b64u: 'AQI', hex: '0102' }
 * fixtureBytes(value) // Uint8Array [1, 2]
 * ```
 */
export interface FixtureBinary {
  readonly b64u: string
  readonly hex: string
  readonly utf8?: string
}

/**
 * The kinds of vectors (see `webPushVectorSet.conventions.kinds`).
 *
 * @example
 *
 * ```ts
 * import type { WebPushVectorKind } from '@pushcraft/testing/fixtures'
 * const kind: WebPushVectorKind = 'webpush-aes128gcm'
 * ```
 */
export type WebPushVectorKind =
  | 'aes128gcm'
  | 'webpush-aes128gcm'
  | 'webpush-aes128gcm-decrypt'
  | 'aesgcm'
  | 'webpush-aesgcm'
  | 'webpush-aesgcm-decrypt'
  | 'webpush-aesgcm128-decrypt'
  | 'vapid-verify'
  | 'vapid-audience'

/**
 * One vector with its provenance. Field shapes depend on `kind`; binary values are
 * {@link FixtureBinary}.
 *
 * @example
 *
 * ```ts
 * import { webPushVector } from '@pushcraft/testing/fixtures'
 * const vector = webPushVector('rfc8291-appendix-a')
 * console.log(vector.source.url)
 * ```
 */
export interface WebPushVector {
  readonly id: string
  readonly kind: WebPushVectorKind
  readonly source: {
    readonly document: string
    readonly section?: string
    readonly url?: string
    readonly [field: string]: unknown
  }
  readonly deterministic: boolean
  readonly optional?: boolean
  readonly input?: Readonly<Record<string, unknown>>
  readonly intermediate?: Readonly<Record<string, unknown>>
  readonly output?: unknown
  readonly subscription?: unknown
  readonly expected?: Readonly<Record<string, unknown>>
  readonly http?: Readonly<Record<string, unknown>>
  readonly notes?: unknown
  readonly [field: string]: unknown
}

/**
 * The vector file: format, description, conventions and the vectors.
 *
 * @example
 *
 * ```ts
 * import { webPushVectorSet } from '@pushcraft/testing/fixtures'
 * console.log(webPushVectorSet.format, webPushVectorSet.vectors.length)
 * ```
 */
export interface WebPushVectorSet {
  readonly format: string
  readonly description: string
  readonly conventions: Readonly<Record<string, unknown>>
  readonly vectors: readonly WebPushVector[]
}

/**
 * Every published vector, verbatim.
 *
 * @example
 *
 * ```ts
 * import { webPushVectorSet } from '@pushcraft/testing/fixtures'
 * const decryptOnly = webPushVectorSet.vectors.filter((vector) => vector.kind.endsWith('-decrypt'))
 * ```
 */
export const webPushVectorSet: WebPushVectorSet = VECTOR_SET

/**
 * The vector with this `id`.
 *
 * @param id - E.g. `'rfc8291-appendix-a'`, `'rfc8188-3.1-single-record'`.
 * @returns The vector.
 * @throws `RangeError` for an unknown id.
 * @example
 *
 * ```ts
 * import { webPushVector } from '@pushcraft/testing/fixtures'
 * const walrus = webPushVector('rfc8188-3.1-single-record')
 * ```
 */
export function webPushVector(id: string): WebPushVector {
  const vector = VECTOR_SET.vectors.find((entry) => entry.id === id)
  if (vector === undefined) throw new RangeError(`no vector with the id "${id}"`)
  return vector
}

/**
 * The octets of a vector's binary value.
 *
 * @param value - A {@link FixtureBinary} (anything with a `b64u` string).
 * @returns A fresh `Uint8Array`.
 * @throws `TypeError` when `value` is not a binary value.
 * @example
 *
 * ```ts
 * import { fixtureBytes, webPushVector } from '@pushcraft/testing/fixtures'
 * const input = webPushVector('rfc8291-appendix-a').input as { auth_secret: { b64u: string; hex: string } }
 * const authSecret = fixtureBytes(input.auth_secret)
 * ```
 */
export function fixtureBytes(value: unknown): Uint8Array {
  const b64u =
    typeof value === 'object' && value !== null ? (value as { b64u?: unknown }).b64u : undefined
  const bytes = typeof b64u === 'string' ? fromBase64Url(b64u) : undefined
  if (bytes === undefined)
    throw new TypeError('"value" must be a vector binary value { b64u, hex }')
  return bytes
}

/**
 * RFC 8291 §5 / Appendix A, decoded: the receiver's keys, the sender's keys, the salt, and the
 * `aes128gcm` body that carries "When I grow up, I want to be a watermelon".
 *
 * @example
 *
 * ```ts
 * import { decryptPushMessage, importUserAgentKeys } from '@pushcraft/testing'
 * import { rfc8291Example as v } from '@pushcraft/testing/fixtures'
 * const keys = await importUserAgentKeys(v.receiver)
 * const plaintext = await decryptPushMessage(v.body, { contentEncoding: 'aes128gcm' }, keys)
 * ```
 */
export const rfc8291Example: WebPushEncryptionExample = example('rfc8291-appendix-a')

/**
 * draft-ietf-webpush-encryption-04 (legacy `aesgcm`), decoded, with its `Encryption` and
 * `Crypto-Key` header values.
 *
 * @example
 *
 * ```ts
 * import { decryptPushMessage, importUserAgentKeys } from '@pushcraft/testing'
 * import { aesgcmExample as v } from '@pushcraft/testing/fixtures'
 * const keys = await importUserAgentKeys(v.receiver)
 * const plaintext = await decryptPushMessage(v.body, v.headers, keys)
 * ```
 */
export const aesgcmExample: WebPushEncryptionExample = example('webpush-encryption-04-aesgcm')

/**
 * A decoded Web Push encryption example ({@link rfc8291Example}, {@link aesgcmExample}).
 *
 * @example
 *
 * ```ts
 * import { rfc8291Example, type WebPushEncryptionExample } from '@pushcraft/testing/fixtures'
 * const example: WebPushEncryptionExample = rfc8291Example
 * ```
 */
export interface WebPushEncryptionExample {
  /** The vector's id and provenance URL. */
  readonly id: string
  readonly url: string
  readonly plaintext: Uint8Array
  /** The user agent's keys (`ua_private`, `ua_public`, `auth_secret`). */
  readonly receiver: {
    readonly privateKey: Uint8Array
    readonly publicKey: Uint8Array
    readonly authSecret: Uint8Array
  }
  /** The application server's ephemeral keys (`as_private`, `as_public`). */
  readonly sender: { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }
  readonly salt: Uint8Array
  /** `rs` as the vector states it. */
  readonly recordSize: number
  /** The encrypted body. */
  readonly body: Uint8Array
  /** The subscription JSON of the example. */
  readonly subscription: {
    readonly endpoint: string
    readonly keys: { readonly p256dh: string; readonly auth: string }
  }
  /** The request headers that go with the body (`contentEncoding`, and for aesgcm `encryption`/`cryptoKey`). */
  readonly headers: {
    readonly contentEncoding: 'aes128gcm' | 'aesgcm'
    readonly encryption?: string
    readonly cryptoKey?: string
  }
}

function example(id: string): WebPushEncryptionExample {
  const vector = webPushVector(id)
  const input = vector.input as Record<string, unknown>
  const http = (vector.http ?? {}) as Record<string, string>
  const output = vector.output
  const bodyValue =
    typeof output === 'object' && output !== null && !Array.isArray(output) && 'body' in output
      ? output.body
      : (vector as { body?: unknown }).body
  const coding = http['Content-Encoding'] === 'aesgcm' ? 'aesgcm' : 'aes128gcm'
  return {
    id,
    url: vector.source.url ?? '',
    plaintext: fixtureBytes(input.plaintext),
    receiver: {
      privateKey: fixtureBytes(input.ua_private),
      publicKey: fixtureBytes(input.ua_public),
      authSecret: fixtureBytes(input.auth_secret),
    },
    sender: {
      privateKey: fixtureBytes(input.as_private),
      publicKey: fixtureBytes(input.as_public),
    },
    salt: fixtureBytes(input.salt),
    recordSize: Number(input.rs),
    body: fixtureBytes(bodyValue),
    subscription: vector.subscription as WebPushEncryptionExample['subscription'],
    headers:
      coding === 'aesgcm'
        ? {
            contentEncoding: 'aesgcm',
            encryption: String(http.Encryption),
            cryptoKey: String(http['Crypto-Key']),
          }
        : { contentEncoding: 'aes128gcm' },
  }
}

/**
 * RFC 8292 §2.4, decoded: the example token, its public key and both header forms. ES256 is
 * randomized, so this is a verify-only vector; verify at `verifyAt` (the token expired in 2016).
 *
 * @example
 *
 * ```ts
 * import { rfc8292Example } from '@pushcraft/testing/fixtures'
 * console.log(rfc8292Example.claims.aud) // https://push.example.net
 * ```
 */
export const rfc8292Example: {
  readonly token: string
  readonly publicKey: Uint8Array
  readonly authorization: string
  readonly claims: { readonly aud: string; readonly exp: number; readonly sub: string }
  /** A unix time (seconds) at which the token is valid. */
  readonly verifyAt: number
  readonly url: string
} = (() => {
  const vector = webPushVector('rfc8292-2.4-vapid-jwt')
  const input = vector.input as { token: string; public_key: FixtureBinary; verify_at: number }
  const expected = vector.expected as {
    authorization: string
    jwt_claims: { aud: string; exp: number; sub: string }
  }
  return {
    token: input.token,
    publicKey: fixtureBytes(input.public_key),
    authorization: expected.authorization,
    claims: expected.jwt_claims,
    verifyAt: input.verify_at,
    url: vector.source.url ?? '',
  }
})()
