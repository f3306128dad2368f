// Shared test helpers: typed vectors and a fake clock in whole seconds.
import { vi } from 'vitest'
import rfc8292 from './vectors/rfc8292.json' with { type: 'json' }
import rfc8291Keys from './vectors/rfc8291-keys.json' with { type: 'json' }

export interface Binary {
  b64u: string
  hex: string
}

export interface VerifyVector {
  id: string
  kind: 'vapid-verify'
  source: { document: string; section: string; url: string }
  input: {
    token: string
    public_key: Binary
    jwk?: { crv: string; kty: string; x: string; y: string }
    endpoint: string
    verify_at: number
  }
  expected: {
    jwt_header?: Record<string, unknown>
    jwt_claims: { aud: string; exp: number; sub: string }
    authorization: string
    crypto_key?: string
    signature_valid: boolean
  }
}

export interface AudienceVector {
  id: string
  kind: 'vapid-audience'
  cases: { endpoint: string; aud: string }[]
}

export const verifyVectors = rfc8292.vectors.filter(
  (vector) => vector.kind === 'vapid-verify',
) as unknown as VerifyVector[]

export const audienceVectors = rfc8292.vectors.filter(
  (vector) => vector.kind === 'vapid-audience',
) as unknown as AudienceVector[]

export const keyPairVectors: { title: string; privateKey: Binary; publicKey: Binary }[] =
  rfc8291Keys.vectors.map((vector) => ({
    title: vector.title,
    privateKey: vector.input.private_key,
    publicKey: vector.output.public_key,
  }))

/** The RFC 8291 Appendix A application server key (a published test key). */
export const TEST_PRIVATE_KEY = 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw'
export const TEST_PUBLIC_KEY =
  'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8'

/** Freezes `Date` (only) at `seconds` since the epoch. */
export function setClock(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(seconds * 1000)
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function bytesToHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

export function base64UrlToBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (char) =>
    char.charCodeAt(0),
  )
}

export function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64UrlToBytes(part))) as Record<string, unknown>
}
