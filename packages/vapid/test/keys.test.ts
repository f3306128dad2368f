// VAPID keys (RFC 8292 §3.2, P-256): generation, import/export in every format, and rejection of
// malformed key data with ERR_VAPID_INVALID_KEY (data) versus TypeError (misuse).
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint'
import { describe, expect, it } from 'vitest'
import {
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  importVapidPublicKey,
  type VapidKeyFormat,
  type VapidKeys,
} from '../src/index.ts'
import {
  base64UrlToBytes,
  bytesToHex,
  hexToBytes,
  keyPairVectors,
  TEST_PRIVATE_KEY,
  TEST_PUBLIC_KEY,
} from './helpers.ts'

const FORMATS: VapidKeyFormat[] = ['raw', 'pkcs8-pem', 'sec1-pem', 'der', 'jwk']
const N_HEX = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'
const invalidKey = { code: 'ERR_VAPID_INVALID_KEY' }

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}

function scalarHex(value: bigint): string {
  return value.toString(16).padStart(64, '0')
}

async function testKeys(): Promise<VapidKeys> {
  return importVapidKeys({ privateKey: TEST_PRIVATE_KEY, extractable: true })
}

describe('generateVapidKeys', () => {
  it('makes an extractable ECDSA P-256 pair with a 65-byte public key', async () => {
    const keys = await generateVapidKeys()
    expect(keys.publicKeyBytes).toHaveLength(65)
    expect(keys.publicKeyBytes[0]).toBe(4)
    expect(keys.applicationServerKey).toBe(toBase64Url(keys.publicKeyBytes))
    expect(keys.applicationServerKey).toMatch(/^[A-Za-z0-9_-]{87}$/)
    expect(keys.privateKey.type).toBe('private')
    expect(keys.privateKey.extractable).toBe(true)
    expect(keys.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    expect(keys.publicKey.type).toBe('public')
    expect(Object.isFrozen(keys)).toBe(true)
  })

  it('makes different keys each time', async () => {
    const [a, b] = await Promise.all([generateVapidKeys(), generateVapidKeys()])
    expect(a.id).not.toBe(b.id)
  })

  it('can make a non-extractable key, which then cannot be exported', async () => {
    const keys = await generateVapidKeys({ extractable: false })
    expect(keys.privateKey.extractable).toBe(false)
    await expect(exportVapidKeys(keys, { format: 'raw' })).rejects.toThrow(TypeError)
  })

  it('rejects malformed options with TypeError', async () => {
    await expect(generateVapidKeys({ extractable: 'no' as never })).rejects.toThrow(TypeError)
    await expect(generateVapidKeys({ exportable: true } as never)).rejects.toThrow(TypeError)
    await expect(generateVapidKeys('yes' as never)).rejects.toThrow(TypeError)
  })
})

describe('key id', () => {
  it('is the RFC 7638 JWK thumbprint of the public key', async () => {
    const keys = await testKeys()
    const { publicKey } = await exportVapidKeys(keys, { format: 'jwk' })
    expect(keys.id).toBe(await calculateJwkThumbprint(publicKey as never, 'sha256'))
  })

  it('is the same for the pair and the public key alone', async () => {
    const keys = await testKeys()
    expect((await importVapidPublicKey(keys.applicationServerKey)).id).toBe(keys.id)
  })
})

describe('public key derivation from the private scalar (RFC 8291 Appendix A key pairs)', () => {
  for (const vector of keyPairVectors) {
    it(vector.title, async () => {
      const keys = await importVapidKeys(vector.privateKey.b64u)
      expect(keys.applicationServerKey).toBe(vector.publicKey.b64u)
      expect(bytesToHex(keys.publicKeyBytes)).toBe(vector.publicKey.hex)
      // and the given public key is accepted when it matches
      await expect(
        importVapidKeys({ privateKey: vector.privateKey.b64u, publicKey: vector.publicKey.b64u }),
      ).resolves.toMatchObject({ id: keys.id })
    })
  }

  it('works for the extreme scalars 1 and n - 1', async () => {
    const one = await importVapidKeys({ privateKey: hexToBytes(scalarHex(1n)) })
    // 1·G = G (SEC 2 §2.4.2 base point)
    expect(bytesToHex(one.publicKeyBytes)).toBe(
      '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
        '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
    )
    const last = await importVapidKeys({
      privateKey: hexToBytes(scalarHex(BigInt(`0x${N_HEX}`) - 1n)),
    })
    // (n - 1)·G = -G: same x, y negated
    expect(bytesToHex(last.publicKeyBytes.subarray(1, 33))).toBe(
      bytesToHex(one.publicKeyBytes.subarray(1, 33)),
    )
    expect(bytesToHex(last.publicKeyBytes.subarray(33))).not.toBe(
      bytesToHex(one.publicKeyBytes.subarray(33)),
    )
  })

  it('matches WebCrypto for generated keys', async () => {
    for (let i = 0; i < 5; i++) {
      const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ])
      const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
      const keys = await importVapidKeys(jwk.d!)
      const expected = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
      expect(keys.applicationServerKey).toBe(toBase64Url(expected))
    }
  })
})

describe('format round trips: each format to each other', () => {
  for (const from of FORMATS) {
    for (const to of FORMATS) {
      it(`${from} -> ${to}`, async () => {
        const original = await testKeys()
        const exported = await exportVapidKeys(original, { format: from })
        const imported = await importVapidKeys({
          privateKey: exported.privateKey,
          publicKey: exported.publicKey,
          format: from,
          extractable: true,
        })
        expect(imported.id).toBe(original.id)
        // exports are deterministic, so going through `from` changes nothing
        expect(await exportVapidKeys(imported, { format: to })).toEqual(
          await exportVapidKeys(original, { format: to }),
        )
      })
    }
  }

  for (const format of FORMATS) {
    it(`${format}: the private key alone imports with format detection`, async () => {
      const original = await testKeys()
      const { privateKey, publicKey } = await exportVapidKeys(original, { format })
      expect((await importVapidKeys(privateKey)).id).toBe(original.id)
      expect((await importVapidKeys({ privateKey })).id).toBe(original.id)
      expect((await importVapidPublicKey(publicKey)).id).toBe(original.id)
    })
  }

  it('exports the shapes each format promises', async () => {
    const keys = await testKeys()
    const raw = await exportVapidKeys(keys, { format: 'raw' })
    expect(raw).toEqual({ privateKey: TEST_PRIVATE_KEY, publicKey: TEST_PUBLIC_KEY })
    const pkcs8 = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
    expect(pkcs8.privateKey).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/,
    )
    expect(pkcs8.publicKey).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/,
    )
    for (const line of pkcs8.privateKey.split('\n')) expect(line.length).toBeLessThanOrEqual(64)
    const sec1 = await exportVapidKeys(keys, { format: 'sec1-pem' })
    expect(sec1.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/)
    const der = await exportVapidKeys(keys, { format: 'der' })
    expect(der.privateKey).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(base64UrlToBytes(der.privateKey)).toHaveLength(138)
    expect(base64UrlToBytes(der.publicKey)).toHaveLength(91)
    const jwk = await exportVapidKeys(keys, { format: 'jwk' })
    const point = base64UrlToBytes(TEST_PUBLIC_KEY)
    expect(jwk.privateKey).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: toBase64Url(point.subarray(1, 33)),
      y: toBase64Url(point.subarray(33)),
      d: TEST_PRIVATE_KEY,
    })
    expect(jwk.publicKey).not.toHaveProperty('d')
  })

  it('PKCS #8 export matches what WebCrypto writes', async () => {
    const keys = await testKeys()
    const webCrypto = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
    const der = await exportVapidKeys(keys, { format: 'der' })
    expect(bytesToHex(base64UrlToBytes(der.privateKey))).toBe(bytesToHex(webCrypto))
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey))
    expect(bytesToHex(base64UrlToBytes(der.publicKey))).toBe(bytesToHex(spki))
  })
})

describe('importVapidKeys: the forms users bring', () => {
  it('takes standard base64, with or without padding, and surrounding whitespace', async () => {
    const keys = await testKeys()
    const standard = btoa(String.fromCharCode(...base64UrlToBytes(TEST_PRIVATE_KEY)))
    expect(standard).toMatch(/[+/=]/)
    expect((await importVapidKeys(standard)).id).toBe(keys.id)
    expect((await importVapidKeys(standard.replace(/=+$/, ''))).id).toBe(keys.id)
    expect((await importVapidKeys(`  ${TEST_PRIVATE_KEY}\n`)).id).toBe(keys.id)
    expect((await importVapidKeys({ privateKey: standard, format: 'raw' })).id).toBe(keys.id)
  })

  it('takes raw bytes, DER bytes and PEM file bytes', async () => {
    const keys = await testKeys()
    const der = await exportVapidKeys(keys, { format: 'der' })
    const pem = await exportVapidKeys(keys, { format: 'sec1-pem' })
    for (const privateKey of [
      base64UrlToBytes(TEST_PRIVATE_KEY),
      base64UrlToBytes(der.privateKey),
      new TextEncoder().encode(pem.privateKey),
    ]) {
      expect((await importVapidKeys({ privateKey })).id).toBe(keys.id)
    }
    expect(
      (
        await importVapidKeys({
          privateKey: new TextEncoder().encode(pem.privateKey),
          format: 'sec1-pem',
        })
      ).id,
    ).toBe(keys.id)
  })

  it('takes DER base64 in standard base64 (pywebpush)', async () => {
    const keys = await testKeys()
    const der = base64UrlToBytes((await exportVapidKeys(keys, { format: 'der' })).privateKey)
    const standard = btoa(String.fromCharCode(...der))
    expect((await importVapidKeys({ privateKey: standard, format: 'der' })).id).toBe(keys.id)
  })

  it('takes PEM with CRLF, literal \\n escapes, and an EC PARAMETERS block first', async () => {
    const keys = await testKeys()
    const { privateKey } = await exportVapidKeys(keys, { format: 'sec1-pem' })
    const withParameters =
      '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' + privateKey
    for (const text of [
      privateKey.replaceAll('\n', '\r\n'),
      privateKey.replaceAll('\n', '\\n'),
      withParameters,
    ]) {
      expect((await importVapidKeys(text)).id).toBe(keys.id)
    }
  })

  it('takes SEC 1 and PKCS #8 DER without the optional public key (derives it)', async () => {
    const keys = await testKeys()
    const d = base64UrlToBytes(TEST_PRIVATE_KEY)
    const sec1 = new Uint8Array([0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20, ...d])
    const sec1WithParameters = new Uint8Array([
      0x30,
      0x31,
      0x02,
      0x01,
      0x01,
      0x04,
      0x20,
      ...d,
      0xa0,
      0x0a,
      0x06,
      0x08,
      0x2a,
      0x86,
      0x48,
      0xce,
      0x3d,
      0x03,
      0x01,
      0x07,
    ])
    const pkcs8 = new Uint8Array([
      0x30,
      0x41,
      0x02,
      0x01,
      0x00,
      0x30,
      0x13,
      0x06,
      0x07,
      0x2a,
      0x86,
      0x48,
      0xce,
      0x3d,
      0x02,
      0x01,
      0x06,
      0x08,
      0x2a,
      0x86,
      0x48,
      0xce,
      0x3d,
      0x03,
      0x01,
      0x07,
      0x04,
      0x27,
      ...sec1,
    ])
    for (const der of [sec1, sec1WithParameters, pkcs8]) {
      expect((await importVapidKeys({ privateKey: toBase64Url(der) })).id).toBe(keys.id)
      expect((await importVapidKeys({ privateKey: der, format: 'der' })).id).toBe(keys.id)
    }
  })

  it('takes JWK objects and JWK JSON', async () => {
    const keys = await testKeys()
    const { privateKey } = await exportVapidKeys(keys, { format: 'jwk' })
    expect((await importVapidKeys(privateKey)).id).toBe(keys.id)
    expect((await importVapidKeys(JSON.stringify(privateKey))).id).toBe(keys.id)
    const onlyD = { kty: privateKey.kty!, crv: privateKey.crv!, d: privateKey.d! }
    expect((await importVapidKeys({ privateKey: onlyD, format: 'jwk' })).id).toBe(keys.id)
  })

  it('takes a CryptoKey and keeps it', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])
    const keys = await importVapidKeys({ privateKey: pair.privateKey })
    expect(keys.privateKey).toBe(pair.privateKey)
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
    expect(keys.applicationServerKey).toBe(toBase64Url(raw))
    const withPublic = await importVapidKeys({
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
    })
    expect(withPublic.id).toBe(keys.id)
  })

  it('takes a non-extractable CryptoKey with its public key, and checks the pair', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])
    const keys = await importVapidKeys({ privateKey: pair.privateKey, publicKey: pair.publicKey })
    expect(keys.privateKey).toBe(pair.privateKey)
    await expect(importVapidKeys({ privateKey: pair.privateKey })).rejects.toThrow(TypeError)
    await expect(
      importVapidKeys({ privateKey: pair.privateKey, publicKey: TEST_PUBLIC_KEY }),
    ).rejects.toMatchObject(invalidKey)
  })

  it('converts an extractable ECDH key to ECDSA', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])
    const keys = await importVapidKeys({ privateKey: pair.privateKey })
    expect(keys.privateKey.algorithm.name).toBe('ECDSA')
    expect(keys.privateKey.usages).toEqual(['sign'])
  })

  it('imports non-extractable by default', async () => {
    const keys = await importVapidKeys(TEST_PRIVATE_KEY)
    expect(keys.privateKey.extractable).toBe(false)
    await expect(exportVapidKeys(keys, { format: 'jwk' })).rejects.toThrow(TypeError)
  })

  it('accepts a compressed public key (SEC 1 §2.3.4) and normalizes it', async () => {
    const bytes = base64UrlToBytes(TEST_PUBLIC_KEY)
    const compressed = new Uint8Array([2 + (bytes[64]! & 1), ...bytes.subarray(1, 33)])
    const publicKey = await importVapidPublicKey(compressed)
    expect(publicKey.applicationServerKey).toBe(TEST_PUBLIC_KEY)
    const flipped = new Uint8Array([compressed[0] === 2 ? 3 : 2, ...compressed.subarray(1)])
    expect((await importVapidPublicKey(flipped)).applicationServerKey).not.toBe(TEST_PUBLIC_KEY)
    const keys = await importVapidKeys({ privateKey: TEST_PRIVATE_KEY, publicKey: compressed })
    expect(keys.applicationServerKey).toBe(TEST_PUBLIC_KEY)
  })

  it('imports a public key from SPKI DER bytes, JWK JSON and a CryptoKey', async () => {
    const keys = await testKeys()
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey))
    expect((await importVapidPublicKey(spki)).id).toBe(keys.id)
    const { publicKey } = await exportVapidKeys(keys, { format: 'jwk' })
    expect((await importVapidPublicKey(JSON.stringify(publicKey))).id).toBe(keys.id)
    expect((await importVapidPublicKey(keys.publicKey)).id).toBe(keys.id)
  })
})

describe('rejection of malformed keys (ERR_VAPID_INVALID_KEY)', () => {
  const d = (): Uint8Array => base64UrlToBytes(TEST_PRIVATE_KEY)

  it('rejects wrong lengths', async () => {
    for (const length of [0, 1, 16, 31, 33, 48, 64]) {
      const bytes = new Uint8Array(length).fill(7)
      await expect(importVapidKeys({ privateKey: bytes, format: 'raw' })).rejects.toMatchObject(
        invalidKey,
      )
      if (length > 0) {
        await expect(
          importVapidKeys({ privateKey: toBase64Url(bytes), format: 'raw' }),
        ).rejects.toMatchObject(invalidKey)
      }
    }
    await expect(importVapidKeys('')).rejects.toMatchObject(invalidKey)
    for (const length of [32, 64, 66]) {
      await expect(importVapidPublicKey(new Uint8Array(length).fill(4))).rejects.toMatchObject(
        invalidKey,
      )
    }
  })

  it('rejects bad base64url', async () => {
    for (const text of [
      `${TEST_PRIVATE_KEY.slice(0, -1)}!`, // outside the alphabet
      `${TEST_PRIVATE_KEY.slice(0, 20)}+${TEST_PRIVATE_KEY.slice(21)}`, // mixes - and +
      `${TEST_PRIVATE_KEY}A`, // 44 chars: 33 bytes, neither a raw key nor DER
      `${TEST_PRIVATE_KEY.slice(0, -1)}x`, // non-zero trailing bits (RFC 4648 §3.5)
      TEST_PRIVATE_KEY.slice(0, 41), // 41 chars: length % 4 === 1
      'yfWPiYE n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw', // inner space
      'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw===', // too much padding
      'é'.repeat(43),
    ]) {
      await expect(importVapidKeys(text)).rejects.toMatchObject(invalidKey)
    }
    await expect(importVapidPublicKey(`${TEST_PUBLIC_KEY.slice(0, -1)}*`)).rejects.toMatchObject(
      invalidKey,
    )
  })

  it('rejects scalars out of range: 0, n, n + 1, 2^256 - 1', async () => {
    const n = BigInt(`0x${N_HEX}`)
    for (const scalar of [0n, n, n + 1n, 2n ** 256n - 1n]) {
      const bytes = hexToBytes(scalarHex(scalar))
      await expect(importVapidKeys({ privateKey: bytes })).rejects.toMatchObject(invalidKey)
      await expect(
        importVapidKeys({ kty: 'EC', crv: 'P-256', d: toBase64Url(bytes) }),
      ).rejects.toMatchObject(invalidKey)
    }
  })

  it('rejects off-curve public keys', async () => {
    const good = base64UrlToBytes(TEST_PUBLIC_KEY)
    const offCurve = Uint8Array.from(good)
    offCurve[64] = offCurve[64]! ^ 1
    const badPrefix = Uint8Array.from(good)
    badPrefix[0] = 5
    const p = hexToBytes('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff')
    const xTooLarge = new Uint8Array([4, ...p, ...good.subarray(33)])
    for (const point of [offCurve, badPrefix, xTooLarge, new Uint8Array(65)]) {
      await expect(importVapidPublicKey(point)).rejects.toMatchObject(invalidKey)
      await expect(importVapidPublicKey(toBase64Url(point))).rejects.toMatchObject(invalidKey)
      await expect(
        importVapidKeys({ privateKey: TEST_PRIVATE_KEY, publicKey: point }),
      ).rejects.toMatchObject(invalidKey)
    }
    // a compressed x with no point on the curve (x = 5 is not, x = 0? try a few)
    let rejected = 0
    for (let x = 1; x < 12; x++) {
      const compressed = new Uint8Array(33)
      compressed[0] = 2
      compressed[32] = x
      try {
        await importVapidPublicKey(compressed)
      } catch (error) {
        expect(error).toMatchObject(invalidKey)
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(0)
    // a SEC 1 key whose embedded public key is off the curve
    const keys = await testKeys()
    const sec1 = base64UrlToBytes((await exportVapidKeys(keys, { format: 'der' })).privateKey)
    sec1[sec1.length - 1] = sec1[sec1.length - 1]! ^ 1
    await expect(importVapidKeys({ privateKey: sec1 })).rejects.toMatchObject(invalidKey)
  })

  it('rejects a public key that belongs to another private key', async () => {
    const other = await generateVapidKeys()
    await expect(
      importVapidKeys({ privateKey: TEST_PRIVATE_KEY, publicKey: other.applicationServerKey }),
    ).rejects.toMatchObject(invalidKey)
    const { privateKey } = await exportVapidKeys(other, { format: 'jwk' })
    const mixed = { ...privateKey, d: TEST_PRIVATE_KEY }
    await expect(importVapidKeys(mixed)).rejects.toMatchObject(invalidKey)
  })

  it('rejects unsupported PEM: wrong label, encrypted, corrupt body, other curve', async () => {
    const keys = await testKeys()
    const { privateKey, publicKey } = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
    ])
    const p384Der = new Uint8Array(await crypto.subtle.exportKey('pkcs8', p384.privateKey))
    const p384Pem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...p384Der))}\n-----END PRIVATE KEY-----\n`
    for (const text of [
      publicKey, // a public key where a private key belongs
      privateKey.replaceAll('PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'),
      privateKey.replace('\n', '\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n'),
      privateKey.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'),
      privateKey.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA'), // valid base64, broken DER
      '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n',
      '-----BEGIN PRIVATE KEY-----\nMIGH\n', // no END line
      p384Pem,
    ]) {
      await expect(importVapidKeys(text)).rejects.toMatchObject(invalidKey)
    }
    const sec1 = (await exportVapidKeys(keys, { format: 'sec1-pem' })).privateKey
    await expect(importVapidKeys({ privateKey: sec1, format: 'pkcs8-pem' })).rejects.toMatchObject(
      invalidKey,
    )
    await expect(importVapidKeys({ privateKey, format: 'sec1-pem' })).rejects.toMatchObject(
      invalidKey,
    )
    await expect(importVapidPublicKey(privateKey)).rejects.toMatchObject(invalidKey)
  })

  it('rejects malformed DER: truncated, trailing bytes, wrong version, other curve', async () => {
    const keys = await testKeys()
    const der = base64UrlToBytes((await exportVapidKeys(keys, { format: 'der' })).privateKey)
    const sec1 = base64UrlToBytes(
      (await exportVapidKeys(keys, { format: 'sec1-pem' })).privateKey
        .split('\n')
        .filter((line) => !line.startsWith('-----'))
        .join('')
        .replaceAll('+', '-')
        .replaceAll('/', '_')
        .replace(/=+$/, ''),
    )
    const wrongVersion = Uint8Array.from(sec1)
    wrongVersion[4] = 2
    const otherCurve = Uint8Array.from(sec1)
    otherCurve[sec1.length - 65 - 5 - 1] = 0x08 // last byte of the prime256v1 OID
    for (const bytes of [
      der.subarray(0, 20),
      der.subarray(0, der.length - 1),
      new Uint8Array([...der, 0]),
      new Uint8Array([...sec1, 0, 0]),
      wrongVersion,
      otherCurve,
      new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]), // indefinite length (BER)
      new Uint8Array([0x30]),
    ]) {
      await expect(importVapidKeys({ privateKey: bytes })).rejects.toMatchObject(invalidKey)
      await expect(
        importVapidKeys({ privateKey: toBase64Url(bytes), format: 'der' }),
      ).rejects.toMatchObject(invalidKey)
    }
    await expect(importVapidPublicKey(der)).rejects.toMatchObject(invalidKey)
  })

  it('rejects malformed JWKs', async () => {
    const keys = await testKeys()
    const { privateKey } = await exportVapidKeys(keys, { format: 'jwk' })
    for (const jwk of [
      { ...privateKey, kty: 'RSA' },
      { ...privateKey, crv: 'P-384' },
      { ...privateKey, d: privateKey.d!.slice(0, -2) },
      { ...privateKey, d: `${privateKey.d!}=` },
      { ...privateKey, d: 7 },
      { kty: 'EC', crv: 'P-256', d: privateKey.d, x: privateKey.x },
      { ...privateKey, x: privateKey.y },
    ]) {
      await expect(importVapidKeys(jwk as JsonWebKey)).rejects.toMatchObject(invalidKey)
    }
    await expect(importVapidKeys('{"kty":"EC",')).rejects.toMatchObject(invalidKey)
    await expect(importVapidKeys({ privateKey: '[1,2]', format: 'jwk' })).rejects.toMatchObject(
      invalidKey,
    )
    await expect(
      importVapidPublicKey({ kty: 'EC', crv: 'P-256', x: privateKey.x! }),
    ).rejects.toMatchObject(invalidKey)
  })

  it('never puts key material in messages', async () => {
    const keys = await testKeys()
    const { privateKey } = await exportVapidKeys(keys, { format: 'jwk' })
    const attempts = [
      importVapidKeys({
        privateKey: TEST_PRIVATE_KEY,
        publicKey: (await generateVapidKeys()).applicationServerKey,
      }),
      importVapidKeys({ ...privateKey, crv: 'P-384' }),
      importVapidKeys(`${TEST_PRIVATE_KEY}AA`),
    ]
    for (const attempt of attempts) {
      const error = await attempt.catch((caught: unknown) => caught)
      expect(error).toMatchObject(invalidKey)
      const message = (error as Error).message
      expect(message).not.toContain(TEST_PRIVATE_KEY.slice(0, 12))
      expect(message).not.toContain(d().join(','))
    }
  })
})

describe('misuse (TypeError)', () => {
  it('rejects values of the wrong type', async () => {
    for (const input of [42, null, undefined, true, [1, 2]]) {
      await expect(importVapidKeys(input as never)).rejects.toThrow(TypeError)
    }
    for (const privateKey of [42, null, true, undefined]) {
      await expect(importVapidKeys({ privateKey } as never)).rejects.toThrow(TypeError)
    }
    await expect(
      importVapidKeys({ privateKey: TEST_PRIVATE_KEY, publicKey: 42 } as never),
    ).rejects.toThrow(TypeError)
    await expect(importVapidPublicKey(42 as never)).rejects.toThrow(TypeError)
  })

  it('rejects unknown formats and options', async () => {
    await expect(
      importVapidKeys({ privateKey: TEST_PRIVATE_KEY, format: 'pem' } as never),
    ).rejects.toThrow(TypeError)
    await expect(
      importVapidKeys({ privateKey: TEST_PRIVATE_KEY, extractible: true } as never),
    ).rejects.toThrow(TypeError)
    await expect(
      importVapidKeys({ privateKey: TEST_PRIVATE_KEY, extractable: 'yes' } as never),
    ).rejects.toThrow(TypeError)
    await expect(
      importVapidKeys({ privateKey: base64UrlToBytes(TEST_PRIVATE_KEY), format: 'jwk' }),
    ).rejects.toThrow(TypeError)
    await expect(
      importVapidKeys({
        privateKey: { kty: 'EC', crv: 'P-256', d: TEST_PRIVATE_KEY },
        format: 'raw',
      }),
    ).rejects.toThrow(TypeError)
  })

  it('rejects CryptoKeys that cannot be VAPID keys', async () => {
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
    ])
    await expect(importVapidKeys({ privateKey: p384.privateKey })).rejects.toThrow(TypeError)
    const p256 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
    ])
    await expect(importVapidKeys({ privateKey: p256.publicKey })).rejects.toThrow(TypeError)
    await expect(importVapidPublicKey(p256.privateKey)).rejects.toThrow(TypeError)
    const ecdh = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ])
    await expect(
      importVapidKeys({ privateKey: ecdh.privateKey, publicKey: ecdh.publicKey }),
    ).rejects.toThrow(TypeError)
  })

  it('exportVapidKeys rejects bad arguments', async () => {
    const keys = await testKeys()
    await expect(exportVapidKeys(keys, { format: 'pem' as never })).rejects.toThrow(TypeError)
    await expect(exportVapidKeys(keys, { format: 'auto' as never })).rejects.toThrow(TypeError)
    await expect(exportVapidKeys(keys, undefined as never)).rejects.toThrow(TypeError)
    await expect(exportVapidKeys({} as never, { format: 'raw' })).rejects.toThrow(TypeError)
  })
})
