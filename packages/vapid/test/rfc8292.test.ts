// RFC 8292 §2.4 example token (and the draft-01 legacy header form of the same token), verified
// in both header forms; RFC 8292 §2 audience derivation. Vectors: test/vectors/rfc8292.json.
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  audienceFromEndpoint,
  importVapidPublicKey,
  parseVapidAuthorization,
  verifyVapidAuthorization,
} from '../src/index.ts'
import { audienceVectors, decodeJwtPart, setClock, verifyVectors } from './helpers.ts'

afterEach(() => {
  vi.useRealTimers()
})

describe('RFC 8292 §2.4 example token', () => {
  for (const vector of verifyVectors) {
    describe(`${vector.id} (${vector.source.document} §${vector.source.section.split(' ')[0]})`, () => {
      const headers = {
        authorization: vector.expected.authorization,
        cryptoKey: vector.expected.crypto_key ?? null,
      }
      const audience = vector.expected.jwt_claims.aud

      it('parses the header form', () => {
        const parsed = parseVapidAuthorization(headers)
        expect(parsed.token).toBe(vector.input.token)
        expect(parsed.key).toBe(vector.input.public_key.b64u)
        expect(parsed.scheme).toBe(vector.expected.crypto_key === undefined ? 'vapid' : 'webpush')
      })

      it('verifies at input.verify_at with the published claims', async () => {
        setClock(vector.input.verify_at)
        const verified = await verifyVapidAuthorization(headers, { audience })
        expect(verified.claims).toEqual(vector.expected.jwt_claims)
        expect(verified.token).toBe(vector.input.token)
        expect(verified.applicationServerKey).toBe(vector.input.public_key.b64u)
        expect([...verified.publicKey].map((b) => b.toString(16).padStart(2, '0')).join('')).toBe(
          vector.input.public_key.hex,
        )
        if (vector.expected.jwt_header) expect(verified.header).toEqual(vector.expected.jwt_header)
        expect(vector.expected.signature_valid).toBe(true)
      })

      it('derives aud from the endpoint', () => {
        expect(audienceFromEndpoint(vector.input.endpoint)).toBe(audience)
      })

      it('decodes to the published header and claims', () => {
        const [header, payload] = vector.input.token.split('.')
        expect(decodeJwtPart(header!)).toEqual({ typ: 'JWT', alg: 'ES256' })
        expect(decodeJwtPart(payload!)).toEqual(vector.expected.jwt_claims)
      })

      it('verifies against the pinned subscription key', async () => {
        setClock(vector.input.verify_at)
        await expect(
          verifyVapidAuthorization(headers, { audience, publicKey: vector.input.public_key.b64u }),
        ).resolves.toMatchObject({ claims: { sub: 'mailto:push@example.com' } })
      })

      it('is expired with the real clock', async () => {
        await expect(verifyVapidAuthorization(headers, { audience })).rejects.toMatchObject({
          code: 'ERR_VAPID_INVALID_CLAIMS',
          claim: 'exp',
        })
      })

      it('is rejected one second after exp', async () => {
        setClock(vector.expected.jwt_claims.exp)
        await expect(verifyVapidAuthorization(headers, { audience })).rejects.toMatchObject({
          code: 'ERR_VAPID_INVALID_CLAIMS',
          claim: 'exp',
        })
      })

      it('is rejected for another audience', async () => {
        setClock(vector.input.verify_at)
        await expect(
          verifyVapidAuthorization(headers, { audience: 'https://push.example.com' }),
        ).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_CLAIMS', claim: 'aud' })
      })

      it('is rejected when one signature bit flips', async () => {
        setClock(vector.input.verify_at)
        const [header, payload, signature] = vector.input.token.split('.')
        const last = signature!.at(-2) === 'A' ? 'B' : 'A'
        const tampered = `${header}.${payload}.${signature!.slice(0, -2)}${last}${signature!.at(-1)}`
        const authorization = vector.expected.authorization.replace(vector.input.token, tampered)
        await expect(
          verifyVapidAuthorization({ ...headers, authorization }, { audience }),
        ).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_TOKEN' })
      })
    })
  }

  it('the JWK of the RFC 8292 vector is the same key as its raw form', async () => {
    const vector = verifyVectors.find((candidate) => candidate.input.jwk !== undefined)!
    const fromJwk = await importVapidPublicKey(vector.input.jwk!)
    const fromRaw = await importVapidPublicKey(vector.input.public_key.b64u)
    expect(fromJwk.applicationServerKey).toBe(vector.input.public_key.b64u)
    expect(fromJwk.id).toBe(fromRaw.id)
  })
})

describe('RFC 8292 §2 aud from endpoint (vapid-audience)', () => {
  it('rejects what is not an http(s) URL (TypeError)', () => {
    for (const bad of ['/p/abc', 'push.example.net/p', 'ftp://push.example.net/x', 'data:,x']) {
      expect(() => audienceFromEndpoint(bad)).toThrow(TypeError)
    }
    expect(() => audienceFromEndpoint(42 as never)).toThrow(TypeError)
    expect(() => audienceFromEndpoint(null as never)).toThrow(TypeError)
  })

  for (const vector of audienceVectors) {
    for (const { endpoint, aud } of vector.cases) {
      it(`${endpoint} -> ${aud}`, () => {
        expect(audienceFromEndpoint(endpoint)).toBe(aud)
        expect(audienceFromEndpoint(new URL(endpoint))).toBe(aud)
        // a URL object from another realm (no instanceof match)
        expect(audienceFromEndpoint({ href: endpoint } as unknown as URL)).toBe(aud)
      })
    }
  }
})
