// What ships: the built package, loaded through its `exports` map by its own name (Node's
// package self-reference), exposes exactly the documented names. Run after `pnpm run build`.
import { describe, expect, it } from 'vitest'

describe('@pushcraft/vapid exports', () => {
  it('exposes the public API and nothing internal', async () => {
    const vapid = await import('@pushcraft/vapid')
    expect(Object.keys(vapid).sort()).toEqual(
      [
        'DEFAULT_EXPIRATION_SECONDS',
        'MAX_EXPIRATION_SECONDS',
        'MIN_RESIGN_INTERVAL_SECONDS',
        'VapidError',
        'VapidKeyring',
        'VapidTokenCache',
        'audienceFromEndpoint',
        'createVapidAuthorization',
        'createVapidToken',
        'exportVapidKeys',
        'generateVapidKeys',
        'importVapidKeys',
        'importVapidPublicKey',
        'parseVapidAuthorization',
        'validateVapidSubject',
        'verifyVapidAuthorization',
      ].sort(),
    )
    expect(vapid.DEFAULT_EXPIRATION_SECONDS).toBe(43_200)
    expect(vapid.MAX_EXPIRATION_SECONDS).toBe(86_400)
    expect(vapid.MIN_RESIGN_INTERVAL_SECONDS).toBe(3600)
  })

  it('the built package signs and verifies', async () => {
    const vapid = await import('@pushcraft/vapid')
    const keys = await vapid.generateVapidKeys()
    const audience = vapid.audienceFromEndpoint('https://push.example.net/p/abc')
    const result = await vapid.createVapidAuthorization({
      keys,
      audience,
      subject: 'mailto:push@example.com',
      cache: new vapid.VapidTokenCache(),
    })
    const verified = await vapid.verifyVapidAuthorization(
      { authorization: result.authorization },
      { audience, publicKey: keys.applicationServerKey },
    )
    expect(verified.claims.sub).toBe('mailto:push@example.com')
    const error = await vapid.importVapidKeys('x').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(vapid.VapidError)
  })

  it('resolves to dist/, not to the sources', () => {
    expect(import.meta.resolve('@pushcraft/vapid')).toMatch(/\/dist\/index\.js$/)
  })
})
