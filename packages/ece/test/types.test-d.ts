// Type-level regression tests (jose test-d, undici test/types): checked by `pnpm run typecheck`
// (tsc -p tsconfig.json includes test/), not executed.
import { expectTypeOf } from 'vitest'
import {
  decrypt,
  decryptAesgcm,
  EceError,
  encrypt,
  encryptAesgcm,
  hkdf,
  parseAesgcmHeaders,
  parseHeader,
  type Aes128gcmHeader,
  type AesgcmEncryptResult,
  type AesgcmHeaderParams,
  type ContentEncoding,
  type DecryptOptions,
  type EceErrorCode,
  type EncryptOptions,
  type HkdfOptions,
} from '../src/index.js'
import type { DEFAULT_RECORD_SIZE } from '../src/index.js'

declare const bytes: Uint8Array
declare const error: unknown

// The code union is API: adding a member is a minor change, removing one a major change.
expectTypeOf<EceErrorCode>().toEqualTypeOf<
  | 'ERR_ECE_INVALID_HEADER'
  | 'ERR_ECE_INVALID_RECORD_SIZE'
  | 'ERR_ECE_INVALID_RECORD'
  | 'ERR_ECE_DECRYPTION_FAILED'
  | 'ERR_ECE_INVALID_PADDING'
  | 'ERR_ECE_TRUNCATED'
  | 'ERR_ECE_INVALID_KEY'
  | 'ERR_ECE_PLAINTEXT_TOO_LARGE'
>()
if (error instanceof EceError) {
  expectTypeOf(error.code).toEqualTypeOf<EceErrorCode>()
  if (error.code === 'ERR_ECE_TRUNCATED')
    expectTypeOf(error.code).toEqualTypeOf<'ERR_ECE_TRUNCATED'>()
}

expectTypeOf<ContentEncoding>().toEqualTypeOf<'aes128gcm' | 'aesgcm'>()
expectTypeOf<typeof DEFAULT_RECORD_SIZE>().toEqualTypeOf<4096>()

// Results are ArrayBuffer-backed, so they can go straight into fetch bodies and WebCrypto.
expectTypeOf(encrypt(bytes, { key: bytes })).resolves.toEqualTypeOf<Uint8Array<ArrayBuffer>>()
expectTypeOf(decrypt(bytes, { key: bytes })).resolves.toEqualTypeOf<Uint8Array<ArrayBuffer>>()
expectTypeOf(encrypt(bytes, { key: bytes })).resolves.toExtend<BufferSource>()
expectTypeOf(encryptAesgcm(bytes, { key: bytes })).resolves.toEqualTypeOf<AesgcmEncryptResult>()
expectTypeOf(decryptAesgcm(bytes, { key: bytes, salt: bytes })).resolves.toEqualTypeOf<
  Uint8Array<ArrayBuffer>
>()
expectTypeOf(parseHeader(bytes)).toEqualTypeOf<Aes128gcmHeader>()
// hkdf is synchronous.
expectTypeOf(hkdf({ salt: bytes, ikm: bytes, info: bytes, length: 32 })).toEqualTypeOf<
  Uint8Array<ArrayBuffer>
>()
expectTypeOf<HkdfOptions>().toEqualTypeOf<{
  salt: Uint8Array
  ikm: Uint8Array
  info: Uint8Array
  length: number
}>()
expectTypeOf(parseAesgcmHeaders({ encryption: 'salt=x' })).toEqualTypeOf<AesgcmHeaderParams>()

// Options reject typos and wrong types.
// @ts-expect-error -- misspelt option
void encrypt(bytes, { key: bytes, pading: 1 })
// @ts-expect-error -- keyId is bytes or a string
void encrypt(bytes, { key: bytes, keyId: 5 })
// @ts-expect-error -- key is required
void encrypt(bytes, { salt: bytes })
// @ts-expect-error -- exactly one of key and keyLookup
void decrypt(bytes, { key: bytes, keyLookup: () => bytes })
// @ts-expect-error -- one of key and keyLookup is required
void decrypt(bytes, { maxPlaintextSize: 10 })
// @ts-expect-error -- info is required (may be empty)
void hkdf({ salt: bytes, ikm: bytes, length: 32 })
// @ts-expect-error -- misspelt option
void hkdf({ salt: bytes, ikm: bytes, info: bytes, lenght: 32 })
// @ts-expect-error -- salt is required to decrypt aesgcm
void decryptAesgcm(bytes, { key: bytes })

// A key lookup may be async and may find nothing.
const lookup: DecryptOptions = {
  keyLookup: (keyId) => Promise.resolve(keyId.length > 0 ? bytes : undefined),
}
void decrypt(bytes, lookup)
const options: EncryptOptions = { key: bytes, keyId: 'a1', recordSize: 25, padding: 1 }
void encrypt(bytes, options)
// Header values may be absent (as from a Headers.get()).
void parseAesgcmHeaders({ encryption: null, cryptoKey: undefined })
