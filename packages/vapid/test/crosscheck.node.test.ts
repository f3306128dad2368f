// Independent cross-checks with node:crypto (OpenSSL), run on Node only: our tokens verify with
// crypto.verify (ES256 = ECDSA P-256 SHA-256 with the IEEE P1363 R || S encoding, RFC 7518 §3.4),
// tokens signed by node:crypto verify with us, and keys move between the two in every format.
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createVapidAuthorization,
  createVapidToken,
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  importVapidPublicKey,
  verifyVapidAuthorization,
} from '../src/index.ts'

const audience = 'https://updates.push.services.mozilla.com'
const subject = 'mailto:push@example.com'

function verifyWithNode(token: string, publicKey: KeyObject): boolean {
  const [header, payload, signature] = token.split('.')
  return verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature!, 'base64url'),
  )
}

describe('node:crypto cross-check', () => {
  it('node:crypto verifies tokens we sign (20 tokens, fresh keys)', async () => {
    for (let i = 0; i < 4; i++) {
      const keys = await generateVapidKeys()
      const { publicKey } = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
      const nodeKey = createPublicKey(publicKey)
      for (let j = 0; j < 5; j++) {
        const token = await createVapidToken({ keys, audience, subject })
        expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(64)
        expect(verifyWithNode(token, nodeKey)).toBe(true)
        const [header, payload, signature] = token.split('.')
        const flipped = Buffer.from(signature!, 'base64url')
        flipped[10] = flipped[10]! ^ 1
        expect(
          verifyWithNode(`${header}.${payload}.${flipped.toString('base64url')}`, nodeKey),
        ).toBe(false)
      }
    }
  })

  it('node:crypto verifies the key in the header (k) against the token', async () => {
    const keys = await generateVapidKeys()
    const { authorization } = await createVapidAuthorization({ keys, audience, subject })
    const [, t, k] = /^vapid t=([^,]+), k=(.+)$/.exec(authorization)!
    const point = Buffer.from(k!, 'base64url')
    const nodeKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    })
    expect(verifyWithNode(t!, nodeKey)).toBe(true)
  })

  it('we verify a VAPID token signed by node:crypto', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url')
    const claims = { aud: audience, exp: Math.floor(Date.now() / 1000) + 600, sub: subject }
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url')
    const jwk = publicKey.export({ format: 'jwk' })
    const k = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x!, 'base64url'),
      Buffer.from(jwk.y!, 'base64url'),
    ]).toString('base64url')
    const verified = await verifyVapidAuthorization(
      { authorization: `WebPush ${header}.${payload}.${signature}`, cryptoKey: `p256ecdsa=${k}` },
      { audience },
    )
    expect(verified.claims).toEqual(claims)
  })

  it('imports keys node:crypto writes, in every format, deriving the same public key', async () => {
    for (let i = 0; i < 3; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      const jwk = privateKey.export({ format: 'jwk' })
      const raw = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, 'base64url'),
        Buffer.from(jwk.y!, 'base64url'),
      ]).toString('base64url')
      const inputs = [
        privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        privateKey.export({ format: 'pem', type: 'sec1' }) as string,
        (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64'),
        (privateKey.export({ format: 'der', type: 'sec1' }) as Buffer).toString('base64url'),
        new Uint8Array(privateKey.export({ format: 'der', type: 'sec1' }) as Buffer),
        jwk.d!,
        JSON.stringify(jwk),
      ]
      for (const input of inputs) {
        const keys = await importVapidKeys(
          typeof input === 'string' ? input : { privateKey: input },
        )
        expect(keys.applicationServerKey).toBe(raw)
      }
      const spkiPem = publicKey.export({ format: 'pem', type: 'spki' }) as string
      expect((await importVapidPublicKey(spkiPem)).applicationServerKey).toBe(raw)
    }
  })

  it('node:crypto reads every private key format we write', async () => {
    const keys = await generateVapidKeys()
    const { privateKey: d, publicKey: raw } = await exportVapidKeys(keys, { format: 'raw' })
    const expectD = (key: KeyObject): void => {
      expect(key.export({ format: 'jwk' }).d).toBe(d)
    }
    expectD(createPrivateKey((await exportVapidKeys(keys, { format: 'pkcs8-pem' })).privateKey))
    expectD(createPrivateKey((await exportVapidKeys(keys, { format: 'sec1-pem' })).privateKey))
    const der = await exportVapidKeys(keys, { format: 'der' })
    expectD(
      createPrivateKey({
        key: Buffer.from(der.privateKey, 'base64url'),
        format: 'der',
        type: 'pkcs8',
      }),
    )
    const spki = createPublicKey({
      key: Buffer.from(der.publicKey, 'base64url'),
      format: 'der',
      type: 'spki',
    })
    const jwk = spki.export({ format: 'jwk' })
    expect(
      Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, 'base64url'),
        Buffer.from(jwk.y!, 'base64url'),
      ]).toString('base64url'),
    ).toBe(raw)
    const { privateKey: privateJwk } = await exportVapidKeys(keys, { format: 'jwk' })
    expectD(createPrivateKey({ key: privateJwk as never, format: 'jwk' }))
  })

  it('derives the public key as OpenSSL does, for raw private keys (web-push style)', async () => {
    for (let i = 0; i < 10; i++) {
      const ecdh = createECDH('prime256v1')
      ecdh.generateKeys()
      const keys = await importVapidKeys(ecdh.getPrivateKey('base64url'))
      expect(keys.applicationServerKey).toBe(ecdh.getPublicKey('base64url'))
    }
  })
})
