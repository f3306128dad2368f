// The receiver side of the kit (decryptPushMessage, importUserAgentKeys) against the published
// vectors, through the public fixtures: RFC 8291 Appendix A, draft-ietf-webpush-encryption-04,
// and Firefox's deterministic receiver vectors.
import { describe, expect, it } from 'vitest'
import { decryptPushMessage, importUserAgentKeys } from '../src/index.ts'
import {
  aesgcmExample,
  fixtureBytes,
  rfc8291Example,
  rfc8292Example,
  webPushVector,
  webPushVectorSet,
} from '../src/fixtures.ts'

const receiverKinds = new Set([
  'webpush-aes128gcm',
  'webpush-aes128gcm-decrypt',
  'webpush-aesgcm',
  'webpush-aesgcm-decrypt',
])

describe('fixtures', () => {
  it('carry all 17 published vectors with provenance', () => {
    expect(webPushVectorSet.format).toBe('webpush-conformance-vectors/1')
    expect(webPushVectorSet.vectors).toHaveLength(17)
    for (const vector of webPushVectorSet.vectors) {
      expect(vector.source.document.length).toBeGreaterThan(0)
      expect(vector.id).toMatch(/^[a-z0-9.-]+$/)
    }
  })

  it('decode RFC 8291 Appendix A', () => {
    expect(rfc8291Example.url).toBe('https://www.rfc-editor.org/rfc/rfc8291#appendix-A')
    expect(new TextDecoder().decode(rfc8291Example.plaintext)).toBe(
      'When I grow up, I want to be a watermelon',
    )
    expect(rfc8291Example.receiver.publicKey).toHaveLength(65)
    expect(rfc8291Example.receiver.authSecret).toHaveLength(16)
    expect(rfc8291Example.body).toHaveLength(144)
    expect(rfc8291Example.headers.contentEncoding).toBe('aes128gcm')
  })

  it('decode the aesgcm example with its header values', () => {
    expect(aesgcmExample.headers).toMatchObject({ contentEncoding: 'aesgcm' })
    expect(aesgcmExample.headers.encryption).toContain('salt=')
    expect(aesgcmExample.headers.cryptoKey).toContain('dh=')
  })

  it('decode the RFC 8292 §2.4 token', () => {
    expect(rfc8292Example.claims).toEqual({
      aud: 'https://push.example.net',
      exp: 1453523768,
      sub: 'mailto:push@example.com',
    })
    expect(rfc8292Example.publicKey).toHaveLength(65)
    expect(rfc8292Example.authorization.startsWith(`vapid t=${rfc8292Example.token}, k=`)).toBe(
      true,
    )
  })

  it('reject unknown ids and non-binary values', () => {
    expect(() => webPushVector('nope')).toThrow(RangeError)
    expect(() => fixtureBytes({ hex: '00' })).toThrow(TypeError)
    expect(fixtureBytes({ b64u: 'AQI', hex: '0102' })).toEqual(Uint8Array.of(1, 2))
  })
})

describe('decryptPushMessage (user agent side)', () => {
  for (const vector of webPushVectorSet.vectors.filter((entry) => receiverKinds.has(entry.kind))) {
    it(`${vector.id} (${vector.source.url ?? vector.source.document})`, async () => {
      const input = vector.input as Record<string, unknown>
      const http = (vector.http ?? {}) as Record<string, string>
      const keys = await importUserAgentKeys({
        privateKey: fixtureBytes(input.ua_private),
        publicKey: fixtureBytes(input.ua_public),
        authSecret: fixtureBytes(input.auth_secret),
      })
      const output = vector.output as Record<string, unknown>
      const body = fixtureBytes(output.body ?? input.body)
      const expected = fixtureBytes(output.plaintext ?? input.plaintext)
      const plaintext = await decryptPushMessage(
        body,
        {
          contentEncoding: http['Content-Encoding']!,
          encryption: http.Encryption,
          cryptoKey: http['Crypto-Key'],
        },
        keys,
      )
      expect(Buffer.from(plaintext).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
    })
  }

  it('fails with an EceError code on a flipped bit', async () => {
    const keys = await importUserAgentKeys(rfc8291Example.receiver)
    const body = rfc8291Example.body.slice()
    body[body.length - 1]! ^= 1
    await expect(decryptPushMessage(body, rfc8291Example.headers, keys)).rejects.toMatchObject({
      code: 'ERR_ECE_DECRYPTION_FAILED',
    })
  })

  it('fails with ERR_ECE_INVALID_KEY when the sender key is not on the curve', async () => {
    const keys = await importUserAgentKeys(rfc8291Example.receiver)
    const body = rfc8291Example.body.slice()
    body.fill(0x07, 22, 86) // the keyid (as_public) after salt, rs and idlen
    await expect(decryptPushMessage(body, rfc8291Example.headers, keys)).rejects.toMatchObject({
      code: 'ERR_ECE_INVALID_KEY',
    })
  })

  it('rejects an unknown coding with TypeError and bad key sizes with RangeError', async () => {
    const keys = await importUserAgentKeys(rfc8291Example.receiver)
    await expect(
      decryptPushMessage(new Uint8Array(0), { contentEncoding: 'gzip' }, keys),
    ).rejects.toBeInstanceOf(TypeError)
    await expect(
      importUserAgentKeys({ ...rfc8291Example.receiver, authSecret: new Uint8Array(15) }),
    ).rejects.toBeInstanceOf(RangeError)
  })
})
