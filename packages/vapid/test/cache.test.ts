// VapidTokenCache: hits, refresh before expiry, the hourly re-sign floor, concurrency, the size
// bound, and misuse. Time is faked (Date only), so expiry is tested without waiting.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createVapidAuthorization,
  generateVapidKeys,
  importVapidKeys,
  MIN_RESIGN_INTERVAL_SECONDS,
  VapidTokenCache,
  type VapidKeys,
} from '../src/index.ts'
import { decodeJwtPart, setClock, TEST_PRIVATE_KEY } from './helpers.ts'

const NOW = 1_700_000_000
const audience = 'https://web.push.apple.com'
const subject = 'mailto:push@example.com'
let keys: VapidKeys

beforeAll(async () => {
  keys = await importVapidKeys(TEST_PRIVATE_KEY)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('VapidTokenCache hits', () => {
  it('returns the same frozen object without signing again', async () => {
    setClock(NOW)
    const cache = new VapidTokenCache()
    const first = await cache.get({ keys, audience, subject })
    const second = await cache.get({ keys, audience, subject })
    const third = await createVapidAuthorization({ keys, audience, subject, cache })
    expect(second).toBe(first)
    expect(third).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(cache.stats).toEqual({ hits: 2, misses: 1, signatures: 1, evictions: 0 })
    expect(first.expiresAt).toBe(NOW + 43_200)
    expect(cache.size).toBe(1)
  })

  it('serves both header forms from one token', async () => {
    const cache = new VapidTokenCache()
    const vapid = await cache.get({ keys, audience, subject })
    const legacy = await cache.get({ keys, audience, subject, scheme: 'webpush' })
    const byEncoding = await cache.get({ keys, audience, subject, contentEncoding: 'aesgcm' })
    expect(legacy.token).toBe(vapid.token)
    expect(legacy.authorization).toBe(`WebPush ${vapid.token}`)
    expect(byEncoding).toBe(legacy)
    expect(cache.stats.signatures).toBe(1)
  })

  it('keys entries by audience, key id, subject and extra claims', async () => {
    const cache = new VapidTokenCache()
    const other = await generateVapidKeys()
    const base = await cache.get({ keys, audience, subject })
    const variants = [
      await cache.get({ keys, audience: 'https://fcm.googleapis.com', subject }),
      await cache.get({ keys: other, audience, subject }),
      await cache.get({ keys, audience, subject: 'https://example.com' }),
      await cache.get({ keys, audience, subject, claims: { jti: '1' } }),
    ]
    for (const variant of variants) expect(variant.token).not.toBe(base.token)
    expect(variants[1]!.keyId).toBe(other.id)
    expect(cache.size).toBe(5)
    expect(await cache.get({ keys, audience, subject, claims: { jti: '1' } })).toBe(variants[3])
    // the same key imported twice shares entries (the id is the public key's thumbprint)
    const again = await importVapidKeys(TEST_PRIVATE_KEY)
    expect(await cache.get({ keys: again, audience, subject })).toBe(base)
  })

  it('peek answers hits synchronously and never signs', async () => {
    const cache = new VapidTokenCache()
    expect(cache.peek({ keys, audience, subject })).toBeUndefined()
    const signed = await cache.get({ keys, audience, subject })
    expect(cache.peek({ keys, audience, subject })).toBe(signed)
    expect(cache.peek({ keys, audience, subject, scheme: 'webpush' })?.token).toBe(signed.token)
    expect(cache.stats.signatures).toBe(1)
  })

  it('a hit costs a small fraction of a signature', async () => {
    const cache = new VapidTokenCache()
    const options = { keys, audience, subject }
    await cache.get(options)
    const signStart = performance.now()
    for (let i = 0; i < 20; i++) await createVapidAuthorization(options)
    const perSign = (performance.now() - signStart) / 20
    const hitStart = performance.now()
    for (let i = 0; i < 2000; i++) await cache.get(options)
    const perHit = (performance.now() - hitStart) / 2000
    expect(perHit * 10).toBeLessThan(perSign)
  })
})

describe('VapidTokenCache expiry', () => {
  it('reuses a token until minTtlSeconds before exp, then signs a new one', async () => {
    setClock(NOW)
    const cache = new VapidTokenCache() // ttl 12 h, minTtl 10 min
    const first = await cache.get({ keys, audience, subject })
    setClock(NOW + 43_200 - 601)
    expect(await cache.get({ keys, audience, subject })).toBe(first)
    setClock(NOW + 43_200 - 600)
    const second = await cache.get({ keys, audience, subject })
    expect(second).not.toBe(first)
    expect(second.expiresAt).toBe(NOW + 43_200 - 600 + 43_200)
    expect(decodeJwtPart(second.token.split('.')[1]!).exp).toBe(second.expiresAt)
    expect(cache.size).toBe(1)
    expect(cache.stats.signatures).toBe(2)
  })

  it('honours ttlSeconds and minTtlSeconds', async () => {
    setClock(NOW)
    const cache = new VapidTokenCache({ ttlSeconds: 86_400, minTtlSeconds: 3600 })
    const first = await cache.get({ keys, audience, subject })
    expect(first.expiresAt).toBe(NOW + 86_400)
    setClock(NOW + 86_400 - 3601)
    expect(await cache.get({ keys, audience, subject })).toBe(first)
    setClock(NOW + 86_400 - 3600)
    expect(await cache.get({ keys, audience, subject })).not.toBe(first)
  })

  it('never re-signs an entry within an hour, even with the shortest allowed lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = NOW * 1000 + 999 // a clock just short of the next second
    vi.setSystemTime(start)
    const cache = new VapidTokenCache({ ttlSeconds: 3600 + 60, minTtlSeconds: 60 })
    const first = await cache.get({ keys, audience, subject })
    vi.setSystemTime(start + MIN_RESIGN_INTERVAL_SECONDS * 1000 - 1)
    expect(await cache.get({ keys, audience, subject })).toBe(first)
    vi.setSystemTime(start + MIN_RESIGN_INTERVAL_SECONDS * 1000)
    expect(await cache.get({ keys, audience, subject })).not.toBe(first)
  })

  it('refuses options that would re-sign more often than hourly', () => {
    expect(() => new VapidTokenCache({ ttlSeconds: 3600, minTtlSeconds: 1 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ ttlSeconds: 1800 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ minTtlSeconds: 43_200 - 3599 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ ttlSeconds: 3600, minTtlSeconds: 0 })).not.toThrow()
  })
})

describe('VapidTokenCache concurrency', () => {
  it('concurrent misses share one signature', async () => {
    const cache = new VapidTokenCache()
    const sign = vi.spyOn(crypto.subtle, 'sign')
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        cache.get({ keys, audience, subject, scheme: i % 2 === 0 ? 'vapid' : 'webpush' }),
      ),
    )
    expect(sign).toHaveBeenCalledTimes(1)
    expect(new Set(results.map((result) => result.token)).size).toBe(1)
    expect(new Set(results.filter((result) => result.scheme === 'vapid')).size).toBe(1)
    expect(cache.stats).toMatchObject({ misses: 25, signatures: 1 })
  })

  it('concurrent refreshes of an expired entry share one signature', async () => {
    setClock(NOW)
    const cache = new VapidTokenCache()
    const first = await cache.get({ keys, audience, subject })
    setClock(NOW + 43_200)
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cache.get({ keys, audience, subject })),
    )
    expect(new Set(results).size).toBe(1)
    expect(results[0]).not.toBe(first)
    expect(cache.stats.signatures).toBe(2)
  })

  it('a failed signature reaches every waiting caller and is retried next time', async () => {
    const cache = new VapidTokenCache()
    const failure = new Error('signing device unavailable')
    const sign = vi.spyOn(crypto.subtle, 'sign').mockRejectedValueOnce(failure)
    const results = await Promise.allSettled([
      cache.get({ keys, audience, subject }),
      cache.get({ keys, audience, subject }),
    ])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(cache.size).toBe(0)
    await expect(cache.get({ keys, audience, subject })).resolves.toMatchObject({ scheme: 'vapid' })
    expect(sign).toHaveBeenCalledTimes(2)
  })
})

describe('VapidTokenCache bound', () => {
  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = new VapidTokenCache({ maxEntries: 3 })
    const origin = (i: number): string => `https://push${i}.example.net`
    const a = await cache.get({ keys, audience: origin(0), subject })
    await cache.get({ keys, audience: origin(1), subject })
    await cache.get({ keys, audience: origin(2), subject })
    expect(await cache.get({ keys, audience: origin(0), subject })).toBe(a) // 0 is now recent
    await cache.get({ keys, audience: origin(3), subject }) // evicts 1
    await cache.get({ keys, audience: origin(4), subject }) // evicts 2
    expect(cache.size).toBe(3)
    expect(cache.stats.evictions).toBe(2)
    expect(cache.peek({ keys, audience: origin(0), subject })).toBe(a)
    expect(cache.peek({ keys, audience: origin(1), subject })).toBeUndefined()
    expect(cache.peek({ keys, audience: origin(2), subject })).toBeUndefined()
    expect(cache.peek({ keys, audience: origin(4), subject })).toBeDefined()
  })

  it('drops stale entries before live ones when full', async () => {
    setClock(NOW)
    const cache = new VapidTokenCache({ maxEntries: 2 })
    await cache.get({ keys, audience: 'https://a.example', subject })
    setClock(NOW + 43_000)
    const live = await cache.get({ keys, audience: 'https://b.example', subject })
    await cache.get({ keys, audience: 'https://c.example', subject }) // a is due for refresh
    expect(cache.peek({ keys, audience: 'https://b.example', subject })).toBe(live)
    expect(cache.size).toBe(2)
  })

  it('delete and clear remove entries', async () => {
    const cache = new VapidTokenCache()
    const other = await generateVapidKeys()
    await cache.get({ keys, audience, subject })
    await cache.get({ keys, audience: 'https://fcm.googleapis.com', subject })
    await cache.get({ keys: other, audience, subject })
    expect(cache.delete({ keyId: other.id })).toBe(1)
    expect(cache.delete({ audience: 'https://fcm.googleapis.com' })).toBe(1)
    expect(cache.size).toBe(1)
    expect(cache.delete()).toBe(1)
    await cache.get({ keys, audience, subject })
    cache.clear()
    expect(cache.size).toBe(0)
  })
})

describe('VapidTokenCache misuse', () => {
  it('validates options before signing or storing', async () => {
    const cache = new VapidTokenCache()
    await expect(cache.get({ keys, audience, subject: 'mailto:me@localhost' })).rejects.toThrow(
      TypeError,
    )
    await expect(cache.get({ keys, audience: `${audience}/path`, subject })).rejects.toThrow(
      TypeError,
    )
    await expect(cache.get({ keys: {} as never, audience, subject })).rejects.toThrow(TypeError)
    await expect(cache.get({ keys, audience, subject, claims: { exp: 1 } })).rejects.toThrow(
      TypeError,
    )
    await expect(cache.get({ keys, audience, subject, typo: 1 } as never)).rejects.toThrow(
      TypeError,
    )
    expect(() => cache.get({ keys, audience, subject, scheme: 'basic' as never })).toThrow(
      TypeError,
    )
    expect(() => cache.get(null as never)).toThrow(TypeError)
    expect(cache.size).toBe(0)
    expect(cache.stats.signatures).toBe(0)
  })

  it('does not take an expiration (the cache chooses exp)', async () => {
    const cache = new VapidTokenCache()
    await expect(
      createVapidAuthorization({ keys, audience, subject, cache, expiration: NOW + 60 }),
    ).rejects.toThrow(TypeError)
  })

  it('validates its own options', () => {
    expect(() => new VapidTokenCache({ maxEntries: 0 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ maxEntries: 1.5 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ maxEntries: '10' as never })).toThrow(TypeError)
    expect(() => new VapidTokenCache({ ttlSeconds: 86_401 })).toThrow(RangeError)
    expect(() => new VapidTokenCache({ minTtl: 5 } as never)).toThrow(TypeError)
    expect(() => new VapidTokenCache('big' as never)).toThrow(TypeError)
    expect(new VapidTokenCache()).toMatchObject({
      maxEntries: 256,
      ttlSeconds: 43_200,
      minTtlSeconds: 600,
    })
  })
})
