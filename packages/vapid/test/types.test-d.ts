// Type-level regression tests (checked by `pnpm run typecheck`): error codes narrow, option types
// reject typos, export results follow the format.
import { expectTypeOf } from 'vitest'
import {
  createVapidAuthorization,
  exportVapidKeys,
  generateVapidKeys,
  verifyVapidAuthorization,
  type VapidAuthorization,
  type VapidClaimName,
  type VapidError,
  type VapidErrorCode,
  type VapidKeys,
  type VerifiedVapidAuthorization,
} from '../src/index.ts'

declare const keys: VapidKeys

expectTypeOf<VapidErrorCode>().toEqualTypeOf<
  | 'ERR_VAPID_INVALID_KEY'
  | 'ERR_VAPID_INVALID_TOKEN'
  | 'ERR_VAPID_INVALID_AUTHORIZATION'
  | 'ERR_VAPID_INVALID_CLAIMS'
  | 'ERR_VAPID_KEY_MISMATCH'
>()
expectTypeOf<VapidClaimName>().toEqualTypeOf<'aud' | 'exp' | 'nbf' | 'sub'>()
expectTypeOf<VapidError['code']>().toEqualTypeOf<VapidErrorCode>()

expectTypeOf(generateVapidKeys).returns.resolves.toEqualTypeOf<VapidKeys>()
expectTypeOf(exportVapidKeys(keys, { format: 'raw' })).resolves.toEqualTypeOf<{
  readonly privateKey: string
  readonly publicKey: string
}>()
expectTypeOf(exportVapidKeys(keys, { format: 'jwk' })).resolves.toEqualTypeOf<{
  readonly privateKey: JsonWebKey
  readonly publicKey: JsonWebKey
}>()
// @ts-expect-error: not a format
void exportVapidKeys(keys, { format: 'pem' })

expectTypeOf(
  createVapidAuthorization({ keys, audience: 'https://a.example', subject: 'mailto:a@b.example' }),
).resolves.toEqualTypeOf<VapidAuthorization>()
void createVapidAuthorization({
  keys,
  audience: 'https://a.example',
  subject: 'mailto:a@b.example',
  // @ts-expect-error: the scheme is 'vapid' | 'webpush'
  scheme: 'bearer',
})
void createVapidAuthorization({
  keys,
  audience: 'https://a.example',
  subject: 'mailto:a@b.example',
  // @ts-expect-error: unknown option
  expiresIn: 60,
})

expectTypeOf(
  verifyVapidAuthorization({ authorization: null }, { audience: 'https://a.example' }),
).resolves.toEqualTypeOf<VerifiedVapidAuthorization>()
expectTypeOf<VerifiedVapidAuthorization['claims']['exp']>().toEqualTypeOf<number>()
expectTypeOf<VerifiedVapidAuthorization['scheme']>().toEqualTypeOf<'vapid' | 'webpush'>()
