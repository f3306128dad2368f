/**
 * VAPID key pairs (RFC 8292 §3.2: ECDSA on P-256): generation, and import and export in every
 * format users keep them in — raw base64url (the web-push format), PEM (PKCS #8 and SEC 1), DER,
 * JWK and WebCrypto `CryptoKey`.
 *
 * @module
 */

import { VapidError } from './errors.js'
import { assertKnownKeys, assertOptionalBoolean, isCryptoKey, isObject } from './internal/assert.js'
import { decodeBase64Lenient, decodeBase64UrlStrict, encodeBase64Url } from './internal/base64.js'
import type { Bytes } from './internal/bytes.js'
import { bytesToBigInt, copyBytes, equalBytes, isBytes } from './internal/bytes.js'
import type { ParsedPrivateKey } from './internal/der.js'
import {
  encodePkcs8,
  encodeSec1,
  encodeSpki,
  parsePkcs8,
  parsePrivateKeyDer,
  parseSec1,
  parseSpki,
} from './internal/der.js'
import { decodePoint, encodePoint, isValidScalar, multiplyBase } from './internal/p256.js'
import { looksLikePem, readPemBlocks, writePem } from './internal/pem.js'

const ECDSA_P256: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' }

/**
 * A VAPID public key: what a push service, a gateway or a stored subscription needs to know about
 * an application server's key.
 *
 * @example
 *
 * ```ts
 * import { importVapidPublicKey } from '@pushcraft/vapid'
 *
 * const key = await importVapidPublicKey(
 *   'BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs',
 * )
 * key.applicationServerKey // the same 87 characters, normalized
 * ```
 */
export interface VapidPublicKey {
  /** ECDSA P-256 public `CryptoKey` with usage `verify`. */
  readonly publicKey: CryptoKey
  /** The 65-byte uncompressed point `0x04 || X || Y` (SEC 1 §2.3.3). Do not mutate. */
  readonly publicKeyBytes: Uint8Array
  /**
   * `publicKeyBytes` in base64url without padding: the `k` parameter of RFC 8292 §3.2 and the
   * `applicationServerKey` of `PushManager.subscribe()`.
   */
  readonly applicationServerKey: string
  /**
   * A stable key id derived from the public key: its RFC 7638 JWK thumbprint (SHA-256,
   * base64url). Store it with a subscription to remember which key it was created with.
   */
  readonly id: string
}

/**
 * A VAPID key pair ready to sign tokens.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
 *
 * const keys: VapidKeys = await generateVapidKeys()
 * // pass keys.applicationServerKey to PushManager.subscribe() in the browser
 * ```
 */
export interface VapidKeys extends VapidPublicKey {
  /** ECDSA P-256 private `CryptoKey` with usage `sign`, usable with jose and WebCrypto. */
  readonly privateKey: CryptoKey
}

/**
 * Key formats of {@link importVapidKeys} and {@link exportVapidKeys}.
 *
 * | format      | private key                                         | public key                   |
 * | ----------- | --------------------------------------------------- | ---------------------------- |
 * | `raw`       | 32-byte scalar, base64url (web-push, pywebpush)     | 65-byte point, base64url     |
 * | `pkcs8-pem` | `-----BEGIN PRIVATE KEY-----` (RFC 5208, RFC 7468)  | `-----BEGIN PUBLIC KEY-----` |
 * | `sec1-pem`  | `-----BEGIN EC PRIVATE KEY-----` (RFC 5915)         | `-----BEGIN PUBLIC KEY-----` |
 * | `der`       | PKCS #8 DER, base64url (SEC 1 DER also on import)   | SPKI DER, base64url          |
 * | `jwk`       | JWK with `d` (RFC 7518 §6.2)                        | JWK without `d`              |
 *
 * @example
 *
 * ```ts
 * import type { VapidKeyFormat } from '@pushcraft/vapid'
 *
 * const format: VapidKeyFormat = 'pkcs8-pem'
 * ```
 */
export type VapidKeyFormat = 'raw' | 'pkcs8-pem' | 'sec1-pem' | 'der' | 'jwk'

const EXPORT_FORMATS: readonly VapidKeyFormat[] = ['raw', 'pkcs8-pem', 'sec1-pem', 'der', 'jwk']
const FORMATS: readonly (VapidKeyFormat | 'auto')[] = ['auto', ...EXPORT_FORMATS]

/**
 * A private key in any supported form: a string (base64url/base64 raw or DER, PEM text, JWK
 * JSON), bytes (raw, DER or PEM file contents), a JWK object or a `CryptoKey`.
 *
 * @example
 *
 * ```ts
 * import type { VapidPrivateKeyInput } from '@pushcraft/vapid'
 *
 * const input: VapidPrivateKeyInput = 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw'
 * ```
 */
export type VapidPrivateKeyInput = string | Uint8Array | JsonWebKey | CryptoKey

/**
 * A public key in any supported form: base64url/base64 of the 65-byte (or 33-byte compressed)
 * point or of SPKI DER, `PUBLIC KEY` PEM, a JWK (object or JSON), bytes or a `CryptoKey`.
 *
 * @example
 *
 * ```ts
 * import type { VapidPublicKeyInput } from '@pushcraft/vapid'
 *
 * const input: VapidPublicKeyInput =
 *   'BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs'
 * ```
 */
export type VapidPublicKeyInput = string | Uint8Array | JsonWebKey | CryptoKey

/**
 * A private key, optionally with its public key, and how to read them.
 *
 * @example
 *
 * ```ts
 * import type { VapidKeyPairInput } from '@pushcraft/vapid'
 *
 * const input: VapidKeyPairInput = {
 *   privateKey: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
 *   format: 'raw',
 * }
 * ```
 */
export interface VapidKeyPairInput {
  /** The private key. */
  readonly privateKey: VapidPrivateKeyInput
  /**
   * The public key. Optional: it is computed from the private scalar when absent, and checked
   * against it when present (a mismatch is `ERR_VAPID_INVALID_KEY`). Required only with a
   * non-extractable private `CryptoKey`.
   */
  readonly publicKey?: VapidPublicKeyInput
  /** How to read `privateKey`; `'auto'` (the default) detects the format. */
  readonly format?: VapidKeyFormat | 'auto'
  /**
   * Whether the imported private `CryptoKey` may be exported again (needed by
   * {@link exportVapidKeys}). Default `false`. Ignored when `privateKey` already is a `CryptoKey`.
   */
  readonly extractable?: boolean
}

/**
 * What {@link importVapidKeys} takes: a key pair description, or a private key alone as a string
 * (PEM text, DER base64, raw base64url, JWK JSON) or JWK object.
 *
 * @example
 *
 * ```ts
 * import type { VapidKeyInput } from '@pushcraft/vapid'
 *
 * const fromEnvironment: VapidKeyInput = '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'
 * ```
 */
export type VapidKeyInput = string | JsonWebKey | VapidKeyPairInput

/**
 * Options of {@link generateVapidKeys}.
 *
 * @example
 *
 * ```ts
 * import type { GenerateVapidKeysOptions } from '@pushcraft/vapid'
 *
 * const options: GenerateVapidKeysOptions = { extractable: false }
 * ```
 */
export interface GenerateVapidKeysOptions {
  /**
   * Whether the private key can be exported (to store it). Default `true`: a generated key that
   * cannot be saved is rarely what you want. Pass `false` for keys that live only in memory.
   */
  readonly extractable?: boolean
}

/**
 * The result of {@link exportVapidKeys} for each format.
 *
 * @example
 *
 * ```ts
 * import type { ExportedVapidKeysByFormat } from '@pushcraft/vapid'
 *
 * type Raw = ExportedVapidKeysByFormat['raw'] // { privateKey: string; publicKey: string }
 * ```
 */
export interface ExportedVapidKeysByFormat {
  /** base64url of the 32-byte scalar and of the 65-byte point (web-push's format). */
  readonly raw: { readonly privateKey: string; readonly publicKey: string }
  /** `PRIVATE KEY` and `PUBLIC KEY` PEM text. */
  readonly 'pkcs8-pem': { readonly privateKey: string; readonly publicKey: string }
  /** `EC PRIVATE KEY` and `PUBLIC KEY` PEM text. */
  readonly 'sec1-pem': { readonly privateKey: string; readonly publicKey: string }
  /** base64url of PKCS #8 DER and of SPKI DER (pywebpush's `vapid_private_key` form). */
  readonly der: { readonly privateKey: string; readonly publicKey: string }
  /** Private and public JWK (RFC 7518 §6.2). */
  readonly jwk: { readonly privateKey: JsonWebKey; readonly publicKey: JsonWebKey }
}

/**
 * The result of {@link exportVapidKeys} for format `F`.
 *
 * @example
 *
 * ```ts
 * import type { ExportedVapidKeys } from '@pushcraft/vapid'
 *
 * type Pem = ExportedVapidKeys<'pkcs8-pem'>
 * ```
 */
export type ExportedVapidKeys<F extends VapidKeyFormat> = ExportedVapidKeysByFormat[F]

/**
 * Options of {@link exportVapidKeys}.
 *
 * @example
 *
 * ```ts
 * import type { ExportVapidKeysOptions } from '@pushcraft/vapid'
 *
 * const options: ExportVapidKeysOptions<'jwk'> = { format: 'jwk' }
 * ```
 */
export interface ExportVapidKeysOptions<F extends VapidKeyFormat> {
  /** The output format. */
  readonly format: F
}

function invalidKey(message: string, cause?: unknown): VapidError {
  return new VapidError('ERR_VAPID_INVALID_KEY', message, cause === undefined ? {} : { cause })
}

// RFC 7638 §3.2: the required members of an EC JWK, in lexicographic order, no whitespace.
async function thumbprint(x: string, y: string): Promise<string> {
  const json = `{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(json))
  return encodeBase64Url(new Uint8Array(digest))
}

function coordinates(point: Uint8Array): { x: string; y: string } {
  return { x: encodeBase64Url(point.subarray(1, 33)), y: encodeBase64Url(point.subarray(33, 65)) }
}

async function describePublicKey(
  point: Bytes,
  publicKey: CryptoKey | undefined,
): Promise<VapidPublicKey> {
  const { x, y } = coordinates(point)
  const key =
    publicKey ?? (await crypto.subtle.importKey('raw', point, ECDSA_P256, true, ['verify']))
  return {
    publicKey: key,
    publicKeyBytes: point,
    applicationServerKey: encodeBase64Url(point),
    id: await thumbprint(x, y),
  }
}

async function assemble(
  privateKey: CryptoKey,
  point: Bytes,
  publicKey?: CryptoKey,
): Promise<VapidKeys> {
  const description = await describePublicKey(point, publicKey)
  return Object.freeze({ privateKey, ...description })
}

/**
 * Generates a new VAPID key pair (ECDSA P-256, RFC 8292 §3.2) with WebCrypto.
 *
 * @param options - `extractable` (default `true`).
 * @returns The key pair, its application server key and its id.
 * @throws `TypeError` for malformed options.
 * @example
 *
 * ```ts
 * import { exportVapidKeys, generateVapidKeys } from '@pushcraft/vapid'
 *
 * const keys = await generateVapidKeys()
 * const { privateKey, publicKey } = await exportVapidKeys(keys, { format: 'raw' })
 * // store privateKey as a secret; publicKey === keys.applicationServerKey
 * ```
 */
export async function generateVapidKeys(options?: GenerateVapidKeysOptions): Promise<VapidKeys> {
  if (options !== undefined && !isObject(options))
    throw new TypeError('"options" must be an object')
  assertKnownKeys(options ?? {}, ['extractable'], 'options')
  const extractable = options?.extractable ?? true
  assertOptionalBoolean(extractable, 'options.extractable')
  const pair = await crypto.subtle.generateKey(ECDSA_P256, extractable, ['sign', 'verify'])
  const point = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return assemble(pair.privateKey, point, pair.publicKey)
}

// ---------------------------------------------------------------------------------------------
// Reading private keys

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true })

// Key files read without an encoding arrive as bytes: treat "-----BEGIN" bytes as PEM text.
function pemTextOf(bytes: Uint8Array): string | undefined {
  if (bytes.length < 11 || bytes[0] !== 0x2d) return undefined
  try {
    const text = TEXT_DECODER.decode(bytes)
    return looksLikePem(text) ? text : undefined
  } catch {
    return undefined
  }
}

function readPrivatePem(text: string, labels: readonly string[]): ParsedPrivateKey {
  const blocks = readPemBlocks(text)
  const block = blocks.find((candidate) => labels.includes(candidate.label))
  if (block === undefined) {
    if (blocks.some((candidate) => candidate.label === 'ENCRYPTED PRIVATE KEY')) {
      throw invalidKey('encrypted PKCS #8 keys are not supported; decrypt the key first')
    }
    throw invalidKey(
      `expected a PEM block labelled ${labels.map((label) => `"${label}"`).join(' or ')}`,
    )
  }
  if (block.hasHeaders) {
    throw invalidKey('encrypted PEM keys (Proc-Type headers) are not supported; decrypt first')
  }
  if (block.der === undefined) throw invalidKey('PEM body is not valid base64 (RFC 7468 §3)')
  const parsed = block.label === 'EC PRIVATE KEY' ? parseSec1(block.der) : parsePkcs8(block.der)
  if (parsed === undefined) {
    throw invalidKey(
      block.label === 'EC PRIVATE KEY'
        ? 'PEM body is not a P-256 SEC 1 ECPrivateKey (RFC 5915 §3)'
        : 'PEM body is not a P-256 PKCS #8 PrivateKeyInfo (RFC 5208 §5)',
    )
  }
  return parsed
}

function readPrivateDer(der: Uint8Array): ParsedPrivateKey {
  const parsed = parsePrivateKeyDer(der)
  if (parsed === undefined) {
    throw invalidKey('DER is neither a P-256 PKCS #8 PrivateKeyInfo nor a SEC 1 ECPrivateKey')
  }
  return parsed
}

function readRawScalar(bytes: Uint8Array): ParsedPrivateKey {
  if (bytes.length !== 32) {
    throw invalidKey(`raw private key must be 32 bytes (RFC 8292 §3.2, P-256), got ${bytes.length}`)
  }
  return { scalar: copyBytes(bytes), publicKey: undefined }
}

function decodeKeyText(text: string, what: string): Bytes {
  const bytes = decodeBase64Lenient(text)
  if (bytes === undefined) throw invalidKey(`${what} is not valid base64url or base64`)
  return bytes
}

function decodeJwkMember(jwk: Record<string, unknown>, member: string): Bytes {
  const value = jwk[member]
  if (typeof value !== 'string') throw invalidKey(`JWK "${member}" must be a string`)
  const bytes = decodeBase64UrlStrict(value)
  // RFC 7518 §6.2.1.2, §6.2.2.1: P-256 coordinates and `d` are exactly 32 octets.
  if (bytes?.length !== 32) {
    throw invalidKey(`JWK "${member}" must be 32 bytes of base64url (RFC 7518 §6.2)`)
  }
  return bytes
}

function readJwk(value: unknown, needPrivate: boolean): ParsedPrivateKey | { publicKey: Bytes } {
  if (!isObject(value)) throw invalidKey('JWK must be a JSON object')
  if (value.kty !== 'EC' || value.crv !== 'P-256') {
    throw invalidKey('JWK must have "kty": "EC" and "crv": "P-256" (RFC 7518 §6.2)')
  }
  let publicKey: Bytes | undefined
  if (value.x !== undefined || value.y !== undefined || !needPrivate) {
    const x = decodeJwkMember(value, 'x')
    const y = decodeJwkMember(value, 'y')
    publicKey = new Uint8Array(65)
    publicKey[0] = 0x04
    publicKey.set(x, 1)
    publicKey.set(y, 33)
  }
  if (!needPrivate) return { publicKey: publicKey as Bytes }
  return { scalar: decodeJwkMember(value, 'd'), publicKey }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw invalidKey('JWK text is not valid JSON', cause)
  }
}

function readPrivateText(text: string, format: VapidKeyFormat | 'auto'): ParsedPrivateKey {
  const trimmed = text.trim()
  switch (format) {
    case 'auto':
      if (looksLikePem(trimmed)) return readPrivatePem(trimmed, ['PRIVATE KEY', 'EC PRIVATE KEY'])
      if (trimmed.startsWith('{')) return readJwk(parseJson(trimmed), true) as ParsedPrivateKey
      return readPrivateBytes(decodeKeyText(trimmed, 'private key'), 'auto')
    case 'raw':
      return readRawScalar(decodeKeyText(trimmed, 'private key'))
    case 'der':
      return readPrivateDer(decodeKeyText(trimmed, 'private key'))
    case 'pkcs8-pem':
      return readPrivatePem(trimmed, ['PRIVATE KEY'])
    case 'sec1-pem':
      return readPrivatePem(trimmed, ['EC PRIVATE KEY'])
    case 'jwk':
      return readJwk(parseJson(trimmed), true) as ParsedPrivateKey
  }
}

function readPrivateBytes(bytes: Uint8Array, format: VapidKeyFormat | 'auto'): ParsedPrivateKey {
  const pem = pemTextOf(bytes)
  switch (format) {
    case 'auto':
      if (pem !== undefined) return readPrivateText(pem, 'auto')
      return bytes.length === 32 ? readRawScalar(bytes) : readPrivateDer(bytes)
    case 'raw':
      return readRawScalar(bytes)
    case 'der':
      return readPrivateDer(bytes)
    case 'pkcs8-pem':
    case 'sec1-pem':
      if (pem === undefined) throw invalidKey(`bytes are not ${format} text`)
      return readPrivateText(pem, format)
    case 'jwk':
      throw new TypeError('"format": "jwk" takes a JWK object or JSON string, not bytes')
  }
}

// ---------------------------------------------------------------------------------------------
// Reading public keys

function validatePoint(encoded: Uint8Array): Bytes {
  // SEC 1 §3.2.2.1: the point must be on the curve; §2.3.4 allows the compressed form on input.
  const point = decodePoint(encoded, true)
  if (point === undefined) {
    throw invalidKey(
      encoded.length === 65 || encoded.length === 33
        ? 'public key is not a point on P-256 (SEC 1 §3.2.2.1)'
        : `public key must be a 65-byte uncompressed P-256 point (RFC 8292 §3.2), got ${encoded.length} bytes`,
    )
  }
  return encodePoint(point)
}

function readPublicBytes(bytes: Uint8Array): Bytes {
  const pem = pemTextOf(bytes)
  if (pem !== undefined) return readPublicText(pem)
  if (bytes[0] === 0x30) {
    const point = parseSpki(bytes)
    if (point === undefined)
      throw invalidKey('DER is not a P-256 SubjectPublicKeyInfo (RFC 5480 §2)')
    return validatePoint(point)
  }
  return validatePoint(bytes)
}

function readPublicText(text: string): Bytes {
  const trimmed = text.trim()
  if (looksLikePem(trimmed)) {
    const block = readPemBlocks(trimmed).find((candidate) => candidate.label === 'PUBLIC KEY')
    if (block === undefined) throw invalidKey('expected a PEM block labelled "PUBLIC KEY"')
    if (block.der === undefined) throw invalidKey('PEM body is not valid base64 (RFC 7468 §3)')
    const point = parseSpki(block.der)
    if (point === undefined) throw invalidKey('PEM body is not a P-256 SubjectPublicKeyInfo')
    return validatePoint(point)
  }
  if (trimmed.startsWith('{')) return readPublicJwk(parseJson(trimmed))
  return readPublicBytes(decodeKeyText(trimmed, 'public key'))
}

function readPublicJwk(value: unknown): Bytes {
  return validatePoint((readJwk(value, false) as { publicKey: Bytes }).publicKey)
}

function assertEcCryptoKey(key: CryptoKey, type: KeyType, name: string): void {
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm>
  if (
    key.type !== type ||
    (algorithm.name !== 'ECDSA' && algorithm.name !== 'ECDH') ||
    algorithm.namedCurve !== 'P-256'
  ) {
    throw new TypeError(`"${name}" must be a ${type} ECDSA or ECDH P-256 CryptoKey`)
  }
}

/**
 * Internal: reads and validates a public key in any supported form into its 65-byte uncompressed
 * encoding.
 */
export async function readPublicInput(input: unknown, name: string): Promise<Bytes> {
  if (typeof input === 'string') return readPublicText(input)
  if (isBytes(input)) return readPublicBytes(input)
  if (isCryptoKey(input)) {
    assertEcCryptoKey(input, 'public', name)
    if (!input.extractable) throw new TypeError(`"${name}" must be an extractable CryptoKey`)
    return validatePoint(new Uint8Array(await crypto.subtle.exportKey('raw', input)))
  }
  if (isObject(input)) return readPublicJwk(input)
  throw new TypeError(`"${name}" must be a string, Uint8Array, JWK or CryptoKey`)
}

/**
 * Imports a VAPID public key alone, in any supported form, and validates it (RFC 8292 §3.2: an
 * uncompressed P-256 point; compressed points and SPKI are accepted and normalized).
 *
 * Use it to turn a stored key into the `applicationServerKey` for `PushManager.subscribe()`, or to
 * pin the key a verifier expects.
 *
 * @param input - base64url/base64 point or SPKI DER, `PUBLIC KEY` PEM, JWK, bytes or `CryptoKey`.
 * @returns The public key, its 65 bytes, its base64url form and its id.
 * @throws {@link VapidError} `ERR_VAPID_INVALID_KEY` when the input is malformed or not on the
 *   curve; `TypeError` for a value of the wrong type.
 * @example
 *
 * ```ts
 * import { importVapidPublicKey } from '@pushcraft/vapid'
 *
 * const pem = '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n'
 * const { applicationServerKey } = await importVapidPublicKey(pem)
 * ```
 */
export async function importVapidPublicKey(input: VapidPublicKeyInput): Promise<VapidPublicKey> {
  const point = await readPublicInput(input, 'input')
  return Object.freeze(await describePublicKey(point, undefined))
}

// ---------------------------------------------------------------------------------------------
// importVapidKeys

async function importScalar(
  parsed: ParsedPrivateKey,
  givenPublicKey: Bytes | undefined,
  extractable: boolean,
): Promise<VapidKeys> {
  const d = bytesToBigInt(parsed.scalar)
  // SEC 1 §3.2.1: a private key is an integer in [1, n - 1].
  if (!isValidScalar(d)) throw invalidKey('private key scalar must be in [1, n - 1] (SEC 1 §3.2.1)')
  // WebCrypto cannot derive Q from d, so compute it (internal/p256.ts), and check any public
  // key that came with the private one against it.
  const point = encodePoint(multiplyBase(d))
  const embedded = parsed.publicKey === undefined ? undefined : validatePoint(parsed.publicKey)
  for (const candidate of [embedded, givenPublicKey]) {
    if (candidate !== undefined && !equalBytes(candidate, point)) {
      throw invalidKey('public key does not belong to the private key')
    }
  }
  const { x, y } = coordinates(point)
  let privateKey: CryptoKey
  try {
    privateKey = await crypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x, y, d: encodeBase64Url(parsed.scalar), ext: extractable },
      ECDSA_P256,
      extractable,
      ['sign'],
    )
  } catch (cause) {
    throw invalidKey('WebCrypto rejected the private key', cause)
  }
  return assemble(privateKey, point)
}

// Signs and verifies a fixed message: the only way to check a pair whose private half cannot be
// exported.
async function assertPair(privateKey: CryptoKey, point: Bytes): Promise<void> {
  const publicKey = await crypto.subtle.importKey('raw', point, ECDSA_P256, true, ['verify'])
  const message = new TextEncoder().encode('@pushcraft/vapid key pair check')
  const algorithm = { name: 'ECDSA', hash: 'SHA-256' }
  const signature = await crypto.subtle.sign(algorithm, privateKey, message)
  if (!(await crypto.subtle.verify(algorithm, publicKey, signature, message))) {
    throw invalidKey('public key does not belong to the private key')
  }
}

async function importCryptoKey(
  privateKey: CryptoKey,
  givenPublicKey: Bytes | undefined,
): Promise<VapidKeys> {
  assertEcCryptoKey(privateKey, 'private', 'privateKey')
  const usable = privateKey.algorithm.name === 'ECDSA' && privateKey.usages.includes('sign')
  if (privateKey.extractable) {
    const jwk = await crypto.subtle.exportKey('jwk', privateKey)
    const parsed = readJwk(jwk, true) as ParsedPrivateKey
    if (!usable) return importScalar(parsed, givenPublicKey, true)
    const point = validatePoint(parsed.publicKey as Bytes)
    if (givenPublicKey !== undefined && !equalBytes(givenPublicKey, point)) {
      throw invalidKey('public key does not belong to the private key')
    }
    return assemble(privateKey, point)
  }
  if (!usable) {
    throw new TypeError(
      '"privateKey" must be an ECDSA CryptoKey with usage "sign" (or extractable)',
    )
  }
  if (givenPublicKey === undefined) {
    throw new TypeError('"publicKey" is required with a non-extractable private CryptoKey')
  }
  await assertPair(privateKey, givenPublicKey)
  return assemble(privateKey, givenPublicKey)
}

/**
 * Imports a VAPID key pair from any supported format: raw base64url (the web-push format; standard
 * base64 with or without padding is tolerated), PKCS #8 or SEC 1 PEM, DER (base64 or bytes, as
 * pywebpush takes it), JWK (object or JSON) or `CryptoKey`. The public key is derived from the
 * private scalar when not given, and checked against it when given.
 *
 * Import once at startup and reuse the result: it costs a few milliseconds, signing does not.
 *
 * @param input - A private key alone (string or JWK), or `{ privateKey, publicKey?, format?,
 *   extractable? }`.
 * @returns The key pair, its application server key and its id.
 * @throws {@link VapidError} `ERR_VAPID_INVALID_KEY` for malformed key data: wrong length, bad
 *   base64/base64url, unsupported PEM label or DER structure, scalar 0 or ≥ n, off-curve or
 *   mismatching public key. `TypeError` for values of the wrong type or unknown options.
 * @example
 *
 * ```ts
 * import { importVapidKeys } from '@pushcraft/vapid'
 *
 * // web-push's raw format (here the RFC 8291 Appendix A example key; never use it for real).
 * // The public key is optional: it is derived from the private key, and checked when given.
 * const keys = await importVapidKeys({
 *   privateKey: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
 *   publicKey:
 *     'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
 * })
 * keys.applicationServerKey // 'BP4z9KsN…'
 * ```
 */
export async function importVapidKeys(input: VapidKeyInput): Promise<VapidKeys> {
  if (typeof input === 'string')
    return importScalar(readPrivateText(input, 'auto'), undefined, false)
  if (!isObject(input)) throw new TypeError('"input" must be a string, a JWK or an options object')
  if ('kty' in input)
    return importScalar(readJwk(input, true) as ParsedPrivateKey, undefined, false)
  assertKnownKeys(input, ['privateKey', 'publicKey', 'format', 'extractable'], 'input')
  const {
    privateKey,
    publicKey,
    format = 'auto',
    extractable = false,
  } = input as unknown as VapidKeyPairInput
  if (!FORMATS.includes(format)) {
    throw new TypeError(`"format" must be one of ${FORMATS.map((f) => `"${f}"`).join(', ')}`)
  }
  assertOptionalBoolean(extractable, 'extractable')
  const givenPublicKey =
    publicKey === undefined ? undefined : await readPublicInput(publicKey, 'publicKey')
  if (isCryptoKey(privateKey)) return importCryptoKey(privateKey, givenPublicKey)
  let parsed: ParsedPrivateKey
  if (typeof privateKey === 'string') parsed = readPrivateText(privateKey, format)
  else if (isBytes(privateKey)) parsed = readPrivateBytes(privateKey, format)
  else if (isObject(privateKey)) {
    if (format !== 'auto' && format !== 'jwk') {
      throw new TypeError(`"format": "${format}" takes a string or bytes, not an object`)
    }
    parsed = readJwk(privateKey, true) as ParsedPrivateKey
  } else {
    throw new TypeError('"privateKey" must be a string, Uint8Array, JWK or CryptoKey')
  }
  return importScalar(parsed, givenPublicKey, extractable)
}

// ---------------------------------------------------------------------------------------------
// exportVapidKeys

/**
 * Exports a VAPID key pair in one format. The private key must be extractable
 * ({@link generateVapidKeys} makes it so by default; pass `extractable: true` to
 * {@link importVapidKeys}). Every output imports back with {@link importVapidKeys}.
 *
 * > [!WARNING] The result contains the private key. Store it as a secret; never log it.
 *
 * @param keys - The key pair.
 * @param options - `format`: `'raw'`, `'pkcs8-pem'`, `'sec1-pem'`, `'der'` or `'jwk'`.
 * @returns `{ privateKey, publicKey }` in that format (see {@link ExportedVapidKeysByFormat}).
 * @throws `TypeError` when `keys` is not a key pair, the private key is not extractable, or the
 *   format is unknown.
 * @example
 *
 * ```ts
 * import { exportVapidKeys, generateVapidKeys } from '@pushcraft/vapid'
 *
 * const keys = await generateVapidKeys()
 * const { privateKey } = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
 * // privateKey starts with '-----BEGIN PRIVATE KEY-----'
 * ```
 */
export async function exportVapidKeys<F extends VapidKeyFormat>(
  keys: VapidKeys,
  options: ExportVapidKeysOptions<F>,
): Promise<ExportedVapidKeys<F>> {
  if (!isObject(keys) || !isCryptoKey(keys.privateKey)) {
    throw new TypeError('"keys" must be VapidKeys from generateVapidKeys() or importVapidKeys()')
  }
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  const format: VapidKeyFormat = options.format
  if (!EXPORT_FORMATS.includes(format)) {
    throw new TypeError(`"format" must be one of "raw", "pkcs8-pem", "sec1-pem", "der", "jwk"`)
  }
  if (!keys.privateKey.extractable) {
    throw new TypeError(
      'the private key is not extractable; import it with { extractable: true } to export it',
    )
  }
  const jwk = await crypto.subtle.exportKey('jwk', keys.privateKey)
  const parsed = readJwk(jwk, true) as ParsedPrivateKey
  const scalar = parsed.scalar
  const point = parsed.publicKey as Bytes
  const { x, y } = coordinates(point)
  const result: ExportedVapidKeysByFormat[VapidKeyFormat] = exportAs(format, scalar, point, x, y)
  return result as ExportedVapidKeys<F>
}

function exportAs(
  format: VapidKeyFormat,
  scalar: Bytes,
  point: Bytes,
  x: string,
  y: string,
): ExportedVapidKeysByFormat[VapidKeyFormat] {
  switch (format) {
    case 'raw':
      return { privateKey: encodeBase64Url(scalar), publicKey: encodeBase64Url(point) }
    case 'pkcs8-pem':
      return {
        privateKey: writePem('PRIVATE KEY', encodePkcs8(scalar, point)),
        publicKey: writePem('PUBLIC KEY', encodeSpki(point)),
      }
    case 'sec1-pem':
      return {
        privateKey: writePem('EC PRIVATE KEY', encodeSec1(scalar, point)),
        publicKey: writePem('PUBLIC KEY', encodeSpki(point)),
      }
    case 'der':
      return {
        privateKey: encodeBase64Url(encodePkcs8(scalar, point)),
        publicKey: encodeBase64Url(encodeSpki(point)),
      }
    case 'jwk':
      return {
        privateKey: { kty: 'EC', crv: 'P-256', x, y, d: encodeBase64Url(scalar) },
        publicKey: { kty: 'EC', crv: 'P-256', x, y },
      }
  }
}

/**
 * Internal: `true` when `value` looks like {@link VapidKeys} (used by the token functions to
 * reject misuse early).
 */
export function isVapidKeys(value: unknown): value is VapidKeys {
  return (
    isObject(value) &&
    isCryptoKey(value.privateKey) &&
    typeof value.applicationServerKey === 'string' &&
    typeof value.id === 'string'
  )
}
