// Properties (fast-check, bounded runs): for any valid private scalar, every export format imports
// back to the same key; for any audience, subject and claims, sign -> verify returns the claims.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createVapidAuthorization,
  exportVapidKeys,
  importVapidKeys,
  verifyVapidAuthorization,
  type VapidKeyFormat,
} from '../src/index.ts'

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const FORMATS: VapidKeyFormat[] = ['raw', 'pkcs8-pem', 'sec1-pem', 'der', 'jwk']

function scalarBytes(value: bigint): Uint8Array {
  const hex = value.toString(16).padStart(64, '0')
  return Uint8Array.from({ length: 32 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16))
}

const scalar = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: N - 1n }) },
  { weight: 1, arbitrary: fc.constantFrom(1n, 2n, N - 1n, N - 2n, 2n ** 255n) },
)

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
const audience = fc
  .tuple(label, fc.constantFrom('com', 'net', 'org'), fc.option(fc.integer({ min: 1, max: 65535 })))
  .map(([host, tld, port]) => {
    const url = new URL(`https://${host}.${tld}`)
    if (port !== null) url.port = String(port)
    return url.origin
  })
const subject = fc.oneof(
  fc.tuple(label, label).map(([user, domain]) => `mailto:${user}@${domain}.example`),
  label.map((path) => `https://example.com/${path}`),
)
const claims = fc.option(
  fc.dictionary(
    label.filter((name) => !['aud', 'exp', 'sub'].includes(name)),
    fc.jsonValue(),
    { maxKeys: 3 },
  ),
  { nil: undefined },
)

describe('round-trip properties', () => {
  it('every format imports back to the same key, from any other format', async () => {
    await fc.assert(
      fc.asyncProperty(
        scalar,
        fc.constantFrom(...FORMATS),
        fc.constantFrom(...FORMATS),
        async (d, from, to) => {
          const original = await importVapidKeys({ privateKey: scalarBytes(d), extractable: true })
          const exported = await exportVapidKeys(original, { format: from })
          const imported = await importVapidKeys({
            privateKey: exported.privateKey,
            publicKey: exported.publicKey,
            extractable: true,
          })
          expect(imported.id).toBe(original.id)
          expect(imported.applicationServerKey).toBe(original.applicationServerKey)
          expect(await exportVapidKeys(imported, { format: to })).toEqual(
            await exportVapidKeys(original, { format: to }),
          )
        },
      ),
      { numRuns: 60 },
    )
  })

  it('sign -> verify returns the claims, in both header forms', async () => {
    const keys = await importVapidKeys({ privateKey: scalarBytes(123_456_789n) })
    await fc.assert(
      fc.asyncProperty(
        audience,
        subject,
        claims,
        fc.constantFrom('vapid', 'webpush' as const),
        async (aud, sub, extra, scheme) => {
          const result = await createVapidAuthorization({
            keys,
            audience: aud,
            subject: sub,
            scheme,
            ...(extra === undefined ? {} : { claims: extra }),
          })
          const verified = await verifyVapidAuthorization(
            { authorization: result.authorization, cryptoKey: result.cryptoKey ?? null },
            { audience: aud, publicKey: keys.applicationServerKey },
          )
          expect(verified.claims).toEqual(
            JSON.parse(JSON.stringify({ aud, exp: result.expiresAt, sub, ...extra })),
          )
        },
      ),
      { numRuns: 100 },
    )
  })
})
