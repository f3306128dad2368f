/**
 * The few DER structures P-256 keys come in (X.690 §8, §10), parsed and written by hand so the
 * package stays on WebCrypto and jose alone:
 *
 * - SEC 1 `ECPrivateKey` (RFC 5915 §3; PEM label `EC PRIVATE KEY`);
 * - PKCS #8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208 §5, RFC 5958 §2) wrapping an
 *   `ECPrivateKey` with `id-ecPublicKey` and `prime256v1` (RFC 5480 §2.1.1);
 * - `SubjectPublicKeyInfo` (RFC 5480 §2) for public keys.
 *
 * Parsing returns `undefined` for anything else; callers turn that into `ERR_VAPID_INVALID_KEY`.
 *
 * @module
 */

import type { Bytes } from './bytes.js'
import { concatBytes, copyBytes, equalBytes } from './bytes.js'

// RFC 5480 §2.1.1: id-ecPublicKey 1.2.840.10045.2.1 and secp256r1 1.2.840.10045.3.1.7, DER content.
const OID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01)
const OID_PRIME256V1 = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07)

const SEQUENCE = 0x30
const INTEGER = 0x02
const BIT_STRING = 0x03
const OCTET_STRING = 0x04
const OBJECT_IDENTIFIER = 0x06

/** What a private key structure holds: the scalar and, when present, the public point. */
export interface ParsedPrivateKey {
  /** The private scalar `d`, 32 bytes big-endian. */
  readonly scalar: Bytes
  /** The encoded public point, if the structure carried one. */
  readonly publicKey: Bytes | undefined
}

interface Element {
  readonly tag: number
  readonly content: Uint8Array
  /** Offset just past this element in the buffer it was read from. */
  readonly end: number
}

// X.690 §8.1: one-byte tags only (all we need), definite lengths in short or long form.
function readElement(bytes: Uint8Array, offset: number): Element | undefined {
  if (offset + 2 > bytes.length) return undefined
  const tag = bytes[offset] as number
  let length = bytes[offset + 1] as number
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    // 0x80 is the indefinite form (BER only); lengths past two bytes exceed any key.
    if (count === 0 || count > 2 || start + count > bytes.length) return undefined
    length = 0
    for (let i = 0; i < count; i++) length = (length << 8) | (bytes[start + i] as number)
    start += count
  }
  const end = start + length
  if (end > bytes.length) return undefined
  return { tag, content: bytes.subarray(start, end), end }
}

// All elements of a constructed value's content; undefined if anything is malformed.
function readAll(content: Uint8Array): Element[] | undefined {
  const elements: Element[] = []
  let offset = 0
  while (offset < content.length) {
    const element = readElement(content, offset)
    if (element === undefined) return undefined
    elements.push(element)
    offset = element.end
  }
  return elements
}

// A whole buffer that is exactly one element (no trailing bytes).
function readSingle(bytes: Uint8Array, tag: number): Uint8Array | undefined {
  const element = readElement(bytes, 0)
  if (element?.tag !== tag || element.end !== bytes.length) return undefined
  return element.content
}

function isSmallInteger(element: Element | undefined, value: number): boolean {
  return (
    element !== undefined &&
    element.tag === INTEGER &&
    element.content.length === 1 &&
    element.content[0] === value
  )
}

function isOid(element: Element | undefined, oid: Uint8Array): boolean {
  return element?.tag === OBJECT_IDENTIFIER && equalBytes(element.content, oid)
}

// RFC 5480 §2.1.1: AlgorithmIdentifier { id-ecPublicKey, namedCurve secp256r1 }.
function isP256Algorithm(element: Element | undefined): boolean {
  if (element?.tag !== SEQUENCE) return false
  const parts = readAll(element.content)
  return (
    parts?.length === 2 && isOid(parts[0], OID_EC_PUBLIC_KEY) && isOid(parts[1], OID_PRIME256V1)
  )
}

// BIT STRING content for a key: zero unused bits, then the encoded point.
function bitStringBytes(content: Uint8Array): Bytes | undefined {
  if (content.length < 2 || content[0] !== 0) return undefined
  return copyBytes(content.subarray(1))
}

// RFC 5915 §3: the privateKey OCTET STRING is ceiling(log2(n) / 8) = 32 octets. Some encoders
// dropped leading zero octets or added one; accept those, since the scalar is the same.
function normalizeScalar(octets: Uint8Array): Bytes | undefined {
  let start = 0
  while (octets.length - start > 32 && octets[start] === 0) start++
  const length = octets.length - start
  if (length === 0 || length > 32) return undefined
  const scalar = new Uint8Array(32)
  scalar.set(octets.subarray(start), 32 - length)
  return scalar
}

/**
 * Parses a SEC 1 `ECPrivateKey` (RFC 5915 §3). `parameters`, when present, must name
 * `prime256v1`.
 */
export function parseSec1(bytes: Uint8Array): ParsedPrivateKey | undefined {
  const content = readSingle(bytes, SEQUENCE)
  if (content === undefined) return undefined
  const parts = readAll(content)
  if (parts === undefined || parts.length < 2 || parts.length > 4) return undefined
  // version ecPrivkeyVer1(1)
  if (!isSmallInteger(parts[0], 1)) return undefined
  const privateKey = parts[1]
  if (privateKey?.tag !== OCTET_STRING) return undefined
  const scalar = normalizeScalar(privateKey.content)
  if (scalar === undefined) return undefined
  let publicKey: Bytes | undefined
  let previousTag = 0
  for (const part of parts.slice(2)) {
    // [0] parameters, then [1] publicKey, each optional, in this order.
    if (part.tag === 0xa0 && previousTag < 0xa0) {
      const parameters = readAll(part.content)
      if (parameters?.length !== 1 || !isOid(parameters[0], OID_PRIME256V1)) return undefined
    } else if (part.tag === 0xa1 && previousTag < 0xa1) {
      const bitString = readAll(part.content)
      const inner = bitString?.[0]
      if (bitString?.length !== 1 || inner?.tag !== BIT_STRING) return undefined
      publicKey = bitStringBytes(inner.content)
      if (publicKey === undefined) return undefined
    } else {
      return undefined
    }
    previousTag = part.tag
  }
  return { scalar, publicKey }
}

/**
 * Parses a PKCS #8 `PrivateKeyInfo` (RFC 5208 §5) or `OneAsymmetricKey` (RFC 5958 §2) for a
 * P-256 EC key.
 */
export function parsePkcs8(bytes: Uint8Array): ParsedPrivateKey | undefined {
  const content = readSingle(bytes, SEQUENCE)
  if (content === undefined) return undefined
  const parts = readAll(content)
  if (parts === undefined || parts.length < 3 || parts.length > 5) return undefined
  // RFC 5958 §2: version v1(0) or v2(1).
  if (!isSmallInteger(parts[0], 0) && !isSmallInteger(parts[0], 1)) return undefined
  if (!isP256Algorithm(parts[1])) return undefined
  const wrapped = parts[2]
  if (wrapped?.tag !== OCTET_STRING) return undefined
  const inner = parseSec1(wrapped.content)
  if (inner === undefined) return undefined
  let publicKey = inner.publicKey
  let previousTag = 0
  for (const part of parts.slice(3)) {
    // [0] IMPLICIT attributes, then [1] IMPLICIT publicKey (RFC 5958 §2), each optional.
    if (part.tag === 0xa0 && previousTag < 0xa0) {
      // attributes carry nothing a VAPID key needs
    } else if (part.tag === 0x81 && previousTag < 0x81) {
      const outer = bitStringBytes(part.content)
      if (outer === undefined) return undefined
      if (publicKey !== undefined && !equalBytes(publicKey, outer)) return undefined
      publicKey = outer
    } else {
      return undefined
    }
    previousTag = part.tag
  }
  return { scalar: inner.scalar, publicKey }
}

/** Parses a PKCS #8 or, failing that, a SEC 1 private key structure. */
export function parsePrivateKeyDer(bytes: Uint8Array): ParsedPrivateKey | undefined {
  return parsePkcs8(bytes) ?? parseSec1(bytes)
}

/**
 * Parses a `SubjectPublicKeyInfo` (RFC 5480 §2) for a P-256 key and returns the encoded point (not
 * yet validated).
 */
export function parseSpki(bytes: Uint8Array): Bytes | undefined {
  const content = readSingle(bytes, SEQUENCE)
  if (content === undefined) return undefined
  const parts = readAll(content)
  if (parts?.length !== 2 || !isP256Algorithm(parts[0])) return undefined
  const key = parts[1]
  if (key?.tag !== BIT_STRING) return undefined
  return bitStringBytes(key.content)
}

// Writers. Every length below is fixed by the 32-byte scalar and the 65-byte point, so the
// encodings are spelled out as prefixes (X.690 §10.1 definite-length DER).

// SEQUENCE { OID id-ecPublicKey, OID prime256v1 }
const ALGORITHM = Uint8Array.of(
  0x30,
  0x13,
  0x06,
  0x07,
  ...OID_EC_PUBLIC_KEY,
  0x06,
  0x08,
  ...OID_PRIME256V1,
)

/**
 * Encodes a SEC 1 `ECPrivateKey` with `parameters` and `publicKey` (the form `openssl ec`
 * writes).
 */
export function encodeSec1(scalar: Uint8Array, publicKey: Uint8Array): Bytes {
  return concatBytes(
    Uint8Array.of(0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20),
    scalar,
    Uint8Array.of(0xa0, 0x0a, 0x06, 0x08, ...OID_PRIME256V1),
    Uint8Array.of(0xa1, 0x44, 0x03, 0x42, 0x00),
    publicKey,
  )
}

/**
 * Encodes a PKCS #8 `PrivateKeyInfo` wrapping an `ECPrivateKey` without `parameters` (they are in
 * the AlgorithmIdentifier) and with `publicKey` (the form WebCrypto and OpenSSL write).
 */
export function encodePkcs8(scalar: Uint8Array, publicKey: Uint8Array): Bytes {
  return concatBytes(
    Uint8Array.of(0x30, 0x81, 0x87, 0x02, 0x01, 0x00),
    ALGORITHM,
    Uint8Array.of(0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20),
    scalar,
    Uint8Array.of(0xa1, 0x44, 0x03, 0x42, 0x00),
    publicKey,
  )
}

/** Encodes a `SubjectPublicKeyInfo` for a 65-byte uncompressed point. */
export function encodeSpki(publicKey: Uint8Array): Bytes {
  return concatBytes(
    Uint8Array.of(0x30, 0x59),
    ALGORITHM,
    Uint8Array.of(0x03, 0x42, 0x00),
    publicKey,
  )
}
