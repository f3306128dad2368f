/**
 * A self-signed TLS certificate for the mock push service, generated at start with WebCrypto
 * (ECDSA P-256, SHA-256). The X.509 structure (RFC 5280 §4.1) is written with a minimal DER
 * encoder (X.690), so the kit needs no ASN.1 library and no global polyfill.
 *
 * @module
 */

import { concat, toBuffer, utf8 } from './internal/bytes.js'

/**
 * A certificate and its private key, PEM encoded, ready for `node:https`/`node:http2`.
 *
 * @example
 *
 * ```ts
 * import { createSelfSignedCertificate } from '@pushcraft/testing'
 * const { cert, key } = await createSelfSignedCertificate({ hostnames: ['localhost'] })
 * ```
 */
export interface SelfSignedCertificate {
  /** The certificate (`-----BEGIN CERTIFICATE-----`); also the CA to trust. */
  readonly cert: string
  /** The PKCS #8 private key (`-----BEGIN PRIVATE KEY-----`). */
  readonly key: string
}

/**
 * Options of {@link createSelfSignedCertificate}.
 *
 * @example
 *
 * ```ts
 * import type { SelfSignedCertificateOptions } from '@pushcraft/testing'
 * const options: SelfSignedCertificateOptions = { hostnames: ['localhost'], ipAddresses: ['127.0.0.1'] }
 * ```
 */
export interface SelfSignedCertificateOptions {
  /** DNS names for the subjectAltName extension. Default `['localhost']`. */
  readonly hostnames?: readonly string[]
  /** IPv4 addresses for the subjectAltName extension. Default `['127.0.0.1']`. */
  readonly ipAddresses?: readonly string[]
  /** Validity in days from now (it also starts one hour in the past). Default 7. */
  readonly days?: number
  /**
   * The subject and issuer common name. Default `'pushcraft mock push service <random hex>'`:
   * unique per certificate, so a client can trust several of them at once (TLS clients pick the
   * trust anchor by its subject name, RFC 5280 §6.1).
   */
  readonly commonName?: string
}

/**
 * Generates a self-signed P-256 certificate that is its own CA (basicConstraints `cA`), valid
 * for server authentication on the given names. Trust it by passing `cert` as `ca` to the TLS
 * client.
 *
 * @param options - Names, addresses and validity.
 * @returns The PEM certificate and private key.
 * @throws `TypeError` for a malformed IPv4 address.
 * @example
 *
 * ```ts
 * import { createServer } from 'node:https'
 * import { createSelfSignedCertificate } from '@pushcraft/testing'
 * const { cert, key } = await createSelfSignedCertificate()
 * const server = createServer({ cert, key }, (request, response) => response.end('ok'))
 * ```
 */
export async function createSelfSignedCertificate(
  options: SelfSignedCertificateOptions = {},
): Promise<SelfSignedCertificate> {
  const hostnames = options.hostnames ?? ['localhost']
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1']
  const days = options.days ?? 7
  const serial = crypto.getRandomValues(new Uint8Array(16))
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01 // RFC 5280 §4.1.2.2: positive, non-zero
  const commonName = options.commonName ?? `pushcraft mock push service ${hex(serial)}`
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  const pair = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey))
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))

  const name = sequence(set(sequence(oid(OID_COMMON_NAME), der(0x0c, utf8(commonName)))))
  const now = Date.now()
  const validity = sequence(
    time(new Date(now - 3_600_000)),
    time(new Date(now + days * 86_400_000)),
  )
  const altNames = [
    ...hostnames.map((host) => der(0x82, utf8(host))), // dNSName [2]
    ...ipAddresses.map((address) => der(0x87, ipv4(address))), // iPAddress [7]
  ]
  const extensions = der(
    0xa3,
    sequence(
      // RFC 5280 §4.2.1.9: cA TRUE so the certificate can be its own trust anchor.
      extension(OID_BASIC_CONSTRAINTS, true, sequence(der(0x01, Uint8Array.of(0xff)))),
      // RFC 5280 §4.2.1.3: digitalSignature (bit 0) + keyCertSign (bit 5) → 0b10000100.
      extension(OID_KEY_USAGE, true, der(0x03, Uint8Array.of(0x02, 0x84))),
      extension(OID_EXT_KEY_USAGE, false, sequence(oid(OID_SERVER_AUTH))),
      extension(OID_SUBJECT_ALT_NAME, false, sequence(...altNames)),
    ),
  )
  const signatureAlgorithm = sequence(oid(OID_ECDSA_WITH_SHA256))
  const tbs = sequence(
    der(0xa0, integer(Uint8Array.of(2))), // version v3
    integer(serial),
    signatureAlgorithm,
    name,
    validity,
    name,
    spki,
    extensions,
  )
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, toBuffer(tbs)),
  )
  // WebCrypto gives r || s; X.509 wants Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
  const signature = sequence(integer(raw.subarray(0, 32)), integer(raw.subarray(32, 64)))
  const certificate = sequence(
    tbs,
    signatureAlgorithm,
    der(0x03, concat(Uint8Array.of(0), signature)),
  )
  return { cert: pem('CERTIFICATE', certificate), key: pem('PRIVATE KEY', pkcs8) }
}

const OID_COMMON_NAME = '2.5.4.3'
const OID_BASIC_CONSTRAINTS = '2.5.29.19'
const OID_KEY_USAGE = '2.5.29.15'
const OID_EXT_KEY_USAGE = '2.5.29.37'
const OID_SUBJECT_ALT_NAME = '2.5.29.17'
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'

/** One DER TLV (X.690 §8.1) with a definite length. */
function der(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length
  let header: Uint8Array
  if (length < 0x80) header = Uint8Array.of(tag, length)
  else if (length < 0x100) header = Uint8Array.of(tag, 0x81, length)
  else header = Uint8Array.of(tag, 0x82, length >> 8, length & 0xff)
  return concat(header, content)
}

function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return der(0x30, concat(...items))
}

function set(...items: readonly Uint8Array[]): Uint8Array {
  return der(0x31, concat(...items))
}

/** An unsigned big-endian INTEGER: leading zeros stripped, 0x00 added when the top bit is set. */
function integer(bytes: Uint8Array): Uint8Array {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const trimmed = bytes.subarray(start)
  return der(0x02, ((trimmed[0] ?? 0) & 0x80) === 0 ? trimmed : concat(Uint8Array.of(0), trimmed))
}

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number)
  const out: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)]
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f]
    for (let rest = arc >>> 7; rest > 0; rest >>>= 7) chunk.unshift((rest & 0x7f) | 0x80)
    out.push(...chunk)
  }
  return der(0x06, Uint8Array.from(out))
}

/** UTCTime (RFC 5280 §4.1.2.5.1) for years before 2050, GeneralizedTime after. */
function time(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  return date.getUTCFullYear() < 2050 ? der(0x17, utf8(iso.slice(2))) : der(0x18, utf8(iso))
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [der(0x01, Uint8Array.of(0xff))] : []), der(0x04, value))
}

function ipv4(address: string): Uint8Array {
  const parts = address.split('.').map(Number)
  if (
    parts.length !== 4 ||
    parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)
  ) {
    throw new TypeError(`"ipAddresses" must hold IPv4 addresses, got "${address}"`)
  }
  return Uint8Array.from(parts)
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

function pem(label: string, bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  const lines = btoa(binary).match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
