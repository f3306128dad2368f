import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  PushServiceError,
  WebPushError,
  computeRetryDelay,
  remainingTtl,
  resolveRetryOptions,
  withRetry,
  type RetryEvent,
} from '../src/index.ts'

const endpoint = 'https://fcm.googleapis.com/fcm/send/abc'
const serviceError = (statusCode: number, headers: Record<string, string> = {}): PushServiceError =>
  new PushServiceError({ endpoint, statusCode, headers, body: '' })
const networkError = (): WebPushError =>
  new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'socket hang up', { reason: 'network' })

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'))
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('resolveRetryOptions', () => {
  it('is off unless asked for', () => {
    expect(resolveRetryOptions(undefined)).toBeUndefined()
    expect(resolveRetryOptions(false)).toBeUndefined()
    expect(resolveRetryOptions(true)).toEqual({ maxAttempts: 3, baseDelay: 1000, maxDelay: 60_000 })
  })
  it('rejects typos and bad values (channel 1)', () => {
    expect(() => resolveRetryOptions({ maxAttempt: 3 } as never)).toThrow(TypeError)
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError)
    expect(() => resolveRetryOptions({ baseDelay: 1.5 })).toThrow(TypeError)
    expect(() => resolveRetryOptions({ maxDelay: -1 })).toThrow(RangeError)
  })
})

describe('computeRetryDelay', () => {
  const policy = resolveRetryOptions({ maxAttempts: 10, baseDelay: 100, maxDelay: 5_000 })!

  it('never retries a 4xx other than 429 (and WNS 406)', () => {
    for (const status of [400, 401, 403, 404, 405, 408, 410, 413]) {
      expect(computeRetryDelay(serviceError(status), 1, policy)).toBeUndefined()
    }
    expect(computeRetryDelay(serviceError(429), 1, policy)).toBeTypeOf('number')
    const wns = new PushServiceError({
      endpoint: 'https://wns2-par02p.notify.windows.com/w/?token=x',
      statusCode: 406,
      headers: { 'x-wns-status': 'channelthrottled' },
      body: '',
    })
    expect(computeRetryDelay(wns, 1, policy)).toBeTypeOf('number')
  })

  it('retries 5xx and request failures, not other errors', () => {
    expect(computeRetryDelay(serviceError(502), 1, policy)).toBeTypeOf('number')
    expect(computeRetryDelay(networkError(), 1, policy)).toBeTypeOf('number')
    expect(computeRetryDelay(new TypeError('x'), 1, policy)).toBeUndefined()
    expect(
      computeRetryDelay(new WebPushError('ERR_WEBPUSH_PAYLOAD_TOO_LARGE', 'x'), 1, policy),
    ).toBeUndefined()
  })

  it('uses exponential backoff with full jitter', () => {
    const random = vi.spyOn(Math, 'random')
    random.mockReturnValue(0.999_999)
    expect(computeRetryDelay(serviceError(500), 1, policy)).toBe(99)
    expect(computeRetryDelay(serviceError(500), 2, policy)).toBe(199)
    expect(computeRetryDelay(serviceError(500), 4, policy)).toBe(799)
    expect(computeRetryDelay(serviceError(500), 9, policy)).toBe(4_999) // capped by maxDelay
    random.mockReturnValue(0)
    expect(computeRetryDelay(serviceError(500), 4, policy)).toBe(0)
  })

  it('honours Retry-After (seconds and HTTP-date) for 429 and 503 exactly', () => {
    expect(computeRetryDelay(serviceError(429, { 'retry-after': '3' }), 1, policy)).toBe(3_000)
    expect(computeRetryDelay(serviceError(503, { 'retry-after': '2' }), 1, policy)).toBe(2_000)
    const date = 'Wed, 01 Jan 2025 00:00:04 GMT'
    expect(computeRetryDelay(serviceError(429, { 'retry-after': date }), 1, policy)).toBe(4_000)
  })

  it('gives up when Retry-After exceeds maxDelay, so the caller can reschedule', () => {
    expect(computeRetryDelay(serviceError(429, { 'retry-after': '60' }), 1, policy)).toBeUndefined()
  })

  it('ignores Retry-After on a 500 (only 429/503/throttling honour it)', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    expect(computeRetryDelay(serviceError(500, { 'retry-after': '4' }), 1, policy)).toBe(50)
  })

  it('stops at maxAttempts', () => {
    expect(computeRetryDelay(serviceError(500), 10, policy)).toBeUndefined()
  })
})

describe('remainingTtl', () => {
  it('subtracts the elapsed time, rounded up to seconds, never below 0', () => {
    expect(remainingTtl(60, 0)).toBe(60)
    expect(remainingTtl(60, 1)).toBe(59)
    expect(remainingTtl(60, 1_000)).toBe(59)
    expect(remainingTtl(60, 1_500)).toBe(58)
    expect(remainingTtl(60, 120_000)).toBe(0)
    expect(remainingTtl(0, 5_000)).toBe(0)
  })
})

describe('withRetry (fake timers)', () => {
  it('waits for Retry-After, then succeeds; the attempt sees the elapsed time', async () => {
    const seen: { attempt: number; elapsed: number }[] = []
    const events: RetryEvent[] = []
    const operation = vi.fn((attempt: { attempt: number; elapsed: number }) => {
      seen.push(attempt)
      if (attempt.attempt === 1) return Promise.reject(serviceError(429, { 'retry-after': '7' }))
      return Promise.resolve('ok')
    })
    const promise = withRetry(operation, {
      retry: resolveRetryOptions({ maxAttempts: 3, onRetry: (event) => events.push(event) }),
      ttl: 3600,
    })
    await vi.advanceTimersByTimeAsync(6_999)
    expect(operation).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(promise).resolves.toBe('ok')
    expect(seen).toEqual([
      { attempt: 1, elapsed: 0 },
      { attempt: 2, elapsed: 7_000 },
    ])
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ attempt: 1, delay: 7_000 })
  })

  it('backs off exponentially between 5xx failures and rethrows the last one', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const failures = [serviceError(500), serviceError(502), serviceError(503)]
    const starts: number[] = []
    const promise = withRetry(
      () => {
        starts.push(Date.now())
        return Promise.reject(failures[starts.length - 1]!)
      },
      { retry: resolveRetryOptions({ maxAttempts: 3, baseDelay: 1_000 }) },
    )
    const assertion = expect(promise).rejects.toBe(failures[2])
    await vi.runAllTimersAsync()
    await assertion
    const t0 = starts[0]!
    expect(starts.map((t) => t - t0)).toEqual([0, 500, 1_500])
  })

  it('does not retry a 400', async () => {
    const operation = vi.fn(() => Promise.reject(serviceError(400)))
    await expect(withRetry(operation, { retry: resolveRetryOptions(true) })).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      kind: 'badRequest',
    })
    expect(operation).toHaveBeenCalledTimes(1)
  })

  it('runs once without a policy', async () => {
    const operation = vi.fn(() => Promise.reject(serviceError(503)))
    await expect(withRetry(operation, {})).rejects.toMatchObject({ kind: 'transient' })
    expect(operation).toHaveBeenCalledTimes(1)
  })

  it('stops when the wait would outlive the TTL', async () => {
    const operation = vi.fn(() => Promise.reject(serviceError(503, { 'retry-after': '30' })))
    await expect(
      withRetry(operation, { retry: resolveRetryOptions(true), ttl: 20 }),
    ).rejects.toMatchObject({ statusCode: 503 })
    expect(operation).toHaveBeenCalledTimes(1)
  })

  it('ends the wait when the signal aborts', async () => {
    const controller = new AbortController()
    const operation = vi.fn(() => Promise.reject(serviceError(503, { 'retry-after': '30' })))
    const promise = withRetry(operation, {
      retry: resolveRetryOptions(true),
      signal: controller.signal,
    })
    const assertion = expect(promise).rejects.toMatchObject({ name: 'AbortError' })
    await vi.advanceTimersByTimeAsync(1_000)
    controller.abort()
    await assertion
    expect(operation).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
