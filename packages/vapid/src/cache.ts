/**
 * A cache of signed VAPID tokens, so a sender signs once per push service and key instead of once
 * per message (RFC 8292 §2 lets a token be reused until `exp`; Apple asks senders not to create a
 * new token more often than once an hour).
 *
 * @module
 */

import type {
  AuthorizationPair,
  CreateVapidAuthorizationOptions,
  VapidAuthorization,
} from './authorization.js'
import { AUTHORIZATION_OPTIONS, resolveScheme, signAuthorizations } from './authorization.js'
import { assertInteger, assertKnownKeys, isObject } from './internal/assert.js'
import {
  DEFAULT_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  nowSeconds,
  validateTokenRequest,
} from './jwt.js'

/**
 * The shortest time between two signatures for one cache entry: one hour, in seconds. The cache
 * options must leave at least this much between signing a token and replacing it.
 *
 * @example
 *
 * ```ts
 * import { MIN_RESIGN_INTERVAL_SECONDS } from '@pushcraft/vapid'
 *
 * MIN_RESIGN_INTERVAL_SECONDS // 3600
 * ```
 */
export const MIN_RESIGN_INTERVAL_SECONDS = 3_600

/**
 * Options of {@link VapidTokenCache}.
 *
 * @example
 *
 * ```ts
 * import type { VapidTokenCacheOptions } from '@pushcraft/vapid'
 *
 * const options: VapidTokenCacheOptions = { maxEntries: 64, ttlSeconds: 6 * 3600 }
 * ```
 */
export interface VapidTokenCacheOptions {
  /**
   * The most (audience, key, subject) entries kept; the least recently used goes first. Default
   * 256 (a sender talks to a handful of push services).
   */
  readonly maxEntries?: number
  /**
   * Lifetime of the tokens the cache signs (`exp` - now), in seconds. Default 43 200 (12 h); at
   * most 86 400 (24 h, RFC 8292 §2).
   */
  readonly ttlSeconds?: number
  /**
   * A token is reused while it has more than this many seconds left, then replaced. Default 600
   * (10 min), so a reused token never expires in flight. `ttlSeconds - minTtlSeconds` must be at
   * least {@link MIN_RESIGN_INTERVAL_SECONDS}.
   */
  readonly minTtlSeconds?: number
}

/**
 * What {@link VapidTokenCache.get} takes: the options of {@link createVapidAuthorization} without
 * `expiration` (the cache chooses it).
 *
 * @example
 *
 * ```ts
 * import type { VapidTokenCacheRequest } from '@pushcraft/vapid'
 *
 * type Request = VapidTokenCacheRequest // keys, audience, subject, scheme?, contentEncoding?, claims?
 * ```
 */
export type VapidTokenCacheRequest = Omit<CreateVapidAuthorizationOptions, 'expiration' | 'cache'>

/**
 * Counters of a {@link VapidTokenCache}, for metrics.
 *
 * @example
 *
 * ```ts
 * import { VapidTokenCache } from '@pushcraft/vapid'
 *
 * const { hits, misses, signatures, evictions } = new VapidTokenCache().stats
 * ```
 */
export interface VapidTokenCacheStats {
  /** Calls answered from the cache. */
  readonly hits: number
  /** Calls that had to wait for a signature (their own or a concurrent caller's). */
  readonly misses: number
  /** Tokens signed. */
  readonly signatures: number
  /** Entries dropped to respect `maxEntries`. */
  readonly evictions: number
}

interface Entry {
  readonly keyId: string
  readonly audience: string
  readonly subject: string
  readonly claims: string | undefined
  readonly pair: AuthorizationPair
  /** Milliseconds since the epoch from which the entry is replaced. */
  readonly refreshAt: number
  lastUsed: number
}

const CACHE_OPTIONS = ['maxEntries', 'ttlSeconds', 'minTtlSeconds']

/**
 * Reuses signed VAPID tokens per (audience, key id, subject, extra claims) until shortly before
 * they expire.
 *
 * - A hit returns the same frozen {@link VapidAuthorization} object, with no signing and no header
 *   formatting.
 * - Concurrent callers that miss share one in-flight signature.
 * - An entry is re-signed at most once per {@link MIN_RESIGN_INTERVAL_SECONDS} (the options are
 *   checked to guarantee it), as Apple asks.
 * - At most `maxEntries` entries are kept (least recently used evicted first), so a flood of
 *   audiences cannot grow memory without bound.
 *
 * Pass it to {@link createVapidAuthorization} as `cache`, or call {@link VapidTokenCache.get}.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
 *
 * const keys = await generateVapidKeys()
 * const cache = new VapidTokenCache({ maxEntries: 64 })
 * const first = await cache.get({
 *   keys,
 *   audience: 'https://web.push.apple.com',
 *   subject: 'mailto:push@example.com',
 * })
 * const again = await cache.get({
 *   keys,
 *   audience: 'https://web.push.apple.com',
 *   subject: 'mailto:push@example.com',
 * })
 * // again === first: no new signature
 * ```
 */
export class VapidTokenCache {
  /** The most entries kept. */
  readonly maxEntries: number
  /** Lifetime of signed tokens, in seconds. */
  readonly ttlSeconds: number
  /** Remaining lifetime below which a token is replaced, in seconds. */
  readonly minTtlSeconds: number

  readonly #entries = new Map<string, Entry>()
  readonly #pending = new Map<string, Promise<Entry>>()
  #clock = 0
  #hits = 0
  #misses = 0
  #signatures = 0
  #evictions = 0

  /**
   * @param options - `maxEntries` (default 256), `ttlSeconds` (default 43 200), `minTtlSeconds`
   *   (default 600).
   * @throws `TypeError` for unknown or non-numeric options; `RangeError` when a value is out of
   *   range or `ttlSeconds - minTtlSeconds` is under {@link MIN_RESIGN_INTERVAL_SECONDS}.
   */
  constructor(options?: VapidTokenCacheOptions) {
    if (options !== undefined && !isObject(options)) {
      throw new TypeError('"options" must be an object')
    }
    assertKnownKeys(options ?? {}, CACHE_OPTIONS, 'options')
    const maxEntries = options?.maxEntries ?? 256
    const ttlSeconds = options?.ttlSeconds ?? DEFAULT_EXPIRATION_SECONDS
    const minTtlSeconds = options?.minTtlSeconds ?? 600
    assertInteger(maxEntries, { min: 1, max: 1_000_000 }, 'maxEntries')
    assertInteger(ttlSeconds, { min: 1, max: MAX_EXPIRATION_SECONDS }, 'ttlSeconds')
    assertInteger(minTtlSeconds, { min: 0, max: MAX_EXPIRATION_SECONDS }, 'minTtlSeconds')
    if (ttlSeconds - minTtlSeconds < MIN_RESIGN_INTERVAL_SECONDS) {
      throw new RangeError(
        `"ttlSeconds" - "minTtlSeconds" must be at least ${MIN_RESIGN_INTERVAL_SECONDS} s, so a ` +
          `token is not re-signed more than once an hour, got ${ttlSeconds - minTtlSeconds} s`,
      )
    }
    this.maxEntries = maxEntries
    this.ttlSeconds = ttlSeconds
    this.minTtlSeconds = minTtlSeconds
  }

  /** The number of cached entries (fresh or due for refresh). */
  get size(): number {
    return this.#entries.size
  }

  /** A snapshot of the hit/miss/signature/eviction counters. */
  get stats(): VapidTokenCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      signatures: this.#signatures,
      evictions: this.#evictions,
    }
  }

  /**
   * The headers for a request: the cached ones while the token has more than `minTtlSeconds`
   * left, otherwise a freshly signed token (shared with concurrent callers).
   *
   * @param options - As {@link createVapidAuthorization}, without `expiration`.
   * @returns The headers (the same object for every hit on an entry).
   * @throws `TypeError` for malformed options, as {@link createVapidAuthorization}.
   */
  get(options: VapidTokenCacheRequest): Promise<VapidAuthorization> {
    const found = this.#lookup(options)
    if (found.entry !== undefined) {
      this.#hits++
      return Promise.resolve(found.entry.pair[found.scheme])
    }
    this.#misses++
    const scheme = found.scheme
    return this.#refresh(options, found.key, found.claims).then((entry) => entry.pair[scheme])
  }

  /**
   * The cached headers if a fresh entry exists, without signing. Synchronous.
   *
   * @param options - As {@link VapidTokenCache.get}.
   * @returns The cached headers, or `undefined` on a miss.
   * @throws `TypeError` for malformed options.
   */
  peek(options: VapidTokenCacheRequest): VapidAuthorization | undefined {
    const found = this.#lookup(options)
    return found.entry?.pair[found.scheme]
  }

  /**
   * Removes entries: all of them, or those of one audience and/or key id (after a key is retired,
   * for example).
   *
   * @param filter - `audience` and/or `keyId` to match; omit to remove everything.
   * @returns The number of entries removed.
   */
  delete(filter?: { readonly audience?: string; readonly keyId?: string }): number {
    let removed = 0
    for (const [key, entry] of this.#entries) {
      if (
        (filter?.audience === undefined || filter.audience === entry.audience) &&
        (filter?.keyId === undefined || filter.keyId === entry.keyId)
      ) {
        this.#entries.delete(key)
        removed++
      }
    }
    return removed
  }

  /** Removes every entry (signatures in flight still complete for their callers). */
  clear(): void {
    this.#entries.clear()
  }

  // The hit path: a few property reads, one string concatenation, one Map lookup. Full
  // validation happens on a miss, before anything is signed or stored.
  #lookup(options: VapidTokenCacheRequest): {
    key: string
    claims: string | undefined
    scheme: 'vapid' | 'webpush'
    entry: Entry | undefined
  } {
    if (!isObject(options)) throw new TypeError('"options" must be an object')
    if ((options as { expiration?: unknown }).expiration !== undefined) {
      throw new TypeError('"expiration" cannot be combined with "cache": the cache chooses "exp"')
    }
    const scheme = resolveScheme(options.scheme, options.contentEncoding)
    const { keys, audience, subject } = options
    const keyId = isObject(keys) && typeof keys.id === 'string' ? keys.id : ''
    const claims = options.claims === undefined ? undefined : JSON.stringify(options.claims)
    const key = `${keyId}\n${audience}\n${subject}\n${claims ?? ''}`
    const entry = this.#entries.get(key)
    if (
      entry !== undefined &&
      Date.now() < entry.refreshAt &&
      entry.keyId === keyId &&
      entry.audience === audience &&
      entry.subject === subject &&
      entry.claims === claims
    ) {
      entry.lastUsed = ++this.#clock
      return { key, claims, scheme, entry }
    }
    return { key, claims, scheme, entry: undefined }
  }

  #refresh(
    options: VapidTokenCacheRequest,
    key: string,
    claims: string | undefined,
  ): Promise<Entry> {
    const inFlight = this.#pending.get(key)
    if (inFlight !== undefined) return inFlight
    const shared = this.#sign(options, key, claims).finally(() => this.#pending.delete(key))
    this.#pending.set(key, shared)
    return shared
  }

  async #sign(
    options: VapidTokenCacheRequest,
    key: string,
    claims: string | undefined,
  ): Promise<Entry> {
    assertKnownKeys(options, AUTHORIZATION_OPTIONS, 'options')
    const request = validateTokenRequest(options)
    const signedAt = Date.now()
    const expiration = nowSeconds() + this.ttlSeconds
    // Replace the token minTtlSeconds before exp, but never sooner than an hour after signing
    // (nowSeconds() rounds down, which could otherwise shave up to a second off the hour).
    const refreshAt = Math.max(
      (expiration - this.minTtlSeconds) * 1000,
      signedAt + MIN_RESIGN_INTERVAL_SECONDS * 1000,
    )
    const pair = await signAuthorizations(request, expiration)
    this.#signatures++
    const entry: Entry = {
      keyId: request.keys.id,
      audience: request.audience,
      subject: request.subject,
      claims,
      pair,
      refreshAt,
      lastUsed: ++this.#clock,
    }
    this.#store(key, entry)
    return entry
  }

  #store(key: string, entry: Entry): void {
    this.#entries.set(key, entry)
    if (this.#entries.size <= this.maxEntries) return
    // Over the bound: drop expired entries, then the least recently used ones.
    const now = Date.now()
    for (const [candidateKey, candidate] of this.#entries) {
      if (candidate.refreshAt <= now && candidateKey !== key) this.#entries.delete(candidateKey)
    }
    while (this.#entries.size > this.maxEntries) {
      let oldestKey: string | undefined
      let oldest = Infinity
      for (const [candidateKey, candidate] of this.#entries) {
        if (candidate.lastUsed < oldest && candidateKey !== key) {
          oldest = candidate.lastUsed
          oldestKey = candidateKey
        }
      }
      if (oldestKey === undefined) break
      this.#entries.delete(oldestKey)
      this.#evictions++
    }
  }
}
