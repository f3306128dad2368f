/**
 * The SSRF guard for push endpoints. A subscription's `endpoint` comes from the browser, so it is
 * an attacker-controlled URL that the server will POST to (RFC 8030 §5): only `https:` URLs whose
 * host is an allowed push service and resolves to public addresses only are accepted, once when the
 * subscription is stored and again on every connection the sender opens (the resolved address is
 * pinned through {@link createGuardedLookup}, so a DNS answer cannot change between check and use).
 *
 * @module
 */

import { lookup as dnsLookup } from 'node:dns'
import { isIP } from 'node:net'

/**
 * The push services accepted by default: Chrome/Edge/Opera (FCM), Firefox (Mozilla autopush),
 * Safari (Apple), and Windows (WNS).
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_PUSH_HOSTS } from './ssrf.js'
 * console.log(DEFAULT_PUSH_HOSTS.includes('fcm.googleapis.com'))
 * ```
 */
export const DEFAULT_PUSH_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  '*.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
]

/**
 * One resolved address, as `dns.lookup(…, { all: true })` returns it.
 *
 * @example
 *
 * ```ts
 * import type { LookupAddress } from './ssrf.js'
 * const a: LookupAddress = { address: '142.250.1.95', family: 4 }
 * ```
 */
export interface LookupAddress {
  readonly address: string
  readonly family: number
}

/**
 * Resolves a host name to every address (injectable for tests; defaults to `node:dns` lookup).
 *
 * @example
 *
 * ```ts
 * import type { ResolveHost } from './ssrf.js'
 * const resolve: ResolveHost = async () => [{ address: '142.250.1.95', family: 4 }]
 * ```
 */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>

/**
 * What the guard accepts.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_PUSH_HOSTS, type EndpointPolicy } from './ssrf.js'
 * const policy: EndpointPolicy = { allowedHosts: DEFAULT_PUSH_HOSTS, allowInsecure: false }
 * ```
 */
export interface EndpointPolicy {
  /**
   * Host patterns: `host` exactly, `*.domain` for any sub-domain of `domain`, or `*` for any host
   * (still public addresses only).
   */
  readonly allowedHosts: readonly string[]
  /**
   * Test-only: also accept `http:`, IP-literal hosts and loopback/private addresses. Never enable
   * it in production.
   */
  readonly allowInsecure: boolean
  /** The resolver; defaults to `dns.lookup(host, { all: true })`. */
  readonly resolve?: ResolveHost
}

/**
 * Why an endpoint was refused.
 *
 * - `url`: not an absolute URL, or it carries credentials/a fragment.
 * - `scheme`: not `https:`.
 * - `host`: the host matches no allowed push service (or is an IP literal).
 * - `address`: the host resolves to a loopback, private, link-local, CGNAT, multicast or
 *   otherwise non-public address.
 * - `dns`: the host does not resolve (at subscribe time a refusal; at send time a transient error).
 *
 * @example
 *
 * ```ts
 * import type { EndpointRejectionReason } from './ssrf.js'
 * const reason: EndpointRejectionReason = 'address'
 * ```
 */
export type EndpointRejectionReason = 'url' | 'scheme' | 'host' | 'address' | 'dns'

/**
 * Thrown by {@link checkEndpoint} and the guarded lookup. `code` is always
 * `ERR_ENDPOINT_NOT_ALLOWED`; branch on `reason`.
 *
 * @example
 *
 * ```ts
 * import { EndpointRejectedError } from './ssrf.js'
 * const error = new EndpointRejectedError('scheme', 'the endpoint must use https:')
 * console.log(error.code, error.reason)
 * ```
 */
export class EndpointRejectedError extends Error {
  /** Always `ERR_ENDPOINT_NOT_ALLOWED`. */
  readonly code = 'ERR_ENDPOINT_NOT_ALLOWED' as const
  /** The rule that refused the endpoint. */
  readonly reason: EndpointRejectionReason

  /**
   * @param reason - The rule that refused the endpoint.
   * @param message - Names the rule; contains the host at most, never the endpoint path.
   * @param options - The underlying `cause` (a DNS error).
   */
  constructor(reason: EndpointRejectionReason, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'EndpointRejectedError'
    this.reason = reason
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses

type Bytes = readonly number[]

function parseIPv4(address: string): Bytes | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    out.push(n)
  }
  return out
}

function parseIPv6(input: string): Bytes | undefined {
  let address = input
  const zone = address.indexOf('%')
  if (zone !== -1) address = address.slice(0, zone)
  // A trailing dotted quad (::ffff:1.2.3.4) counts as two groups.
  let tail: number[] = []
  const lastColon = address.lastIndexOf(':')
  if (address.includes('.', lastColon)) {
    const v4 = parseIPv4(address.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [...v4]
    address = `${address.slice(0, lastColon + 1)}0:0`
  }
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return []
    const groups: number[] = []
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined
      groups.push(parseInt(g, 16))
    }
    return groups
  }
  const head = toGroups(halves[0] ?? '')
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : []
  if (head === undefined || rest === undefined) return undefined
  let groups: number[]
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length
    if (fill < 1) return undefined
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest]
  } else {
    groups = head
  }
  if (groups.length !== 8) return undefined
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff])
  if (tail.length === 4) bytes.splice(12, 4, ...tail)
  return bytes
}

function inPrefix(bytes: Bytes, prefix: Bytes, bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const remaining = Math.min(8, bits - i)
    const mask = (0xff << (8 - remaining)) & 0xff
    const a = bytes[i / 8] ?? 0
    const b = prefix[i / 8] ?? 0
    if ((a & mask) !== (b & mask)) return false
  }
  return true
}

type Range = readonly [prefix: Bytes, bits: number]

// IANA IPv4 Special-Purpose Address Registry (RFC 6890) plus multicast and reserved space.
const IPV4_NON_PUBLIC: readonly Range[] = [
  [[0, 0, 0, 0], 8], // "this network" (RFC 791)
  [[10, 0, 0, 0], 8], // private (RFC 1918)
  [[100, 64, 0, 0], 10], // shared address space / CGNAT (RFC 6598)
  [[127, 0, 0, 0], 8], // loopback (RFC 1122)
  [[169, 254, 0, 0], 16], // link-local (RFC 3927), incl. cloud metadata 169.254.169.254
  [[172, 16, 0, 0], 12], // private (RFC 1918)
  [[192, 0, 0, 0], 24], // IETF protocol assignments (RFC 6890)
  [[192, 0, 2, 0], 24], // TEST-NET-1 (RFC 5737)
  [[192, 88, 99, 0], 24], // 6to4 relay anycast (RFC 7526)
  [[192, 168, 0, 0], 16], // private (RFC 1918)
  [[198, 18, 0, 0], 15], // benchmarking (RFC 2544)
  [[198, 51, 100, 0], 24], // TEST-NET-2 (RFC 5737)
  [[203, 0, 113, 0], 24], // TEST-NET-3 (RFC 5737)
  [[224, 0, 0, 0], 4], // multicast (RFC 5771)
  [[240, 0, 0, 0], 4], // reserved (RFC 1112) incl. broadcast 255.255.255.255
]

function hex(groups: readonly number[]): Bytes {
  return groups.flatMap((g) => [g >> 8, g & 0xff])
}

// IANA IPv6 Special-Purpose Address Registry (RFC 6890) inside global unicast 2000::/3.
const IPV6_NON_PUBLIC: readonly Range[] = [
  [hex([0x2001, 0]), 23], // IETF protocol assignments incl. Teredo 2001::/32 (RFC 2928, 4380)
  [hex([0x2001, 0x0db8]), 32], // documentation (RFC 3849)
  [hex([0x2002]), 16], // 6to4 (RFC 3056): embeds an IPv4 address; refused outright
  [hex([0x3fff]), 20], // documentation (RFC 9637)
]

/**
 * Whether an IP address is public: globally routable unicast. Refuses loopback, private (RFC 1918,
 * ULA), link-local, CGNAT (RFC 6598), multicast, documentation, benchmarking and reserved ranges,
 * and IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible, NAT64
 * `64:ff9b::/96`) unless the embedded IPv4 address is public itself.
 *
 * @param address - An IPv4 or IPv6 address (text form; an IPv6 zone id is ignored).
 * @returns `false` for anything but a public unicast address, or for a string that is no address.
 * @example
 *
 * ```ts
 * import { isPublicAddress } from './ssrf.js'
 * isPublicAddress('10.0.0.1') // false
 * isPublicAddress('::ffff:127.0.0.1') // false
 * isPublicAddress('142.250.1.95') // true
 * ```
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.split('%')[0] ?? '')
  if (family === 4) {
    const bytes = parseIPv4(address)
    return bytes !== undefined && !IPV4_NON_PUBLIC.some(([p, bits]) => inPrefix(bytes, p, bits))
  }
  if (family !== 6) return false
  const bytes = parseIPv6(address)
  if (bytes === undefined) return false
  const embedded = bytes.slice(12)
  // ::ffff:a.b.c.d (IPv4-mapped, RFC 4291 §2.5.5.2), ::a.b.c.d (IPv4-compatible, deprecated) and
  // 64:ff9b::a.b.c.d (NAT64, RFC 6052) reach the embedded IPv4 address.
  const mapped = inPrefix(bytes, hex([0, 0, 0, 0, 0, 0xffff]), 96)
  const compatible = inPrefix(bytes, hex([0, 0, 0, 0, 0, 0]), 96)
  const nat64 = inPrefix(bytes, hex([0x64, 0xff9b, 0, 0, 0, 0]), 96)
  if (mapped || nat64 || compatible) {
    // ::/128 and ::1/128 fall in the IPv4-compatible range and map to 0.0.0.0/8: refused.
    return isPublicAddress(embedded.join('.'))
  }
  // Only global unicast 2000::/3 is public (RFC 4291 §2.4); this excludes ::1, fc00::/7 (ULA),
  // fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast), 64:ff9b:1::/48, 100::/64.
  if (!inPrefix(bytes, [0x20], 3)) return false
  return !IPV6_NON_PUBLIC.some(([p, bits]) => inPrefix(bytes, p, bits))
}

// ---------------------------------------------------------------------------------------------
// Hosts

/**
 * Whether a host name matches one of the allow-list patterns (`host`, `*.domain`, `*`).
 * Comparison is case-insensitive and ignores a trailing dot.
 *
 * @param hostname - The URL's host name (IPv6 literals without brackets).
 * @param patterns - The allow-list.
 * @returns `true` when a pattern matches.
 * @example
 *
 * ```ts
 * import { hostMatches } from './ssrf.js'
 * hostMatches('updates.push.services.mozilla.com', ['*.push.services.mozilla.com']) // true
 * ```
 */
export function hostMatches(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase().replace(/\.$/, '')
    if (pattern === '*') return true
    if (pattern.startsWith('*.'))
      return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
    return host === pattern
  })
}

function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}

const defaultResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) => {
      if (error) reject(error)
      else resolve(addresses)
    })
  })

/**
 * The checks that need no DNS: URL shape, scheme and host allow-list.
 *
 * @param endpoint - The subscription endpoint.
 * @param policy - What to accept.
 * @returns The parsed URL.
 * @throws {@link EndpointRejectedError} with reason `url`, `scheme` or `host`.
 * @example
 *
 * ```ts
 * import { checkEndpointSyntax, DEFAULT_PUSH_HOSTS } from './ssrf.js'
 * checkEndpointSyntax('https://fcm.googleapis.com/fcm/send/x', {
 *   allowedHosts: DEFAULT_PUSH_HOSTS,
 *   allowInsecure: false,
 * })
 * ```
 */
export function checkEndpointSyntax(endpoint: string, policy: EndpointPolicy): URL {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch (cause) {
    throw new EndpointRejectedError('url', 'the endpoint is not an absolute URL', { cause })
  }
  if (url.username !== '' || url.password !== '') {
    throw new EndpointRejectedError('url', 'the endpoint must not carry credentials')
  }
  const secure = url.protocol === 'https:'
  if (!secure && !(policy.allowInsecure && url.protocol === 'http:')) {
    throw new EndpointRejectedError('scheme', `the endpoint must use https:, got ${url.protocol}`)
  }
  if (url.port !== '' && !policy.allowInsecure) {
    throw new EndpointRejectedError('url', 'the endpoint must use the default https port')
  }
  const host = bareHost(url)
  if (isIP(host) !== 0 && !policy.allowInsecure) {
    throw new EndpointRejectedError(
      'host',
      'the endpoint host must be a push service name, not an IP address',
    )
  }
  if (!hostMatches(host, policy.allowedHosts)) {
    throw new EndpointRejectedError(
      'host',
      `the endpoint host "${host}" is not an allowed push service`,
    )
  }
  return url
}

// An `http(s)://authority` prefix that URL parsing cannot rewrite into something else: ASCII
// letters, digits and `.-:[]` only (no credentials, percent-escapes, whitespace or control
// characters). Only these special schemes: for them `/`, `?`, `#` and `\` all end the authority
// (WHATWG URL), so the rest of the endpoint cannot change what the check sees.
const PLAIN_ORIGIN = /^https?:\/\/[a-z\d.:[\]-]+$/i
/** Verdicts kept per {@link EndpointVerdicts}, at most (a delivery reaches a few push services). */
const MAX_VERDICTS = 1024

/**
 * The `http(s)://authority` part of an endpoint, up to the first `/`, `?`, `#` or `\` (the
 * characters that end the authority of a special URL in the WHATWG URL parser), when it is plain
 * enough that the verdict of {@link checkEndpointSyntax} depends on it alone; otherwise
 * `undefined`.
 */
function plainOrigin(endpoint: string): string | undefined {
  const start = endpoint.indexOf('://')
  if (start <= 0) return undefined
  let end = start + 3
  for (; end < endpoint.length; end++) {
    const c = endpoint.charCodeAt(end)
    // '/', '?', '#', '\'
    if (c === 0x2f || c === 0x3f || c === 0x23 || c === 0x5c) break
  }
  const prefix = endpoint.slice(0, end)
  return PLAIN_ORIGIN.test(prefix) ? prefix : undefined
}

/**
 * The send-time re-check of {@link checkEndpointSyntax} for a stream of endpoints (one delivery):
 * every endpoint is checked, but the verdict is computed once per `scheme://authority`, since
 * scheme, credentials, port and host (the only parts the check looks at) all live there. An
 * endpoint whose authority is not plain ASCII (percent-escapes, `@`, whitespace…) is checked in
 * full every time. Addresses are not part of this: the guarded DNS lookup checks them on every
 * connection.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_PUSH_HOSTS, EndpointVerdicts } from './ssrf.js'
 * const verdicts = new EndpointVerdicts({ allowedHosts: DEFAULT_PUSH_HOSTS, allowInsecure: false })
 * verdicts.check('https://fcm.googleapis.com/fcm/send/a')
 * verdicts.check('https://fcm.googleapis.com/fcm/send/b') // answered from the first verdict
 * ```
 */
export class EndpointVerdicts {
  readonly #policy: EndpointPolicy
  readonly #verdicts = new Map<string, EndpointRejectedError | null>()

  /** @param policy - What to accept. */
  constructor(policy: EndpointPolicy) {
    this.#policy = policy
  }

  /**
   * Checks one endpoint, as {@link checkEndpointSyntax} does.
   *
   * @param endpoint - The stored endpoint.
   * @throws {@link EndpointRejectedError} with reason `url`, `scheme` or `host`.
   */
  check(endpoint: string): void {
    const origin = plainOrigin(endpoint)
    if (origin === undefined) {
      checkEndpointSyntax(endpoint, this.#policy)
      return
    }
    let verdict = this.#verdicts.get(origin)
    if (verdict === undefined) {
      verdict = null
      try {
        checkEndpointSyntax(endpoint, this.#policy)
      } catch (error) {
        if (!(error instanceof EndpointRejectedError)) throw error
        verdict = error
      }
      if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts.clear()
      this.#verdicts.set(origin, verdict)
    }
    if (verdict !== null) throw verdict
  }
}

/**
 * Checks a list of resolved addresses: every one must be public (unless `allowInsecure`).
 *
 * @param hostname - For the message.
 * @param addresses - What the host resolved to.
 * @param policy - What to accept.
 * @throws {@link EndpointRejectedError} reason `address` (any address non-public) or `dns` (none).
 * @example
 *
 * ```ts
 * import { checkAddresses } from './ssrf.js'
 * checkAddresses('push.example', [{ address: '142.250.1.95', family: 4 }], {
 *   allowedHosts: ['*'],
 *   allowInsecure: false,
 * })
 * ```
 */
export function checkAddresses(
  hostname: string,
  addresses: readonly LookupAddress[],
  policy: EndpointPolicy,
): void {
  if (addresses.length === 0) {
    throw new EndpointRejectedError('dns', `the endpoint host "${hostname}" has no address`)
  }
  if (policy.allowInsecure) return
  // One private address is enough to refuse: the connection could pick it.
  if (addresses.some((a) => !isPublicAddress(a.address))) {
    throw new EndpointRejectedError(
      'address',
      `the endpoint host "${hostname}" resolves to a non-public address`,
    )
  }
}

/**
 * Runs every check on an endpoint: URL shape, `https:`, allow-listed host, and DNS resolution to
 * public addresses only.
 *
 * @param endpoint - The subscription endpoint (attacker-controlled).
 * @param policy - What to accept.
 * @returns The parsed URL and the addresses it resolved to.
 * @throws {@link EndpointRejectedError} with the failing `reason`.
 * @example
 *
 * ```ts
 * import { checkEndpoint, DEFAULT_PUSH_HOSTS } from './ssrf.js'
 * await checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', {
 *   allowedHosts: DEFAULT_PUSH_HOSTS,
 *   allowInsecure: false,
 * })
 * ```
 */
export async function checkEndpoint(
  endpoint: string,
  policy: EndpointPolicy,
): Promise<{ url: URL; addresses: readonly LookupAddress[] }> {
  const url = checkEndpointSyntax(endpoint, policy)
  const host = bareHost(url)
  if (isIP(host) !== 0) {
    const addresses = [{ address: host, family: isIP(host) }]
    checkAddresses(host, addresses, policy)
    return { url, addresses }
  }
  let addresses: readonly LookupAddress[]
  try {
    addresses = await (policy.resolve ?? defaultResolve)(host)
  } catch (cause) {
    throw new EndpointRejectedError('dns', `the endpoint host "${host}" does not resolve`, {
      cause,
    })
  }
  checkAddresses(host, addresses, policy)
  return { url, addresses }
}

/**
 * The `lookup` signature `net.connect`/`tls.connect` call (and undici passes through in
 * `connect.lookup`).
 *
 * @example
 *
 * ```ts
 * import type { ConnectLookup } from './ssrf.js'
 * const noop: ConnectLookup = (_host, _options, callback) => {
 *   callback(null, '142.250.1.95', 4)
 * }
 * ```
 */
export type ConnectLookup = (
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
) => void

/**
 * A DNS lookup for the sender's sockets that refuses non-public answers. Because the socket
 * connects to exactly the addresses this function checked, a rebinding DNS answer cannot slip a
 * private address in between the check and the connection.
 *
 * @param policy - What to accept (the `resolve` function is used for the lookup).
 * @returns A function to pass as undici `Agent({ connect: { lookup } })`.
 * @example
 *
 * ```ts
 * import { Agent } from 'undici'
 * import { createGuardedLookup, DEFAULT_PUSH_HOSTS } from './ssrf.js'
 * const lookup = createGuardedLookup({ allowedHosts: DEFAULT_PUSH_HOSTS, allowInsecure: false })
 * const agent = new Agent({ connect: { lookup } })
 * ```
 */
export function createGuardedLookup(policy: EndpointPolicy): ConnectLookup {
  const resolve = policy.resolve ?? defaultResolve
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        try {
          if (!hostMatches(hostname, policy.allowedHosts)) {
            throw new EndpointRejectedError(
              'host',
              `the endpoint host "${hostname}" is not an allowed push service`,
            )
          }
          checkAddresses(hostname, all, policy)
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '')
          return
        }
        const family =
          options.family === 6 || options.family === 'IPv6'
            ? 6
            : options.family === 4 || options.family === 'IPv4'
              ? 4
              : 0
        const usable = family === 0 ? all : all.filter((a) => a.family === family)
        if (options.all === true) {
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          )
          return
        }
        const first = usable[0]
        if (first === undefined) {
          callback(
            new EndpointRejectedError(
              'dns',
              `the endpoint host "${hostname}" has no address of family ${family}`,
            ),
            '',
          )
          return
        }
        callback(null, first.address, first.family)
      },
      (error: unknown) => {
        callback(error as NodeJS.ErrnoException, '')
      },
    )
  }
}
