import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import fixtures from './fixtures/responses.json' with { type: 'json' }
import {
  PushServiceError,
  WebPushError,
  classifyPushResponse,
  createPushResult,
  identifyPushService,
  isPushServiceError,
  isRetryableError,
  parseRetryAfter,
} from '../src/index.ts'

interface ErrorFixture {
  service: string
  title: string
  source: string
  endpoint: string
  response: { status: number; headers: Record<string, string>; body: string }
  expect: {
    kind: string
    isGone: boolean
    isRetryable: boolean
    reason?: string
    errno?: number
    retryAfter?: number
  }
}

const errors = fixtures.errors as ErrorFixture[]

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date(fixtures.clock))
})
afterEach(() => {
  vi.useRealTimers()
})

describe('classifyPushResponse: recorded response shapes per service', () => {
  for (const service of ['fcm', 'mozilla', 'apple', 'wns', 'other']) {
    describe(service, () => {
      const cases = errors.filter((fixture) => fixture.service === service)
      it('has fixtures', () => {
        expect(cases.length).toBeGreaterThan(2)
      })
      for (const fixture of cases) {
        it(`${fixture.response.status} ${fixture.title} → ${fixture.expect.kind}`, () => {
          const response = {
            endpoint: fixture.endpoint,
            statusCode: fixture.response.status,
            headers: fixture.response.headers,
            body: fixture.response.body,
          }
          const verdict = classifyPushResponse(response)
          expect(verdict.kind).toBe(fixture.expect.kind)
          expect(verdict.isGone).toBe(fixture.expect.isGone)
          expect(verdict.isRetryable).toBe(fixture.expect.isRetryable)
          if (fixture.expect.reason !== undefined)
            expect(verdict.reason).toBe(fixture.expect.reason)
          if (fixture.expect.errno !== undefined) expect(verdict.errno).toBe(fixture.expect.errno)
          expect(verdict.retryAfter).toBe(fixture.expect.retryAfter)
          if (service !== 'other' && !fixture.endpoint.includes('gcm-http')) {
            expect(verdict.service).toBe(service)
          }

          const error = new PushServiceError(response)
          expect(error).toBeInstanceOf(WebPushError)
          expect(error).toBeInstanceOf(PushServiceError)
          expect(error.code).toBe('ERR_WEBPUSH_PUSH_SERVICE')
          expect(error.kind).toBe(fixture.expect.kind)
          expect(error.statusCode).toBe(fixture.response.status)
          expect(error.endpoint).toBe(fixture.endpoint)
          expect(error.body).toBe(fixture.response.body)
          expect(error.headers).toEqual(fixture.response.headers)
          expect(error.isGone).toBe(fixture.expect.isGone)
          expect(error.isRetryable).toBe(fixture.expect.isRetryable)
          expect(error.retryAfter).toBe(fixture.expect.retryAfter)
          expect(isRetryableError(error)).toBe(fixture.expect.isRetryable)
        })
      }
    })
  }
})

describe('createPushResult: recorded success shapes', () => {
  for (const fixture of fixtures.success) {
    it(`${fixture.service}: ${fixture.title}`, () => {
      const result = createPushResult(
        {
          endpoint: fixture.endpoint,
          statusCode: fixture.response.status,
          headers: fixture.response.headers,
          body: fixture.response.body,
        },
        fixture.sent,
      )
      expect(result).toMatchObject(fixture.expect)
      expect(result.service).toBe(fixture.service)
      expect(result.attempts).toBe(1)
    })
  }
})

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0')).toBe(0)
    expect(parseRetryAfter(' 120 ')).toBe(120_000)
  })
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT')).toBe(60_000)
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT')).toBe(0)
  })
  it('ignores junk', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('')).toBeUndefined()
    expect(parseRetryAfter('-5')).toBeUndefined()
    expect(parseRetryAfter('1.5')).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe('identifyPushService', () => {
  it.each([
    ['https://fcm.googleapis.com/fcm/send/x', 'fcm'],
    ['https://android.googleapis.com/gcm/send/x', 'fcm'],
    ['https://updates.push.services.mozilla.com/wpush/v2/x', 'mozilla'],
    ['https://web.push.apple.com/QG', 'apple'],
    ['https://wns2-par02p.notify.windows.com/w/?token=x', 'wns'],
    ['https://evilgoogleapis.com/x', 'other'],
    ['https://localhost:8443/x', 'other'],
    ['not a url', 'other'],
  ])('%s → %s', (endpoint, service) => {
    expect(identifyPushService(endpoint)).toBe(service)
  })
})

describe('PushServiceError', () => {
  const response = {
    endpoint: 'https://push.example.net/secret-token-path',
    statusCode: 410,
    headers: {},
    body: 'gone',
  }
  it('names the origin but not the endpoint path in its message', () => {
    const error = new PushServiceError(response)
    expect(error.message).toContain('https://push.example.net')
    expect(error.message).not.toContain('secret-token-path')
  })
  it('is recognised across copies by its marker', () => {
    const foreign = Object.create(null) as object
    Object.defineProperty(foreign, Symbol.for('@pushcraft/webpush.PushServiceError'), {
      value: true,
    })
    Object.defineProperty(foreign, Symbol.for('@pushcraft/webpush.WebPushError'), { value: true })
    expect(foreign instanceof PushServiceError).toBe(true)
    expect(isPushServiceError(foreign)).toBe(true)
    expect(new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'x') instanceof PushServiceError).toBe(
      false,
    )
  })
  it('clips a huge reason', () => {
    const verdict = classifyPushResponse({ ...response, statusCode: 400, body: 'x'.repeat(10_000) })
    expect(verdict.reason?.length).toBeLessThanOrEqual(200)
  })
  it('treats request failures as retryable and other errors as not', () => {
    expect(isRetryableError(new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'x'))).toBe(true)
    expect(isRetryableError(new WebPushError('ERR_WEBPUSH_INVALID_SUBSCRIPTION', 'x'))).toBe(false)
    expect(isRetryableError(new TypeError('x'))).toBe(false)
  })
})
