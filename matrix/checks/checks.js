/**
 * The runtime matrix's checks: one plain ES module that Node, Deno, Bun, workerd and a browser
 * page each run unchanged against the packed `@pushcraft/*` packages.
 *
 * It uses only what every runtime has on `globalThis` (`crypto.subtle`, `crypto.getRandomValues`,
 * `TextEncoder`, `URL`, typed arrays): no `Buffer`, no `process`, no `node:*`. The packages are
 * loaded with dynamic `import()` of their public specifiers, so a package that does not load, or
 * does not export what the contract (notes/contracts.md) names, fails its own checks only.
 *
 * @module
 */
/* eslint no-restricted-globals: ["error", "Buffer", "process", "require", "global", "__dirname", "setImmediate"] */

/** Message prefix the runner uses to tell "not written yet" apart from a real failure. */
export const NOT_BUILT = 'package not built yet'

// Literal specifiers, so a bundler (esbuild, for workerd) can follow them.
const loaders = {
  '@pushcraft/ece': () => import('@pushcraft/ece'),
  '@pushcraft/vapid': () => import('@pushcraft/vapid'),
  '@pushcraft/webpush/request': () => import('@pushcraft/webpush/request'),
}

/**
 * The checks, in report order: `[package, name, run]`. `package` is the specifier whose readiness
 * the check depends on (for the runtime-support tables).
 */
const CHECKS = [
  ['@pushcraft/ece', 'aes128gcm encrypt: RFC 8188 §3.1 and §3.2 (fixed salt)', eceEncryptRfc8188],
  ['@pushcraft/ece', 'aes128gcm decrypt: RFC 8188 §3.1 and §3.2', eceDecryptRfc8188],
  [
    '@pushcraft/ece',
    'aesgcm encrypt: httpbis-encryption-encoding-03 §5.1/§5.2, webpush-encryption-04',
    eceEncryptAesgcm,
  ],
  [
    '@pushcraft/ece',
    'aesgcm decrypt: httpbis-encryption-encoding-03 §5.1/§5.2, webpush-encryption-04',
    eceDecryptAesgcm,
  ],
  ['@pushcraft/ece', 'aes128gcm encrypt: RFC 8291 Appendix A body from its IKM', eceEncryptRfc8291],
  [
    '@pushcraft/ece',
    'aes128gcm decrypt: RFC 8291 Appendix A as the user agent (ECDH + HKDF)',
    eceDecryptRfc8291,
  ],
  [
    '@pushcraft/vapid',
    'keys: generate, export, import round trip (raw, jwk, pkcs8-pem, sec1-pem, der)',
    vapidKeyRoundTrip,
  ],
  [
    '@pushcraft/vapid',
    'keys: import the RFC 8291 application-server key (with and without its public key)',
    vapidImportFixed,
  ],
  [
    '@pushcraft/vapid',
    'sign → verify: createVapidAuthorization, verifyVapidAuthorization (vapid, webpush)',
    vapidSignVerify,
  ],
  ['@pushcraft/vapid', 'audienceFromEndpoint: RFC 8292 §2 cases', vapidAudience],
  [
    '@pushcraft/webpush/request',
    'buildPushRequest aes128gcm → user agent decrypts (RFC 8291), VAPID verifies',
    () => pushRoundTrip('aes128gcm'),
  ],
  [
    '@pushcraft/webpush/request',
    'buildPushRequest aesgcm → user agent decrypts (webpush-encryption-04), VAPID verifies',
    () => pushRoundTrip('aesgcm'),
  ],
]

/** `{ package, name }` of every check, in order, without running anything. */
export const CHECK_LIST = CHECKS.map(([pkg, name]) => ({ package: pkg, name }))

/** The API each package must export before its checks can run (the agreed contract). */
const REQUIRED = {
  '@pushcraft/ece': [
    'encrypt',
    'decrypt',
    'parseHeader',
    'encryptAesgcm',
    'decryptAesgcm',
    'parseAesgcmHeaders',
  ],
  '@pushcraft/vapid': [
    'generateVapidKeys',
    'importVapidKeys',
    'exportVapidKeys',
    'createVapidAuthorization',
    'verifyVapidAuthorization',
    'audienceFromEndpoint',
  ],
  '@pushcraft/webpush/request': ['buildPushRequest'],
}

let vectors
const modules = new Map()

/**
 * Runs every check once, in order, and never throws.
 *
 * @param {{ vectors: Array<Record<string, any>> }} vectorFile the matrix's `vectors.json`
 * @param {{ only?: string[] }} [options] restrict to these check names (for debugging)
 * @returns {Promise<Array<{ package: string, name: string, ok: boolean, error?: string }>>}
 */
export async function runChecks(vectorFile, options = {}) {
  vectors = new Map(vectorFile.vectors.map((v) => [v.id, v]))
  modules.clear()
  const results = []
  for (const [pkg, name, run] of CHECKS) {
    if (options.only && !options.only.includes(name)) continue
    try {
      await run()
      results.push({ package: pkg, name, ok: true })
    } catch (error) {
      results.push({ package: pkg, name, ok: false, error: describe(error) })
    }
  }
  return results
}

// ---------------------------------------------------------------------------------------------
// Loading

async function load(specifier) {
  if (!modules.has(specifier)) {
    modules.set(
      specifier,
      loaders[specifier]().then(
        (mod) => ({ mod }),
        (error) => ({ error }),
      ),
    )
  }
  const { mod, error } = await modules.get(specifier)
  if (error) throw new Error(`cannot load ${specifier}: ${describe(error)}`)
  const missing = REQUIRED[specifier].filter((name) => typeof mod[name] !== 'function')
  if (missing.length > 0) {
    throw new Error(`${NOT_BUILT}: ${specifier} does not export ${missing.join(', ')}`)
  }
  return mod
}

// ---------------------------------------------------------------------------------------------
// @pushcraft/ece

async function eceEncryptRfc8188() {
  const ece = await load('@pushcraft/ece')
  for (const id of ['rfc8188-3.1-single-record', 'rfc8188-3.2-multiple-records']) {
    const { input, output } = vector(id)
    const body = await ece.encrypt(bytes(input.plaintext), {
      key: bytes(input.ikm),
      salt: bytes(input.salt),
      recordSize: input.rs,
      keyId: bytes(input.keyid),
      padding: input.records.reduce((sum, record) => sum + record.pad, 0),
    })
    expectBytes(body, bytes(output.body), `${id} body`)
  }
}

async function eceDecryptRfc8188() {
  const ece = await load('@pushcraft/ece')
  for (const id of ['rfc8188-3.1-single-record', 'rfc8188-3.2-multiple-records']) {
    const { input, output } = vector(id)
    const header = ece.parseHeader(bytes(output.body))
    expectBytes(header.salt, bytes(input.salt), `${id} header salt`)
    expectEqual(header.recordSize, input.rs, `${id} header rs`)
    expectBytes(header.keyId, bytes(input.keyid), `${id} header keyid`)
    const plaintext = await ece.decrypt(bytes(output.body), { key: bytes(input.ikm) })
    expectBytes(plaintext, bytes(input.plaintext), `${id} plaintext`)
    const looked = await ece.decrypt(bytes(output.body), { keyLookup: () => bytes(input.ikm) })
    expectBytes(looked, bytes(input.plaintext), `${id} plaintext (keyLookup)`)
  }
}

async function eceEncryptAesgcm() {
  const ece = await load('@pushcraft/ece')
  for (const id of [
    'httpbis-ee-03-5.1-aesgcm-explicit-key',
    'httpbis-ee-03-5.2-aesgcm-multiple-records',
  ]) {
    const { input, output } = vector(id)
    const result = await ece.encryptAesgcm(bytes(input.plaintext), {
      key: bytes(input.ikm),
      salt: bytes(input.salt),
      recordSize: input.rs,
      padding: input.records.reduce((sum, record) => sum + record.pad, 0),
    })
    expectBytes(result.body, bytes(output.body), `${id} body`)
    const params = ece.parseAesgcmHeaders({ encryption: result.headers.encryption })
    expectBytes(params.salt, bytes(input.salt), `${id} Encryption salt`)
    expectEqual(params.recordSize, input.rs, `${id} Encryption rs`)
  }
  const id = 'webpush-encryption-04-aesgcm'
  const { input, intermediate, output } = vector(id)
  const result = await ece.encryptAesgcm(bytes(input.plaintext), {
    key: bytes(intermediate.ecdh_secret),
    salt: bytes(input.salt),
    recordSize: input.rs,
    padding: input.pad,
    authSecret: bytes(input.auth_secret),
    dh: { receiverPublicKey: bytes(input.ua_public), senderPublicKey: bytes(input.as_public) },
  })
  expectBytes(result.body, bytes(output.body), `${id} body`)
  const params = ece.parseAesgcmHeaders(result.headers)
  expectBytes(params.dh, bytes(input.as_public), `${id} Crypto-Key dh`)
}

async function eceDecryptAesgcm() {
  const ece = await load('@pushcraft/ece')
  for (const id of [
    'httpbis-ee-03-5.1-aesgcm-explicit-key',
    'httpbis-ee-03-5.2-aesgcm-multiple-records',
  ]) {
    const { input, output, http } = vector(id)
    const params = ece.parseAesgcmHeaders({
      encryption: http.Encryption,
      cryptoKey: http['Crypto-Key'],
    })
    expectBytes(params.salt, bytes(input.salt), `${id} Encryption salt`)
    const plaintext = await ece.decryptAesgcm(bytes(output.body), {
      key: bytes(input.ikm),
      salt: params.salt,
      recordSize: params.recordSize,
    })
    expectBytes(plaintext, bytes(input.plaintext), `${id} plaintext`)
  }
  // The receiver's side of draft-ietf-webpush-encryption-04, from the published HTTP headers.
  const id = 'webpush-encryption-04-aesgcm'
  const { input, intermediate, output, http } = vector(id)
  const params = ece.parseAesgcmHeaders({
    encryption: http.Encryption,
    cryptoKey: http['Crypto-Key'],
  })
  const secret = await ecdh(bytes(input.ua_private), bytes(input.ua_public), params.dh)
  expectBytes(secret, bytes(intermediate.ecdh_secret), `${id} ECDH secret (WebCrypto)`)
  const plaintext = await ece.decryptAesgcm(bytes(output.body), {
    key: secret,
    salt: params.salt,
    recordSize: params.recordSize,
    authSecret: bytes(input.auth_secret),
    dh: { receiverPublicKey: bytes(input.ua_public), senderPublicKey: params.dh },
  })
  expectBytes(plaintext, bytes(input.plaintext), `${id} plaintext`)
}

async function eceEncryptRfc8291() {
  const ece = await load('@pushcraft/ece')
  const id = 'rfc8291-appendix-a'
  const { input, intermediate, output } = vector(id)
  const body = await ece.encrypt(bytes(input.plaintext), {
    key: bytes(intermediate.ikm),
    salt: bytes(input.salt),
    recordSize: input.rs,
    keyId: bytes(input.as_public),
    padding: input.pad,
  })
  expectBytes(body, bytes(output.body), `${id} body`)
}

async function eceDecryptRfc8291() {
  const ece = await load('@pushcraft/ece')
  const id = 'rfc8291-appendix-a'
  const { input, intermediate, output } = vector(id)
  const plaintext = await userAgentDecrypt(ece, bytes(output.body), {
    privateKey: bytes(input.ua_private),
    publicKey: bytes(input.ua_public),
    authSecret: bytes(input.auth_secret),
    expectIkm: bytes(intermediate.ikm),
  })
  expectBytes(plaintext, bytes(input.plaintext), `${id} plaintext`)
}

// ---------------------------------------------------------------------------------------------
// @pushcraft/vapid

async function vapidKeyRoundTrip() {
  const vapid = await load('@pushcraft/vapid')
  const keys = await vapid.generateVapidKeys({ extractable: true })
  expectEqual(keys.publicKeyBytes.length, 65, 'publicKeyBytes length')
  expectEqual(keys.publicKeyBytes[0], 4, 'publicKeyBytes[0] (uncompressed point)')
  expectEqual(keys.applicationServerKey, b64u(keys.publicKeyBytes), 'applicationServerKey')
  for (const format of ['raw', 'jwk', 'pkcs8-pem', 'sec1-pem', 'der']) {
    const exported = await vapid.exportVapidKeys(keys, { format })
    const input =
      typeof exported === 'object' && exported !== null && 'privateKey' in exported
        ? { ...exported, format }
        : { privateKey: exported, publicKey: keys.publicKeyBytes, format }
    const imported = await vapid.importVapidKeys(input)
    expectBytes(imported.publicKeyBytes, keys.publicKeyBytes, `${format}: public key`)
    expectEqual(imported.id, keys.id, `${format}: key id`)
    // The imported private key must sign for the same public key.
    const auth = await vapid.createVapidAuthorization({
      keys: imported,
      audience: 'https://push.example.net',
      subject: 'mailto:matrix@example.com',
    })
    const verified = await vapid.verifyVapidAuthorization(
      { authorization: auth.authorization },
      { audience: 'https://push.example.net', publicKey: keys.publicKeyBytes },
    )
    expectBytes(verified.publicKey, keys.publicKeyBytes, `${format}: verified key`)
  }
}

async function vapidImportFixed() {
  const vapid = await load('@pushcraft/vapid')
  const { input } = vector('rfc8291-appendix-a')
  const keys = await vapid.importVapidKeys({
    privateKey: input.as_private.b64u,
    publicKey: input.as_public.b64u,
    format: 'raw',
    extractable: true,
  })
  expectBytes(keys.publicKeyBytes, bytes(input.as_public), 'publicKeyBytes')
  expectEqual(keys.applicationServerKey, input.as_public.b64u, 'applicationServerKey')
  const jwk = await vapid.exportVapidKeys(keys, { format: 'jwk' })
  const privateJwk = jwk.privateKey ?? jwk
  expectEqual(privateJwk.d, input.as_private.b64u, 'exported JWK "d"')
  // The public key is optional on import: derived from the private scalar.
  const derived = await vapid.importVapidKeys({ privateKey: input.as_private.b64u, format: 'raw' })
  expectBytes(
    derived.publicKeyBytes,
    bytes(input.as_public),
    'public key derived from the private key',
  )
}

async function vapidSignVerify() {
  const vapid = await load('@pushcraft/vapid')
  const keys = await vapid.generateVapidKeys()
  const audience = vapid.audienceFromEndpoint(
    'https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
  )
  for (const scheme of ['vapid', 'webpush']) {
    const auth = await vapid.createVapidAuthorization({
      keys,
      audience,
      subject: 'mailto:matrix@example.com',
      scheme,
    })
    const verified = await vapid.verifyVapidAuthorization(
      { authorization: auth.authorization, cryptoKey: auth.cryptoKey ?? null },
      { audience },
    )
    expectEqual(verified.scheme, scheme, `${scheme}: scheme`)
    expectEqual(verified.claims.aud, audience, `${scheme}: aud`)
    expectEqual(verified.claims.sub, 'mailto:matrix@example.com', `${scheme}: sub`)
    expectBytes(verified.publicKey, keys.publicKeyBytes, `${scheme}: public key`)
    // The signature must actually be checked: another audience, another key must both fail.
    await expectReject(
      () =>
        vapid.verifyVapidAuthorization(
          { authorization: auth.authorization, cryptoKey: auth.cryptoKey ?? null },
          { audience: 'https://other.example' },
        ),
      `${scheme}: wrong audience`,
    )
    const other = await vapid.generateVapidKeys()
    await expectReject(
      () =>
        vapid.verifyVapidAuthorization(
          { authorization: auth.authorization, cryptoKey: auth.cryptoKey ?? null },
          { audience, publicKey: other.publicKeyBytes },
        ),
      `${scheme}: wrong key`,
    )
  }
}

async function vapidAudience() {
  const vapid = await load('@pushcraft/vapid')
  for (const { endpoint, aud } of vector('rfc8292-audience-from-endpoint').cases) {
    expectEqual(vapid.audienceFromEndpoint(endpoint), aud, endpoint)
  }
}

// ---------------------------------------------------------------------------------------------
// @pushcraft/webpush/request

async function pushRoundTrip(contentEncoding) {
  const webpush = await load('@pushcraft/webpush/request')
  const vapid = await load('@pushcraft/vapid')
  const ece = await load('@pushcraft/ece')

  // A browser's side: a P-256 key pair and a 16-octet auth secret (RFC 8291 §2).
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])
  const userAgentPublic = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const authSecret = crypto.getRandomValues(new Uint8Array(16))
  const subscription = {
    endpoint: 'https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
    expirationTime: null,
    keys: { p256dh: b64u(userAgentPublic), auth: b64u(authSecret) },
  }
  const vapidKeys = await vapid.generateVapidKeys()
  const message = `runtime matrix: ${contentEncoding} ✓`

  const request = await webpush.buildPushRequest(subscription, message, {
    vapid: { keys: vapidKeys, subject: 'mailto:matrix@example.com' },
    contentEncoding,
    ttl: 60,
  })
  expectEqual(request.url, subscription.endpoint, 'url')
  expectEqual(request.method, 'POST', 'method')
  const headers = lowerCaseKeys(request.headers)
  expectEqual(headers['content-encoding'], contentEncoding, 'Content-Encoding')
  expectEqual(headers.ttl, '60', 'TTL')
  if (!(request.body instanceof Uint8Array)) throw new Error('body is not a Uint8Array')

  let plaintext
  if (contentEncoding === 'aes128gcm') {
    plaintext = await userAgentDecrypt(ece, request.body, {
      privateKey: pair.privateKey,
      publicKey: userAgentPublic,
      authSecret,
    })
  } else {
    const params = ece.parseAesgcmHeaders({
      encryption: headers.encryption,
      cryptoKey: headers['crypto-key'],
    })
    const secret = await ecdh(pair.privateKey, userAgentPublic, params.dh)
    plaintext = await ece.decryptAesgcm(request.body, {
      key: secret,
      salt: params.salt,
      recordSize: params.recordSize,
      authSecret,
      dh: { receiverPublicKey: userAgentPublic, senderPublicKey: params.dh },
    })
  }
  expectEqual(new TextDecoder().decode(plaintext), message, 'decrypted payload')

  // The push service's side of RFC 8292 (or the legacy Crypto-Key form for aesgcm).
  const verified = await vapid.verifyVapidAuthorization(
    { authorization: headers.authorization, cryptoKey: headers['crypto-key'] ?? null },
    { audience: 'https://push.example.net', publicKey: vapidKeys.publicKeyBytes },
  )
  expectEqual(verified.claims.sub, 'mailto:matrix@example.com', 'VAPID sub')
}

// ---------------------------------------------------------------------------------------------
// The user agent's side of RFC 8291 §3.4, on WebCrypto alone

/**
 * Decrypts an RFC 8291 `aes128gcm` body as a browser would: ECDH with the sender's key from the
 * header's keyid, `IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public ||
 * as_public, 32)`, then RFC 8188 decryption by `@pushcraft/ece`.
 */
async function userAgentDecrypt(ece, body, { privateKey, publicKey, authSecret, expectIkm }) {
  const { keyId } = ece.parseHeader(body)
  if (keyId.length !== 65)
    throw new Error(`keyid is ${keyId.length} octets, expected the 65-octet sender key`)
  const secret = await ecdh(privateKey, publicKey, keyId)
  const info = concat(new TextEncoder().encode('WebPush: info\0'), publicKey, keyId)
  const ikm = await hkdf(authSecret, secret, info, 32)
  if (expectIkm) expectBytes(ikm, expectIkm, 'IKM (WebCrypto HKDF)')
  return ece.decrypt(body, { key: ikm })
}

async function ecdh(privateKey, publicKey, peerPublicKey) {
  const key =
    privateKey instanceof Uint8Array
      ? await crypto.subtle.importKey(
          'jwk',
          {
            kty: 'EC',
            crv: 'P-256',
            d: b64u(privateKey),
            x: b64u(publicKey.subarray(1, 33)),
            y: b64u(publicKey.subarray(33, 65)),
          },
          { name: 'ECDH', namedCurve: 'P-256' },
          false,
          ['deriveBits'],
        )
      : privateKey
  const peer = await crypto.subtle.importKey(
    'raw',
    peerPublicKey,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  )
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, key, 256))
}

async function hkdf(salt, ikm, info, length) {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, length * 8),
  )
}

// ---------------------------------------------------------------------------------------------
// Small helpers (no Buffer, no atob: plain typed arrays)

function vector(id) {
  const found = vectors.get(id)
  if (!found) throw new Error(`vector ${id} is missing from vectors.json`)
  return found
}

function bytes(value) {
  const hex = value.hex
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function b64u(data) {
  let out = ''
  for (let i = 0; i < data.length; i += 3) {
    const n = (data[i] << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0)
    out += B64U[(n >> 18) & 63] + B64U[(n >> 12) & 63]
    if (i + 1 < data.length) out += B64U[(n >> 6) & 63]
    if (i + 2 < data.length) out += B64U[n & 63]
  }
  return out
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function hex(data) {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('')
}

function lowerCaseKeys(record) {
  const entries = record instanceof Headers ? [...record] : Object.entries(record)
  return Object.fromEntries(entries.map(([key, value]) => [key.toLowerCase(), String(value)]))
}

function expectBytes(actual, expected, what) {
  if (!(actual instanceof Uint8Array)) {
    throw new Error(`${what}: expected a Uint8Array, got ${Object.prototype.toString.call(actual)}`)
  }
  if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i])) {
    // Test vectors only: printing them is fine (no secrets of anyone's).
    throw new Error(
      `${what}: got ${short(hex(actual))} (${actual.length} octets), expected ${short(hex(expected))} (${expected.length} octets)`,
    )
  }
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
  }
}

async function expectReject(run, what) {
  let rejected = false
  try {
    await run()
  } catch {
    rejected = true
  }
  if (!rejected) throw new Error(`${what}: was accepted`)
}

function short(text) {
  return text.length > 48 ? `${text.slice(0, 48)}…` : text
}

function describe(error) {
  if (error instanceof Error) {
    const code = typeof error.code === 'string' ? ` [${error.code}]` : ''
    const text = error.name === 'Error' ? error.message : `${error.name}: ${error.message}`
    return `${text}${code}`.split('\n')[0]
  }
  return String(error)
}
