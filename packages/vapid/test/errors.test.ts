// VapidError: codes, claim, cause, and instanceof across duplicate installs (STYLE §6).
import { describe, expect, it } from 'vitest'
import { importVapidKeys, VapidError, type VapidErrorCode } from '../src/index.ts'

describe('VapidError', () => {
  it('carries a code, an optional claim and cause', () => {
    const cause = new Error('inner')
    const error = new VapidError('ERR_VAPID_INVALID_CLAIMS', '"aud" does not match', {
      claim: 'aud',
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(VapidError)
    expect(error.name).toBe('VapidError')
    expect(error.code).toBe('ERR_VAPID_INVALID_CLAIMS')
    expect(error.claim).toBe('aud')
    expect(error.cause).toBe(cause)
    const plain = new VapidError('ERR_VAPID_INVALID_TOKEN', 'bad')
    expect(plain.claim).toBeUndefined()
    expect('cause' in plain).toBe(false)
  })

  it('is recognised across copies of the package (Symbol.for marker)', () => {
    const foreign = Object.create(
      Object.defineProperty({}, Symbol.for('@pushcraft/vapid.VapidError'), { value: true }),
    ) as object
    expect(foreign instanceof VapidError).toBe(true)
    expect(new Error('x') instanceof VapidError).toBe(false)
    expect((null as unknown) instanceof VapidError).toBe(false)
  })

  it('is what bad key data throws', async () => {
    const error = await importVapidKeys('nope').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(VapidError)
    const code: VapidErrorCode = (error as VapidError).code
    expect(code).toBe('ERR_VAPID_INVALID_KEY')
  })
})
