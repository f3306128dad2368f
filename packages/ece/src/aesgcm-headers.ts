/**
 * The header fields of the legacy `aesgcm` coding: `Encryption` (draft-ietf-httpbis-encryption-
 * encoding-03 §3) and `Crypto-Key` (draft-03 §4), as sent by Web Push senders
 * (draft-ietf-webpush-encryption-04 §3, draft-ietf-webpush-vapid-01 for `p256ecdsa`).
 *
 * @module
 */

import { EceError } from './errors.js'
import { MAX_RECORD_SIZE, SALT_LENGTH } from './header.js'
import { decodeBase64url } from './internal/base64url.js'
import { isP256PublicKey } from './internal/p256.js'

/** Smallest `aesgcm` rs (see `aesgcm.ts`); repeated here to keep this module standalone. */
const MIN_RECORD_SIZE = 3

/** draft-03 §3.1: "If the rs parameter is absent, the record size defaults to 4096 octets." */
const DEFAULT_RECORD_SIZE = 4096

/**
 * The received header field values for {@link parseAesgcmHeaders}. A missing field may be passed
 * as `undefined` or `null`.
 *
 * @example
 *
 * ```ts
 * import type { AesgcmHeaders } from '@pushcraft/ece'
 *
 * const headers: AesgcmHeaders = {
 *   encryption: 'salt=lngarbyKfMoi9Z75xYXmkg; rs=4096',
 *   cryptoKey: 'dh=BNoRDbb84JGm8g5Z5CFxurSqsXWJ11ItfXEWYVLE85Y7CYkDjXsIEc4aqxYaQ1G8BqkXCJ6DPpDrWtdWj_mugHU',
 * }
 * ```
 */
export interface AesgcmHeaders {
  /** The `Encryption` field value. */
  encryption: string | null | undefined
  /** The `Crypto-Key` field value. */
  cryptoKey?: string | null | undefined
}

/**
 * The parameters of `aesgcm` header fields, as returned by {@link parseAesgcmHeaders}.
 *
 * @example
 *
 * ```ts
 * import { parseAesgcmHeaders, type AesgcmHeaderParams } from '@pushcraft/ece'
 *
 * declare const encryption: string
 * const params: AesgcmHeaderParams = parseAesgcmHeaders({ encryption })
 * ```
 */
export interface AesgcmHeaderParams {
  /** `Encryption` "salt": 16 octets. */
  salt: Uint8Array<ArrayBuffer>
  /** `Encryption` "rs", 4096 when absent. */
  recordSize: number
  /** `Encryption` "keyid", when present. */
  keyId?: string
  /** `Crypto-Key` "dh" of the entry whose keyid matches: the sender's 65-octet P-256 public key. */
  dh?: Uint8Array<ArrayBuffer>
  /** `Crypto-Key` "aesgcm" of the entry whose keyid matches: an explicit key (draft-03 §4.1). */
  key?: Uint8Array<ArrayBuffer>
  /** `Crypto-Key` "p256ecdsa": the legacy VAPID public key (draft-ietf-webpush-vapid-01), unchecked. */
  p256ecdsa?: Uint8Array<ArrayBuffer>
}

const OWS = new Set([' ', '\t'])

function invalid(field: string, reason: string): EceError {
  return new EceError(
    'ERR_ECE_INVALID_HEADER',
    `"${field}" ${reason} (draft-ietf-httpbis-encryption-encoding-03 §3)`,
  )
}

/**
 * Parses `#( param *( ";" param ) )` with `param = name "=" ( token / quoted-string )` (draft-03
 * §3, RFC 7230 §3.2.6) into one map per list element; names are case-insensitive. Empty list
 * elements and parameters are skipped. Linear in the input.
 */
function parseParameterList(text: string, field: string): Map<string, string>[] {
  const entries: Map<string, string>[] = []
  let params = new Map<string, string>()
  let i = 0
  const n = text.length
  const skipOws = (): void => {
    while (i < n && OWS.has(text.charAt(i))) i += 1
  }
  for (;;) {
    skipOws()
    const nameStart = i
    while (i < n && !'=;,'.includes(text.charAt(i)) && !OWS.has(text.charAt(i))) i += 1
    const name = text.slice(nameStart, i).toLowerCase()
    skipOws()
    if (name !== '') {
      if (text.charAt(i) !== '=') throw invalid(field, `parameter "${name}" has no value`)
      i += 1
      skipOws()
      let value = ''
      if (text.charAt(i) === '"') {
        i += 1
        let closed = false
        while (i < n) {
          const c = text.charAt(i)
          i += 1
          if (c === '\\' && i < n) {
            value += text.charAt(i)
            i += 1
          } else if (c === '"') {
            closed = true
            break
          } else value += c
        }
        if (!closed) throw invalid(field, 'has an unterminated quoted string')
      } else {
        const valueStart = i
        while (i < n && !';,'.includes(text.charAt(i)) && !OWS.has(text.charAt(i))) i += 1
        value = text.slice(valueStart, i)
        if (value.includes('"')) throw invalid(field, `parameter "${name}" is malformed`)
      }
      if (params.has(name)) throw invalid(field, `repeats parameter "${name}"`)
      params.set(name, value)
      skipOws()
    }
    if (i >= n) break
    const separator = text.charAt(i)
    i += 1
    if (separator === ',') {
      if (params.size > 0) entries.push(params)
      params = new Map()
    } else if (separator !== ';') {
      throw invalid(field, 'is malformed')
    }
  }
  if (params.size > 0) entries.push(params)
  return entries
}

function binary(value: string, field: string, name: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64url(value)
  if (bytes === undefined) throw invalid(field, `parameter "${name}" is not base64url`)
  return bytes
}

function readField(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new TypeError(`"headers.${name}" must be a string`)
  return value
}

/**
 * Parses the `Encryption` and `Crypto-Key` header field values of an `aesgcm` message
 * (draft-ietf-httpbis-encryption-encoding-03 §3–4): quoted or bare values, case-insensitive names,
 * and the `Crypto-Key` entry chosen by the `Encryption` keyid (or the entry without keyid).
 *
 * @example
 *
 * ```ts
 * import { parseAesgcmHeaders } from '@pushcraft/ece'
 *
 * const { salt, recordSize, dh } = parseAesgcmHeaders({
 *   encryption: 'salt="lngarbyKfMoi9Z75xYXmkg"',
 *   cryptoKey:
 *     'dh="BNoRDbb84JGm8g5Z5CFxurSqsXWJ11ItfXEWYVLE85Y7CYkDjXsIEc4aqxYaQ1G8BqkXCJ6DPpDrWtdWj_mugHU"',
 * })
 * ```
 *
 * @param headers - The received `Encryption` and (optionally) `Crypto-Key` values.
 * @returns Salt, record size (4096 when absent), and keyid, dh, explicit key, p256ecdsa when
 *   present.
 * @throws {@link EceError} `ERR_ECE_INVALID_HEADER` when `Encryption` is missing, malformed, lists
 *   more than one coding, or lacks a 16-octet base64url salt, or a parameter is malformed or
 *   repeated; `ERR_ECE_INVALID_RECORD_SIZE` when rs is outside 3 to 2^32 − 1;
 *   `ERR_ECE_INVALID_KEY` when the chosen "dh" is not a P-256 point.
 * @throws `TypeError` when a field value is neither a string nor absent.
 */
export function parseAesgcmHeaders(headers: AesgcmHeaders): AesgcmHeaderParams {
  const value: unknown = headers
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('"headers" must be an object')
  }
  const encryption = readField(headers.encryption, 'encryption')
  const cryptoKey = readField(headers.cryptoKey, 'cryptoKey')
  if (encryption === undefined) throw invalid('Encryption', 'is missing')

  const codings = parseParameterList(encryption, 'Encryption')
  const [params, ...rest] = codings
  if (params === undefined) throw invalid('Encryption', 'is empty')
  if (rest.length > 0)
    throw invalid('Encryption', 'lists more than one coding (nesting is not supported)')

  const saltText = params.get('salt')
  if (saltText === undefined) throw invalid('Encryption', 'has no "salt"')
  const salt = binary(saltText, 'Encryption', 'salt')
  if (salt.length !== SALT_LENGTH) {
    throw invalid('Encryption', `"salt" must be ${SALT_LENGTH} octets, got ${salt.length}`)
  }

  let recordSize = DEFAULT_RECORD_SIZE
  const rsText = params.get('rs')
  if (rsText !== undefined) {
    if (!/^[0-9]+$/.test(rsText)) throw invalid('Encryption', '"rs" is not a decimal integer')
    recordSize = Number(rsText)
    if (recordSize < MIN_RECORD_SIZE || recordSize > MAX_RECORD_SIZE) {
      throw new EceError(
        'ERR_ECE_INVALID_RECORD_SIZE',
        `"rs" must be from ${MIN_RECORD_SIZE} to ${MAX_RECORD_SIZE}, got ${rsText.length > 12 ? 'a larger value' : rsText} (draft-ietf-httpbis-encryption-encoding-03 §3.1)`,
      )
    }
  }

  const result: AesgcmHeaderParams = { salt, recordSize }
  const keyId = params.get('keyid')
  if (keyId !== undefined) result.keyId = keyId
  if (cryptoKey === undefined) return result

  // draft-03 §4: the Crypto-Key entry that matches the Encryption keyid (both absent matches).
  let dh: string | undefined
  let key: string | undefined
  for (const entry of parseParameterList(cryptoKey, 'Crypto-Key')) {
    const p256ecdsa = entry.get('p256ecdsa')
    if (p256ecdsa !== undefined && result.p256ecdsa === undefined) {
      result.p256ecdsa = binary(p256ecdsa, 'Crypto-Key', 'p256ecdsa')
    }
    if (entry.get('keyid') !== keyId) continue
    const entryDh = entry.get('dh')
    const entryKey = entry.get('aesgcm')
    if (
      (entryDh !== undefined && dh !== undefined) ||
      (entryKey !== undefined && key !== undefined)
    ) {
      throw invalid('Crypto-Key', 'has more than one key for the same keyid')
    }
    dh ??= entryDh
    key ??= entryKey
  }
  if (dh !== undefined) {
    const point = binary(dh, 'Crypto-Key', 'dh')
    if (!isP256PublicKey(point)) {
      throw new EceError('ERR_ECE_INVALID_KEY', 'sender public key "dh" is not a valid P-256 point')
    }
    result.dh = point
  }
  if (key !== undefined) result.key = binary(key, 'Crypto-Key', 'aesgcm')
  return result
}
