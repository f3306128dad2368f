// What ships: the built main entry (package self-reference, so the build must have run, as turbo's
// test task ensures) adds exactly the transport names to the pure `/request` entry, and its error
// classes are recognised by another copy of the package (here: the sources).
import { describe, expect, it } from 'vitest'
import { PushServiceError as SourcePushServiceError, WebPushError } from '../src/index.ts'

const TRANSPORT_EXPORTS = [
  'DEFAULT_RETRY_OPTIONS',
  'DIAGNOSTICS_CHANNELS',
  'MAX_RESPONSE_BODY_BYTES',
  'PushClient',
  'PushServiceError',
  'classifyPushResponse',
  'combineHooks',
  'computeRetryDelay',
  'createPushResult',
  'isPushServiceError',
  'isRetryableError',
  'parseRetryAfter',
  'remainingTtl',
  'resolveRetryOptions',
  'sendMany',
  'sendPushMessage',
  'sendPushRequest',
  'withRetry',
]

describe('@pushcraft/webpush (built): the transport', () => {
  it('adds exactly the transport API to the pure entry', async () => {
    const [pure, main] = await Promise.all([
      import('@pushcraft/webpush/request'),
      import('@pushcraft/webpush'),
    ])
    const added = Object.keys(main).filter((name) => !(name in pure))
    expect(added.sort()).toEqual([...TRANSPORT_EXPORTS].sort())
    for (const name of TRANSPORT_EXPORTS) expect(name in pure, name).toBe(false)
  })

  it('keeps error identity across copies of the package', async () => {
    const main = await import('@pushcraft/webpush')
    const built = new main.PushServiceError({
      endpoint: 'https://push.example.net/x',
      statusCode: 410,
      headers: {},
      body: '',
    })
    expect(built).toBeInstanceOf(SourcePushServiceError)
    expect(built).toBeInstanceOf(WebPushError)
    expect(built.isGone).toBe(true)
  })
})
