// Typed access to test/vectors/webpush-encryption.json (copied unchanged from the published set).
import data from '../vectors/webpush-encryption.json' with { type: 'json' }
import { fromB64u } from './receiver.ts'

export interface Binary {
  readonly b64u: string
  readonly hex: string
  readonly utf8?: string
}

export interface EncryptionVector {
  readonly id: string
  readonly kind: string
  readonly source: { readonly document: string; readonly section: string; readonly url: string }
  readonly input: Record<string, unknown> & {
    readonly plaintext?: Binary
    readonly ua_private: Binary
    readonly ua_public: Binary
    readonly auth_secret?: Binary
    readonly as_private?: Binary
    readonly as_public?: Binary
    readonly salt?: Binary
    readonly body?: Binary
    readonly rs?: number
  }
  readonly subscription?: {
    readonly endpoint: string
    readonly keys: { readonly p256dh: string; readonly auth: string }
  }
  readonly intermediate?: Record<string, Binary>
  readonly output: { readonly body?: Binary; readonly plaintext?: Binary }
  readonly http?: Record<string, string>
}

export const vectors = (data as { vectors: EncryptionVector[] }).vectors

export function vector(id: string): EncryptionVector {
  const found = vectors.find((entry) => entry.id === id)
  if (found === undefined) throw new Error(`no vector ${id}`)
  return found
}

export function bytes(value: Binary | undefined): Uint8Array {
  if (value === undefined) throw new Error('missing vector value')
  return fromB64u(value.b64u)
}
