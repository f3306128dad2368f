// Public API behaviour: developer misuse is TypeError/RangeError (channel 1), inputs are never
// mutated, outputs are fresh, and the documented defaults hold.
import { describe, expect, it } from 'vitest'
import {
  decrypt,
  decryptAesgcm,
  DEFAULT_RECORD_SIZE,
  encrypt,
  encryptAesgcm,
  parseHeader,
} from '../src/index.js'
import { bytes, expectCode, toHex, utf8 } from './helpers.js'

const key = bytes(16, 5)
const salt = bytes(16, 6)

/** A valid P-256 public key (the RFC 8291 Appendix A user agent key). */
const point = Uint8Array.from(
  atob(
    'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4'
      .replace(/-/g, '+')
      .replace(/_/g, '/') + '=',
  ),
  (c) => c.charCodeAt(0),
)

describe('encrypt (aes128gcm) misuse', () => {
  const text = utf8('hello')
  it.each([
    ['plaintext', () => encrypt('hello' as never, { key })],
    ['options', () => encrypt(text, null as never)],
    ['key type', () => encrypt(text, { key: 'k' as never })],
    ['salt type', () => encrypt(text, { key, salt: [1] as never })],
    ['recordSize type', () => encrypt(text, { key, recordSize: '4096' as never })],
    ['keyId type', () => encrypt(text, { key, keyId: 5 as never })],
    ['padding type', () => encrypt(text, { key, padding: '1' as never })],
    ['unknown option', () => encrypt(text, { key, pading: 3 } as never)],
  ])('%s → TypeError', async (_, call) => {
    await expect(call()).rejects.toThrow(TypeError)
  })

  it.each([
    ['15-byte key', () => encrypt(text, { key: bytes(15) })],
    ['15-byte salt', () => encrypt(text, { key, salt: bytes(15) })],
    ['20-byte salt', () => encrypt(text, { key, salt: bytes(20) })],
    ['rs 17', () => encrypt(text, { key, recordSize: 17 })],
    ['rs 2^32', () => encrypt(text, { key, recordSize: 2 ** 32 })],
    ['rs 100.5', () => encrypt(text, { key, recordSize: 100.5 })],
    ['rs NaN', () => encrypt(text, { key, recordSize: Number.NaN })],
    ['padding -1', () => encrypt(text, { key, padding: -1 })],
    ['padding 1.5', () => encrypt(text, { key, padding: 1.5 })],
    ['keyId of 256 bytes', () => encrypt(text, { key, keyId: bytes(256) })],
    ['keyId string of 256 UTF-8 bytes', () => encrypt(text, { key, keyId: 'é'.repeat(128) })],
  ])('%s → RangeError', async (_, call) => {
    await expect(call()).rejects.toThrow(RangeError)
  })

  it('names the rule in the message', async () => {
    await expect(encrypt(text, { key, recordSize: 17 })).rejects.toThrow(/RFC 8188 §2\.1/)
  })
})

describe('decrypt (aes128gcm) misuse and key lookup', () => {
  it('needs exactly one of key and keyLookup', async () => {
    const body = await encrypt(utf8('x'), { key })
    await expect(decrypt(body, {} as never)).rejects.toThrow(TypeError)
    await expect(decrypt(body, { key, keyLookup: () => key } as never)).rejects.toThrow(TypeError)
    await expect(decrypt(body, { keyLookup: 'k' } as never)).rejects.toThrow(TypeError)
    await expect(decrypt(body, { key: bytes(15) })).rejects.toThrow(RangeError)
    await expect(decrypt(body, { key, maxPlaintextSize: -1 })).rejects.toThrow(RangeError)
    await expect(decrypt('body' as never, { key })).rejects.toThrow(TypeError)
  })

  it('supports an async key lookup', async () => {
    const body = await encrypt(utf8('x'), { key, keyId: 'k1' })
    const plaintext = await decrypt(body, {
      keyLookup: async (keyId) => {
        await Promise.resolve()
        return new TextDecoder().decode(keyId) === 'k1' ? key : undefined
      },
    })
    expect(toHex(plaintext)).toBe('78')
  })

  it('unknown keyid → ERR_ECE_INVALID_KEY; a bad key from the lookup → RangeError', async () => {
    const body = await encrypt(utf8('x'), { key, keyId: 'k1' })
    await expectCode(decrypt(body, { keyLookup: () => undefined }), 'ERR_ECE_INVALID_KEY')
    await expect(decrypt(body, { keyLookup: () => bytes(8) })).rejects.toThrow(RangeError)
    const own = new Error('store down')
    await expect(decrypt(body, { keyLookup: () => Promise.reject(own) })).rejects.toBe(own)
  })

  it('checks the body structure before calling the key lookup', async () => {
    let called = false
    await expectCode(
      decrypt(bytes(10), { keyLookup: () => ((called = true), key) }),
      'ERR_ECE_INVALID_HEADER',
    )
    expect(called).toBe(false)
  })
})

describe('encrypt / decrypt behaviour', () => {
  it('uses a random salt and rs 4096 by default', async () => {
    const a = parseHeader(await encrypt(utf8('x'), { key }))
    const b = parseHeader(await encrypt(utf8('x'), { key }))
    expect(toHex(a.salt)).not.toBe(toHex(b.salt))
    expect(a.recordSize).toBe(DEFAULT_RECORD_SIZE)
    expect(DEFAULT_RECORD_SIZE).toBe(4096)
  })

  it('Web Push size: 3993 octets with a 65-octet keyid fill one 4096-octet body (RFC 8291 §4)', async () => {
    const body = await encrypt(bytes(3993), { key: bytes(32), keyId: point })
    expect(body).toHaveLength(4096)
    expect(parseHeader(body).headerLength).toBe(86)
  })

  it('encodes a string keyId as UTF-8', async () => {
    const body = await encrypt(utf8('x'), { key, keyId: 'ключ' })
    expect(toHex(parseHeader(body).keyId)).toBe(toHex(utf8('ключ')))
  })

  it('does not mutate inputs and returns fresh arrays', async () => {
    const plaintext = bytes(100, 3)
    const before = toHex(plaintext)
    const saltCopy = new Uint8Array(salt)
    const body = await encrypt(plaintext, { key, salt: saltCopy, recordSize: 30, padding: 7 })
    expect(toHex(plaintext)).toBe(before)
    expect(toHex(saltCopy)).toBe(toHex(salt))
    expect(body.buffer).not.toBe(plaintext.buffer)
    const bodyBefore = toHex(body)
    const out = await decrypt(body, { key })
    expect(toHex(body)).toBe(bodyBefore)
    expect(toHex(out)).toBe(before)
    expect(out.byteOffset).toBe(0)
    expect(out.buffer.byteLength).toBe(100)
  })

  it('accepts views at an offset and SharedArrayBuffer-backed input', async () => {
    const backing = new Uint8Array(new SharedArrayBuffer(64))
    backing.set(bytes(40, 9), 8)
    const plaintext = backing.subarray(8, 48)
    const sharedKey = new Uint8Array(new SharedArrayBuffer(16))
    sharedKey.set(key)
    const body = await encrypt(plaintext, { key: sharedKey, recordSize: 20 })
    const sharedBody = new Uint8Array(new SharedArrayBuffer(body.length + 3)).subarray(3)
    sharedBody.set(body)
    expect(toHex(await decrypt(sharedBody, { key: sharedKey }))).toBe(toHex(bytes(40, 9)))
  })

  it('accepts rs 2^32 − 1 in a body (one record; nothing is allocated by rs)', async () => {
    const body = await encrypt(bytes(50), { key, recordSize: 0xffffffff })
    expect(parseHeader(body).recordSize).toBe(0xffffffff)
    expect(toHex(await decrypt(body, { key }))).toBe(toHex(bytes(50)))
  })

  it('maxPlaintextSize bounds the content the body could hold, inclusive', async () => {
    const body = await encrypt(bytes(10), { key, padding: 5 })
    expect(await decrypt(body, { key, maxPlaintextSize: 15 })).toHaveLength(10)
    await expectCode(decrypt(body, { key, maxPlaintextSize: 14 }), 'ERR_ECE_PLAINTEXT_TOO_LARGE')
  })

  it('many records (more than in flight at once): any tampered record fails uniformly', async () => {
    const plaintext = bytes(300 * 7, 21)
    const body = await encrypt(plaintext, { key, recordSize: 24, padding: 3 }) // 301 records
    expect(toHex(await decrypt(body, { key }))).toBe(toHex(plaintext))
    for (const record of [0, 3, 150, 300]) {
      const tampered = new Uint8Array(body)
      tampered[21 + record * 24 + 2]! ^= 1
      await expectCode(decrypt(tampered, { key }), 'ERR_ECE_DECRYPTION_FAILED')
    }
    const sent = await encryptAesgcm(plaintext, { key, recordSize: 10, padding: 9 })
    const back = await decryptAesgcm(sent.body, { key, salt: sent.salt, recordSize: 10 })
    expect(toHex(back)).toBe(toHex(plaintext))
  })

  it('empty plaintext round-trips in both codings', async () => {
    expect(await decrypt(await encrypt(new Uint8Array(0), { key }), { key })).toHaveLength(0)
    const sent = await encryptAesgcm(new Uint8Array(0), { key })
    expect(sent.body).toHaveLength(18)
    expect(await decryptAesgcm(sent.body, { key, salt: sent.salt })).toHaveLength(0)
  })
})

describe('aesgcm misuse', () => {
  const text = utf8('hello')
  const dh = { receiverPublicKey: point, senderPublicKey: point }

  it.each([
    ['unknown option', () => encryptAesgcm(text, { key, keyId: 'a' } as never)],
    ['dh not an object', () => encryptAesgcm(text, { key, dh: 'x' as never })],
    ['dh unknown key', () => encryptAesgcm(text, { key, dh: { ...dh, x: 1 } as never })],
    [
      'dh key type',
      () => encryptAesgcm(text, { key, dh: { ...dh, senderPublicKey: 'x' as never } }),
    ],
    ['decrypt salt type', () => decryptAesgcm(text, { key, salt: 'x' as never })],
    ['decrypt rs type', () => decryptAesgcm(text, { key, salt, recordSize: '10' as never })],
    ['decrypt unknown option', () => decryptAesgcm(text, { key, salt, rs: 10 } as never)],
  ])('%s → TypeError', async (_, call) => {
    await expect(call()).rejects.toThrow(TypeError)
  })

  it.each([
    ['rs 2', () => encryptAesgcm(text, { key, recordSize: 2 })],
    ['15-byte key', () => encryptAesgcm(text, { key: bytes(15) })],
    ['15-byte auth secret', () => encryptAesgcm(text, { key, authSecret: bytes(15) })],
    [
      '64-byte dh key',
      () => encryptAesgcm(text, { key, dh: { ...dh, receiverPublicKey: bytes(64) } }),
    ],
    [
      'dh key off the curve',
      () => {
        const bad = new Uint8Array(point)
        bad[64]! ^= 1
        return encryptAesgcm(text, { key, dh: { ...dh, senderPublicKey: bad } })
      },
    ],
    ['decrypt 15-byte key', () => decryptAesgcm(text, { key: bytes(15), salt })],
    [
      'decrypt 17-byte auth secret',
      () => decryptAesgcm(text, { key, salt, authSecret: bytes(17) }),
    ],
    [
      'decrypt own receiver key invalid',
      () => decryptAesgcm(text, { key, salt, dh: { ...dh, receiverPublicKey: bytes(65) } }),
    ],
  ])('%s → RangeError', async (_, call) => {
    await expect(call()).rejects.toThrow(RangeError)
  })

  it('header-borne values are data: EceError codes', async () => {
    const sent = await encryptAesgcm(text, { key })
    await expectCode(decryptAesgcm(sent.body, { key, salt: bytes(15) }), 'ERR_ECE_INVALID_HEADER')
    await expectCode(
      decryptAesgcm(sent.body, { key, salt, recordSize: 2 }),
      'ERR_ECE_INVALID_RECORD_SIZE',
    )
    await expectCode(
      decryptAesgcm(sent.body, { key, salt, recordSize: 10.5 }),
      'ERR_ECE_INVALID_RECORD_SIZE',
    )
    await expectCode(
      decryptAesgcm(sent.body, { key, salt, dh: { ...dh, senderPublicKey: bytes(65) } }),
      'ERR_ECE_INVALID_KEY',
    )
  })

  it('returns a copy of the salt and the rs used', async () => {
    const own = new Uint8Array(salt)
    const sent = await encryptAesgcm(text, { key, salt: own, recordSize: 100 })
    expect(sent.salt).not.toBe(own)
    expect(toHex(sent.salt)).toBe(toHex(salt))
    expect(sent.recordSize).toBe(100)
    expect(sent.headers.cryptoKey).toBeUndefined()
    expect('cryptoKey' in sent.headers).toBe(false)
  })
})
