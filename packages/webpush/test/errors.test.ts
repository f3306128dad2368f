import { describe, expect, it } from 'vitest'
import { WebPushError, isWebPushError } from '../src/errors.ts'

describe('WebPushError', () => {
  it('carries code, field, reason and cause', () => {
    const cause = new Error('underlying')
    const error = new WebPushError(
      'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      '"keys.auth" must be 16 bytes',
      {
        field: 'keys.auth',
        reason: 'length',
        cause,
      },
    )
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('WebPushError')
    expect(error.code).toBe('ERR_WEBPUSH_INVALID_SUBSCRIPTION')
    expect(error.field).toBe('keys.auth')
    expect(error.reason).toBe('length')
    expect(error.cause).toBe(cause)
  })

  it('leaves field, reason and cause absent when not given', () => {
    const error = new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'x')
    expect('field' in error).toBe(false)
    expect('reason' in error).toBe(false)
    expect('cause' in error).toBe(false)
  })

  it('instanceof works across duplicate installs (the Symbol.for marker)', () => {
    // What another copy of the package produces: a different class with the same registered marker.
    class OtherCopy extends Error {}
    Object.defineProperty(OtherCopy.prototype, Symbol.for('@pushcraft/webpush.WebPushError'), {
      value: true,
    })
    expect(new OtherCopy('x')).toBeInstanceOf(WebPushError)
    expect(new Error('x')).not.toBeInstanceOf(WebPushError)
    expect(null).not.toBeInstanceOf(WebPushError)
  })

  it('subclasses match their own instances only', () => {
    class SubError extends WebPushError {}
    const sub = new SubError('ERR_WEBPUSH_PUSH_SERVICE', 'x')
    expect(sub).toBeInstanceOf(WebPushError)
    expect(sub).toBeInstanceOf(SubError)
    expect(new WebPushError('ERR_WEBPUSH_PUSH_SERVICE', 'x')).not.toBeInstanceOf(SubError)
  })

  it('isWebPushError narrows by code', () => {
    const error: unknown = new WebPushError('ERR_WEBPUSH_PAYLOAD_TOO_LARGE', 'x')
    expect(isWebPushError(error)).toBe(true)
    expect(isWebPushError(error, 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE')).toBe(true)
    expect(isWebPushError(error, 'ERR_WEBPUSH_QUIRK')).toBe(false)
    expect(isWebPushError(new TypeError('x'))).toBe(false)
  })
})
