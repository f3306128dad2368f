import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  DEFAULT_PUSH_HOSTS,
  EndpointRejectedError,
  EndpointVerdicts,
  checkEndpoint,
  checkEndpointSyntax,
  createGuardedLookup,
  hostMatches,
  isPublicAddress,
  type EndpointPolicy,
  type LookupAddress,
} from '../src/ssrf.js'

const resolveTo =
  (...addresses: string[]) =>
  (): Promise<LookupAddress[]> =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )

const strict = (resolve: EndpointPolicy['resolve']): EndpointPolicy => ({
  allowedHosts: DEFAULT_PUSH_HOSTS,
  allowInsecure: false,
  ...(resolve === undefined ? {} : { resolve }),
})

describe('isPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1', // CGNAT (RFC 6598)
    '100.127.255.255',
    '127.0.0.1',
    '169.254.169.254', // cloud metadata
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1', // multicast
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1', // IPv4-mapped loopback
    '::ffff:7f00:1', // the same, hex form
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::127.0.0.1', // IPv4-compatible
    '64:ff9b::10.0.0.1', // NAT64 of a private address
    'fc00::1', // ULA
    'fd12:3456::1',
    'fe80::1', // link-local
    'fe80::1%eth0',
    'fec0::1', // site-local
    'ff02::1', // multicast
    '2001:db8::1', // documentation
    '2001::1', // Teredo
    '2002:7f00:1::1', // 6to4
    '100::1', // discard-only
    'not-an-ip',
    '1.2.3',
    '1.2.3.256',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false)
  })

  it.each([
    '142.250.185.10',
    '8.8.8.8',
    '100.63.255.255',
    '172.32.0.1',
    '2607:f8b0:4004:c07::5f',
    '2a00:1450::1',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true)
  })
})

describe('hostMatches', () => {
  it('matches exact names and sub-domains of wildcard patterns only', () => {
    expect(hostMatches('fcm.googleapis.com', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(hostMatches('FCM.googleapis.com.', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(hostMatches('updates.push.services.mozilla.com', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(hostMatches('web.push.apple.com', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(hostMatches('wns2-par02p.notify.windows.com', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(hostMatches('push.apple.com', DEFAULT_PUSH_HOSTS)).toBe(false)
    expect(hostMatches('evilpush.apple.com', DEFAULT_PUSH_HOSTS)).toBe(false)
    expect(hostMatches('fcm.googleapis.com.evil.example', DEFAULT_PUSH_HOSTS)).toBe(false)
    expect(hostMatches('googleapis.com', DEFAULT_PUSH_HOSTS)).toBe(false)
    expect(hostMatches('anything.example', ['*'])).toBe(true)
  })
})

describe('checkEndpoint', () => {
  const endpoint = 'https://fcm.googleapis.com/fcm/send/abc'

  it('accepts an allow-listed https endpoint resolving to public addresses', async () => {
    const { url } = await checkEndpoint(
      endpoint,
      strict(resolveTo('142.250.185.10', '2a00:1450::1')),
    )
    expect(url.hostname).toBe('fcm.googleapis.com')
  })

  it.each([
    ['http://fcm.googleapis.com/fcm/send/abc', 'scheme'],
    ['ftp://fcm.googleapis.com/x', 'scheme'],
    ['https://user:pw@fcm.googleapis.com/x', 'url'],
    ['https://fcm.googleapis.com:8443/x', 'url'],
    ['not a url', 'url'],
    ['https://127.0.0.1/x', 'host'],
    ['https://[::1]/x', 'host'],
    ['https://push.example.com/x', 'host'],
    ['https://metadata.google.internal/x', 'host'],
  ])('refuses %s (%s)', async (value, reason) => {
    await expect(checkEndpoint(value, strict(resolveTo('142.250.185.10')))).rejects.toMatchObject({
      code: 'ERR_ENDPOINT_NOT_ALLOWED',
      reason,
    })
  })

  it('refuses a host resolving to any private address (DNS rebinding)', async () => {
    await expect(
      checkEndpoint(endpoint, strict(resolveTo('142.250.185.10', '10.0.0.5'))),
    ).rejects.toMatchObject({
      reason: 'address',
    })
    await expect(
      checkEndpoint(endpoint, strict(resolveTo('::ffff:169.254.169.254'))),
    ).rejects.toMatchObject({
      reason: 'address',
    })
  })

  it('refuses a host that does not resolve', async () => {
    const failing = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
    await expect(checkEndpoint(endpoint, strict(failing))).rejects.toMatchObject({ reason: 'dns' })
    await expect(checkEndpoint(endpoint, strict(resolveTo()))).rejects.toMatchObject({
      reason: 'dns',
    })
  })

  it('accepts http and loopback only in the test-only insecure mode', async () => {
    const policy: EndpointPolicy = { allowedHosts: ['127.0.0.1'], allowInsecure: true }
    await expect(checkEndpoint('http://127.0.0.1:4000/push/1', policy)).resolves.toBeDefined()
    await expect(checkEndpoint('https://10.0.0.1/push/1', policy)).rejects.toMatchObject({
      reason: 'host',
    })
  })
})

describe('EndpointVerdicts (the send-time re-check, one verdict per origin)', () => {
  const verdictOf = (check: () => void): string => {
    try {
      check()
      return 'ok'
    } catch (error) {
      if (error instanceof EndpointRejectedError) return error.reason
      throw error
    }
  }

  it('answers every endpoint exactly as checkEndpointSyntax does, whatever came before', () => {
    const scheme = fc.constantFrom('https', 'http', 'HTTPS', 'ftp', 'javascript')
    const userinfo = fc.constantFrom('', 'u@', 'u:p@', '%40@')
    const host = fc.constantFrom(
      'fcm.googleapis.com',
      'FCM.GoogleAPIs.com',
      'fcm.googleapis.com.',
      'a.push.services.mozilla.com',
      'push.services.mozilla.com',
      'push.evil.example',
      'fcm.googleapis.com.evil.example',
      '127.0.0.1',
      '[::1]',
      '0x7f.1',
      'fcm%2egoogleapis.com',
      '',
    )
    const port = fc.constantFrom('', ':443', ':80', ':8443', ':')
    const rest = fc.oneof(
      fc.constantFrom('/fcm/send/x', '', '?q', '#f', '\\x', '/a b', '/\t@evil.example/', '/%00'),
      fc.string({ maxLength: 12 }),
    )
    const endpoint = fc
      .tuple(scheme, fc.constantFrom('://', ':/', ':'), userinfo, host, port, rest)
      .map((parts) => parts.join(''))
    const policy = fc.record({
      allowedHosts: fc.constantFrom(DEFAULT_PUSH_HOSTS, ['*'], ['127.0.0.1', 'fcm.googleapis.com']),
      allowInsecure: fc.boolean(),
    })
    fc.assert(
      fc.property(policy, fc.array(endpoint, { minLength: 1, maxLength: 20 }), (p, endpoints) => {
        const verdicts = new EndpointVerdicts(p)
        for (const e of endpoints) {
          expect(
            verdictOf(() => {
              verdicts.check(e)
            }),
          ).toBe(verdictOf(() => checkEndpointSyntax(e, p)))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('refuses every path of a refused origin, and accepts every path of an accepted one', () => {
    const verdicts = new EndpointVerdicts({
      allowedHosts: DEFAULT_PUSH_HOSTS,
      allowInsecure: false,
    })
    expect(() => {
      verdicts.check('https://push.evil.example/a')
    }).toThrow(EndpointRejectedError)
    expect(() => {
      verdicts.check('https://push.evil.example/b')
    }).toThrow(EndpointRejectedError)
    verdicts.check('https://fcm.googleapis.com/fcm/send/a')
    verdicts.check('https://fcm.googleapis.com/fcm/send/b')
    // Same host, but credentials: not the cached origin, checked in full.
    expect(() => {
      verdicts.check('https://u@fcm.googleapis.com/fcm/send/c')
    }).toThrow(expect.objectContaining({ reason: 'url' }))
    // Outside http(s), `\` does not end the authority: no shared verdict, each one exact.
    expect(() => {
      verdicts.check('javascript://fcm.googleapis.com/x')
    }).toThrow(expect.objectContaining({ reason: 'scheme' }))
    expect(() => {
      verdicts.check('javascript://fcm.googleapis.com\\x')
    }).toThrow(expect.objectContaining({ reason: 'url' }))
  })
})

describe('createGuardedLookup', () => {
  const call = (
    lookup: ReturnType<typeof createGuardedLookup>,
    host: string,
    options: { all?: boolean; family?: number },
  ) =>
    new Promise<{ error: unknown; address: unknown; family: unknown }>((resolve) => {
      lookup(host, options, (error, address, family) => {
        resolve({ error, address, family })
      })
    })

  it('answers in both callback shapes with the checked addresses', async () => {
    const lookup = createGuardedLookup(strict(resolveTo('142.250.185.10', '2a00:1450::1')))
    const all = await call(lookup, 'fcm.googleapis.com', { all: true })
    expect(all.error).toBeNull()
    expect(all.address).toEqual([
      { address: '142.250.185.10', family: 4 },
      { address: '2a00:1450::1', family: 6 },
    ])
    const one = await call(lookup, 'fcm.googleapis.com', { family: 6 })
    expect(one).toMatchObject({ error: null, address: '2a00:1450::1', family: 6 })
  })

  it('fails the connection when the name now resolves to a private address', async () => {
    const lookup = createGuardedLookup(strict(resolveTo('127.0.0.1')))
    const result = await call(lookup, 'fcm.googleapis.com', { all: true })
    expect(result.error).toMatchObject({ code: 'ERR_ENDPOINT_NOT_ALLOWED', reason: 'address' })
  })

  it('fails the connection for a host off the allow-list', async () => {
    const lookup = createGuardedLookup(strict(resolveTo('142.250.185.10')))
    const result = await call(lookup, 'evil.example', { all: true })
    expect(result.error).toMatchObject({ reason: 'host' })
  })
})
