// Test helpers that do not depend on the code under test (and on no Node global, so they run in
// the edge project too).
import { expect } from 'vitest'
import type { EceErrorCode } from '../src/index.js'

export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function fromB64u(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function toB64u(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text)

/** Binary value of a shared vector: `{ b64u, hex }`. */
export interface Bin {
  hex: string
  b64u: string
  utf8?: string
}
export const bin = (value: Bin): Uint8Array<ArrayBuffer> => fromHex(value.hex)

/** Asserts that `promise` rejects with an EceError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: EceErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'EceError', code })
}

/** Asserts that `fn` throws an EceError of `code`. */
export function expectThrowCode(fn: () => unknown, code: EceErrorCode): void {
  expect(fn).toThrow(expect.objectContaining({ name: 'EceError', code }))
}

/** ECDH P-256 with WebCrypto (a test concern: in production the ECDH belongs to webpush). */
export async function ecdhSecret(
  privateJwk: JsonWebKey,
  peerPublicKey: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const algorithm = { name: 'ECDH', namedCurve: 'P-256' }
  const privateKey = await crypto.subtle.importKey('jwk', privateJwk, algorithm, false, [
    'deriveBits',
  ])
  const publicKey = await crypto.subtle.importKey('raw', peerPublicKey, algorithm, true, [])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256),
  )
}

/** A deterministic byte string of `length` octets. */
export function bytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
