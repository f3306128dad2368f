// The sender avoids parsing URLs per message (the endpoint's origin, path and push service; the
// message id in a `Location` header). These properties pin the shortcuts to what the WHATWG URL
// parser says, for canonical URLs (the fast paths) and for everything else (the fallbacks).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPushResult, identifyPushService } from '../src/index.ts'
import { originOfEndpoint, requestTarget } from '../src/send.ts'

const schemes = fc.constantFrom(
  'https://',
  'http://',
  'HTTPS://',
  'hTtP://',
  'ftp://',
  'https:',
  '',
)
const userinfos = fc.constantFrom('', '', '', 'user@', 'u:p@')
const hosts = fc.constantFrom(
  'push.example.net',
  'PUSH.Example.NET',
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  'web.push.apple.com',
  'wns2-par02p.notify.windows.com',
  'localhost',
  '127.0.0.1',
  '127.1',
  '0x7f.1',
  '1.2.3.256',
  'a.0x100000000',
  '[::1]',
  '[::zz]',
  'xn--nxasmq6b',
  'xn--a',
  'a..b',
  'a.b.',
  'ex ample',
  'exa\tmple',
  'bücher.de',
  '',
)
const ports = fc.constantFrom('', '', ':443', ':80', ':8443', ':0443', ':99999', ':', ':65535')
const segmentChars = fc.constantFrom(
  ...Array.from('abcXYZ019-_~.!$&()*+,;=:@%'),
  '%2e',
  '%2E',
  '%41',
  '%zz',
  "'",
  ' ',
  '\t',
  '"',
  '<',
  '>',
  '`',
  '{',
  '}',
  '|',
  '^',
  '[',
  ']',
  'é',
  '€',
)
const segments = fc.array(
  fc.oneof(
    fc.string({ unit: segmentChars, maxLength: 8 }),
    // Dot segments (RFC 3986 §5.2.4), which the parser removes, in their encoded forms too.
    fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2E', 'a.b', '.well-known'),
    // Canonical segments, as push services issue them (the fast paths).
    fc.string({
      unit: fc.constantFrom(...Array.from('abcXYZ019-_:')),
      minLength: 1,
      maxLength: 12,
    }),
  ),
  { maxLength: 5 },
)
const separators = fc.constantFrom('/', '/', '/', '\\', '//')
const queries = fc.constantFrom('', '', '?', '?token=BQYAAAB%2b', "?a='x'", '?a=b?c/d', '?x y')
const fragments = fc.constantFrom('', '', '#', '#frag', '#/a/b')

// Endpoint-shaped strings, canonical or not.
const anyUrls = fc
  .tuple(schemes, userinfos, hosts, ports, segments, separators, queries, fragments)
  .map(
    ([scheme, userinfo, host, port, parts, separator, query, fragment]) =>
      `${scheme}${userinfo}${host}${port}${parts.map((part) => `${separator}${part}`).join('')}${query}${fragment}`,
  )

// Endpoints as push services issue them (canonical origin, plain path), with the odd dot segment
// or character that the parser would rewrite: the inputs where a shortcut could go wrong.
const plainSegments = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.string({
        unit: fc.constantFrom(...Array.from('abcXYZ019-_:~%')),
        maxLength: 10,
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2E', 'a b', 'é', "'") },
  ),
  { minLength: 1, maxLength: 5 },
)
const canonicalUrls = fc
  .tuple(
    fc.constantFrom('https://', 'http://'),
    fc.constantFrom('fcm.googleapis.com', 'push.example.net', '127.0.0.1', '[::1]', 'localhost'),
    fc.constantFrom('', ':8443', ':1'),
    plainSegments,
    fc.constantFrom('', '?token=BQYAAAB%2b', '?a=b/./c', "?a='x'", '?'),
  )
  .map(
    ([scheme, host, port, parts, query]) =>
      `${scheme}${host}${port}${parts.map((part) => `/${part}`).join('')}${query}`,
  )
const urls = fc.oneof(anyUrls, canonicalUrls)

function parse(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

describe('requestTarget and originOfEndpoint agree with the URL parser', () => {
  it('origin, path with query, and push service (fast path and fallback)', () => {
    fc.assert(
      fc.property(urls, (url) => {
        const parsed = parse(url)
        expect(originOfEndpoint(url)).toBe(parsed?.origin)
        if (parsed === undefined) {
          expect(() => requestTarget(url)).toThrow(TypeError)
          return
        }
        expect(requestTarget(url)).toEqual({
          origin: parsed.origin,
          path: `${parsed.pathname}${parsed.search}`,
          service: identifyPushService(parsed),
        })
      }),
      { numRuns: 1000 },
    )
  })

  it('gives the same answers from its memo (the same origins again)', () => {
    const endpoints = [
      'https://fcm.googleapis.com/fcm/send/abc:APA91b-x_y',
      'https://FCM.googleapis.com:443/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'http://127.0.0.1:8080/m/1',
      'https://user@fcm.googleapis.com/fcm/send/abc',
    ]
    for (let round = 0; round < 3; round += 1) {
      for (const endpoint of endpoints) {
        const parsed = new URL(endpoint)
        expect(requestTarget(endpoint)).toEqual({
          origin: parsed.origin,
          path: `${parsed.pathname}${parsed.search}`,
          service: identifyPushService(parsed),
        })
      }
    }
  })
})

// The message id as createPushResult derived it before the shortcut (RFC 8030 §5: the last path
// segment of the push message resource in `Location`).
function referenceMessageId(location: string): string | undefined {
  if (location === '') return undefined
  let path = location
  try {
    path = new URL(location, 'https://invalid.invalid').pathname
  } catch {
    // the raw value
  }
  const segment = path
    .split('/')
    .filter((part) => part !== '')
    .pop()
  if (segment === undefined) return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

describe('createPushResult: the message id of a Location header', () => {
  const locations = fc.oneof(
    urls,
    // Relative references, as some services (and test sinks) answer.
    fc
      .tuple(segments, separators, queries, fragments)
      .map(
        ([parts, separator, query, fragment]) =>
          `${parts.map((part) => `${separator}${part}`).join('')}${query}${fragment}`,
      ),
    fc.string({ unit: segmentChars, maxLength: 12 }),
    // Hosts that look plain but do not parse (the raw value is used then).
    fc
      .tuple(
        fc.constantFrom('https://', 'http://'),
        fc.constantFrom('1.2.3.256', '300.1.1.1', 'a.0x100000000', '127.1', 'fcm.googleapis.com'),
        fc.constantFrom('', '/', '/m/1', '?x', '/m/%41'),
      )
      .map((parts) => parts.join('')),
  )

  it('is the last path segment the URL parser sees, decoded', () => {
    fc.assert(
      fc.property(locations, (location) => {
        const result = createPushResult({
          endpoint: 'https://push.example.net/x',
          statusCode: 201,
          headers: { location },
          body: '',
        })
        expect(result.messageId).toBe(referenceMessageId(location))
      }),
      { numRuns: 1000 },
    )
  })

  it('reads the services’ Location forms', () => {
    const cases: [string, string | undefined][] = [
      [
        'https://fcm.googleapis.com/0:1700000000000000%7Ce609af1cf9fdd49d',
        '0:1700000000000000|e609af1cf9fdd49d',
      ],
      ['https://updates.push.services.mozilla.com/m/gAAAAABh-x_y', 'gAAAAABh-x_y'],
      ['/message/42', '42'],
      ['https://push.example.net/a/b/../c/', 'c'],
      ['https://push.example.net/', undefined],
      ['https://push.example.net?x=1', undefined],
      ['//other.example/m/7', '7'],
    ]
    for (const [location, messageId] of cases) {
      const result = createPushResult({
        endpoint: 'https://push.example.net/x',
        statusCode: 201,
        headers: { location },
        body: '',
      })
      expect(result.messageId, location).toBe(messageId)
    }
  })
})
