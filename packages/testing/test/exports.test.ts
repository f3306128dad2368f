// What ships: the built package through its `exports` map (package self-reference).
import { describe, expect, it } from 'vitest'

describe('@pushcraft/testing exports', () => {
  it('the main entry has exactly the public names', async () => {
    const entry = await import('@pushcraft/testing')
    expect(Object.keys(entry).sort()).toEqual(
      [
        'PushTestingError',
        'createLocalPushServer',
        'createMockPushService',
        'createSelfSignedCertificate',
        'decryptPushMessage',
        'delay',
        'generateUserAgentKeys',
        'gone',
        'importUserAgentKeys',
        'rateLimited',
        'respond',
        'serverError',
        'serviceAnswer',
        'serviceResponse',
        'serviceSuccessResponse',
      ].sort(),
    )
  })

  it('the fixtures subpath has the vectors', async () => {
    const fixtures = await import('@pushcraft/testing/fixtures')
    expect(Object.keys(fixtures).sort()).toEqual(
      [
        'aesgcmExample',
        'fixtureBytes',
        'rfc8291Example',
        'rfc8292Example',
        'webPushVector',
        'webPushVectorSet',
      ].sort(),
    )
    expect(fixtures.webPushVectorSet.vectors).toHaveLength(17)
  })

  it('PushTestingError matches across copies by its marker', async () => {
    const { PushTestingError } = await import('@pushcraft/testing')
    const { PushTestingError: FromSource } = await import('../src/errors.ts')
    const error = new FromSource('ERR_TESTING_TIMEOUT', 'x')
    expect(error).toBeInstanceOf(PushTestingError)
    expect(error.code).toBe('ERR_TESTING_TIMEOUT')
  })
})
