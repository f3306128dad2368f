// EceError: stable codes, identity across copies, no secrets in messages (STYLE §6).
import { describe, expect, it } from 'vitest'
import { decrypt, EceError, encrypt } from '../src/index.js'
import { decryptionFailed } from '../src/errors.js'
import { bytes, toHex } from './helpers.js'

describe('EceError', () => {
  it('is an Error with name, code, message and cause', () => {
    const cause = new Error('inner')
    const error = new EceError('ERR_ECE_TRUNCATED', 'content ends without a final record', {
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(EceError)
    expect(error.name).toBe('EceError')
    expect(error.code).toBe('ERR_ECE_TRUNCATED')
    expect(error.cause).toBe(cause)
    expect(String(error)).toBe('EceError: content ends without a final record')
  })

  it('instanceof works for an error from another copy of the package', () => {
    // Another copy has another class but the same registered symbol on its prototype.
    class OtherCopy extends Error {}
    Object.defineProperty(OtherCopy.prototype, Symbol.for('@pushcraft/ece.EceError'), {
      value: true,
    })
    expect(new OtherCopy()).toBeInstanceOf(EceError)
    expect(new Error('x')).not.toBeInstanceOf(EceError)
    expect(null).not.toBeInstanceOf(EceError)
    expect({ code: 'ERR_ECE_TRUNCATED' }).not.toBeInstanceOf(EceError)
  })

  it('decryption failures are uniform', () => {
    const a = decryptionFailed(new Error('a'))
    const b = decryptionFailed(undefined)
    expect([a.code, a.message]).toEqual([b.code, b.message])
  })

  it('messages never contain key or plaintext bytes', async () => {
    const key = bytes(16, 42)
    const plaintext = bytes(40, 43)
    const body = await encrypt(plaintext, { key, recordSize: 18 + 10 })
    const secrets = [toHex(key), toHex(plaintext), toHex(plaintext.subarray(0, 8))]
    const errors: EceError[] = []
    for (let i = 0; i < body.length; i += 7) {
      const mutated = new Uint8Array(body)
      mutated[i]! ^= 0x41
      errors.push((await decrypt(mutated, { key }).catch((e: unknown) => e)) as EceError)
    }
    errors.push((await decrypt(body, { key: bytes(16, 1) }).catch((e: unknown) => e)) as EceError)
    expect(errors.every((e) => e instanceof EceError)).toBe(true)
    for (const error of errors) {
      for (const secret of secrets) expect(error.message.toLowerCase()).not.toContain(secret)
    }
  })
})
