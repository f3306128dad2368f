/**
 * Records of both codings: how content and padding are split into records, the per-record
 * padding rules, and sealing/opening records with AES-128-GCM.
 *
 * - `aes128gcm` (RFC 8188 §2): record plaintext = content || delimiter || zeros; the delimiter is
 *   0x02 in the last record and 0x01 in every other; `rs` is the ciphertext size of a record, tag
 *   included; every record but the last is exactly `rs` octets.
 * - `aesgcm` (draft-ietf-httpbis-encryption-encoding-03 §2): record plaintext = uint16 padding
 *   length || zeros || content; `rs` counts plaintext octets (tag excluded); every record but the
 *   last holds exactly `rs` plaintext octets, and the last holds fewer, so content ending on a
 *   record boundary gets one more record that carries only the padding length.
 *
 * @module
 */

import { decryptionFailed, EceError } from './errors.js'
import type { AeadBackend, AeadKey } from './aead.js'
import { readUint16 } from './internal/bytes.js'
import { NONCE_LENGTH, writeRecordNonce } from './key-schedule.js'

/** AEAD_AES_128_GCM authentication tag (RFC 8188 §2). */
export const TAG_LENGTH = 16

/** draft-03 §2: the padding length is a two-octet unsigned integer. */
const MAX_AESGCM_RECORD_PADDING = 0xffff

/**
 * Records in flight at once. Enough to keep WebCrypto's workers busy, and it bounds the memory
 * of a body with millions of tiny records (hostile `rs` 18) to its own size plus this window.
 */
const RECORDS_IN_FLIGHT = 64

/**
 * Sizes of one coding at one record size.
 *
 * @internal
 */
export interface RecordFormat {
  readonly coding: 'aes128gcm' | 'aesgcm'
  /** Octets of one full record on the wire, tag included. */
  readonly recordLength: number
  /** Octets of one record that are neither content nor padding (tag and delimiter/length). */
  readonly overhead: number
  /** Content + padding octets that fit in one record. */
  readonly capacity: number
  /** Padding octets one record can carry. */
  readonly maxRecordPadding: number
}

/**
 * The record format for `coding` at record size `rs` (validated by the caller: at least 18 for
 * `aes128gcm`, 3 for `aesgcm`).
 *
 * @internal
 */
export function recordFormat(coding: 'aes128gcm' | 'aesgcm', rs: number): RecordFormat {
  if (coding === 'aes128gcm') {
    // RFC 8188 §2: rs includes the tag; one octet of each record is the delimiter.
    const capacity = rs - TAG_LENGTH - 1
    return {
      coding,
      recordLength: rs,
      overhead: TAG_LENGTH + 1,
      capacity,
      maxRecordPadding: capacity,
    }
  }
  // draft-03 §2: rs counts plaintext (tag excluded); two octets of it are the padding length.
  const capacity = rs - 2
  return {
    coding,
    recordLength: rs + TAG_LENGTH,
    overhead: TAG_LENGTH + 2,
    capacity,
    maxRecordPadding: Math.min(capacity, MAX_AESGCM_RECORD_PADDING),
  }
}

/**
 * Where content and padding go. Padding comes first: record i carries the padding octets
 * [i·M, (i+1)·M) of the total (M = padding per record) and as much content as still fits, so every
 * record but the last is full (no record overflows, none falls short). This reproduces the
 * published layouts (RFC 8188 §3.2, draft-03 §5.2) and http_ece's.
 *
 * @internal
 */
export interface RecordPlan {
  readonly format: RecordFormat
  readonly contentLength: number
  readonly padding: number
  /** Number of records. */
  readonly count: number
  /** Octets of all records on the wire. */
  readonly length: number
}

/** Padding octets in records before record `index`. */
function paddingBefore(plan: RecordPlan, index: number): number {
  return Math.min(plan.padding, index * plan.format.maxRecordPadding)
}

/** Content octets in records before record `index`. */
function contentBefore(plan: RecordPlan, index: number): number {
  return Math.min(plan.contentLength, index * plan.format.capacity - paddingBefore(plan, index))
}

/**
 * Plans the records for `contentLength` octets of content and `padding` octets of padding.
 *
 * @internal
 * @throws `RangeError` when the padding cannot be spread (only `aesgcm` with `rs` above 65537,
 *   whose records carry at most 65535 padding octets each yet must be full).
 */
export function planRecords(
  format: RecordFormat,
  contentLength: number,
  padding: number,
): RecordPlan {
  let count = Math.max(
    1,
    Math.ceil(padding / format.maxRecordPadding),
    Math.ceil((contentLength + padding) / format.capacity),
  )
  const plan = { format, contentLength, padding, count, length: 0 }
  const full = (count - 1) * format.capacity
  if (paddingBefore(plan, count - 1) + contentBefore(plan, count - 1) !== full) {
    throw new RangeError(
      `"padding" of ${padding} octets cannot be spread over records of this "recordSize": ` +
        `each carries at most ${format.maxRecordPadding} (draft-ietf-httpbis-encryption-encoding-03 §2)`,
    )
  }
  // draft-03 §2: content that ends exactly on a record boundary needs a final, shorter record.
  if (format.coding === 'aesgcm' && contentLength + padding - full === format.capacity) count += 1
  plan.count = count
  plan.length = contentLength + padding + count * format.overhead
  return plan
}

/**
 * Writes the plaintext of every record of `plan` into `target` from `start`, each at its place on
 * the wire, the last {@link TAG_LENGTH} octets of each record left for the tag. `target` is fresh
 * (zero-filled), so padding needs no writes.
 *
 * @internal
 */
export function writeRecordPlaintexts(
  plan: RecordPlan,
  content: Uint8Array,
  target: Uint8Array,
  start: number,
): void {
  const { format, count } = plan
  for (let index = 0; index < count; index += 1) {
    const at = start + index * format.recordLength
    const from = contentBefore(plan, index)
    const to = contentBefore(plan, index + 1)
    if (format.coding === 'aes128gcm') {
      // RFC 8188 §2: content || delimiter (0x02 last, 0x01 otherwise) || zero padding.
      target.set(content.subarray(from, to), at)
      target[at + to - from] = index === count - 1 ? 2 : 1
    } else {
      // draft-03 §2: uint16 padding length || zero padding || content.
      const pad = paddingBefore(plan, index + 1) - paddingBefore(plan, index)
      target[at] = pad >>> 8
      target[at + 1] = pad & 0xff
      target.set(content.subarray(from, to), at + 2 + pad)
    }
  }
}

/**
 * Runs `job` for records 0 to `count` − 1 in parallel, at most {@link RECORDS_IN_FLIGHT} at a
 * time. Each worker owns one nonce buffer and reuses it only once its previous record is done;
 * `job` gets the record's nonce (RFC 8188 §2.3) in it. Stops at the first failure.
 */
async function forEachRecord(
  nonce: Uint8Array,
  count: number,
  job: (index: number, iv: Uint8Array<ArrayBuffer>) => Promise<void>,
): Promise<void> {
  const workers = Math.min(RECORDS_IN_FLIGHT, count)
  const ivs = new Uint8Array(workers * NONCE_LENGTH)
  let next = 0
  let failed = false
  const work = async (slot: number): Promise<void> => {
    const iv = ivs.subarray(slot * NONCE_LENGTH, (slot + 1) * NONCE_LENGTH)
    while (!failed && next < count) {
      const index = next
      next += 1
      writeRecordNonce(nonce, index, iv)
      try {
        await job(index, iv)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, (_, slot) => work(slot)))
}

/**
 * Encrypts in place the records of `target` from `start` (as laid out by
 * {@link writeRecordPlaintexts}): record i is sealed with nonce i and its ciphertext || tag
 * overwrites it. A single record (Web Push) is one AES-GCM call; more records are sealed in
 * parallel with bounded concurrency. Each record only overwrites its own bytes.
 *
 * @internal
 */
export async function sealRecords(
  aead: AeadBackend,
  key: AeadKey,
  nonce: Uint8Array<ArrayBuffer>,
  target: Uint8Array<ArrayBuffer>,
  start: number,
  recordLength: number,
): Promise<void> {
  const count = Math.ceil((target.length - start) / recordLength)
  if (count === 1) {
    target.set(
      await aead.seal(key, nonce, target.subarray(start, target.length - TAG_LENGTH)),
      start,
    )
    return
  }
  await forEachRecord(nonce, count, async (index, iv) => {
    const at = start + index * recordLength
    const end = Math.min(at + recordLength, target.length)
    target.set(await aead.seal(key, iv, target.subarray(at, end - TAG_LENGTH)), at)
  })
}

/**
 * Checks the record structure of `body` from `start` before any decryption (lengths only, which
 * are public) and returns the number of records.
 *
 * @internal
 * @throws {@link EceError} `ERR_ECE_TRUNCATED` when no records follow or (`aesgcm`, draft-03 §2)
 *   the last record is full-size; `ERR_ECE_INVALID_RECORD` when the last record is too short for
 *   tag and delimiter (`aes128gcm`) or padding length (`aesgcm`); `ERR_ECE_PLAINTEXT_TOO_LARGE`
 *   when the records could hold more than `maxPlaintextSize` octets of content.
 */
export function checkRecords(
  format: RecordFormat,
  body: Uint8Array,
  start: number,
  maxPlaintextSize: number,
): number {
  const length = body.length - start
  if (length === 0) {
    throw new EceError('ERR_ECE_TRUNCATED', 'content ends without a final record')
  }
  const last = length % format.recordLength
  if (format.coding === 'aesgcm' && last === 0) {
    // draft-03 §2: "A receiver MUST treat the stream as failed due to truncation if the final
    // record is the full record size."
    throw new EceError(
      'ERR_ECE_TRUNCATED',
      'content ends with a full-size record (draft-ietf-httpbis-encryption-encoding-03 §2)',
    )
  }
  if (last !== 0 && last < format.overhead) {
    throw new EceError(
      'ERR_ECE_INVALID_RECORD',
      `last record has ${last} octets, needs at least ${format.overhead}`,
    )
  }
  const count = Math.ceil(length / format.recordLength)
  const bound = length - count * format.overhead
  if (bound > maxPlaintextSize) {
    throw new EceError(
      'ERR_ECE_PLAINTEXT_TOO_LARGE',
      `body can hold ${bound} octets of plaintext, more than "maxPlaintextSize" ${maxPlaintextSize}`,
    )
  }
  return count
}

/**
 * Decrypts the `count` records of `body` from `start` and returns their content as one fresh
 * array. First every record is authenticated (in parallel, bounded concurrency), its plaintext
 * written at its fixed place in one buffer; any failure is the one uniform
 * `ERR_ECE_DECRYPTION_FAILED`. Only then are delimiters and padding checked, in record order, and
 * the content compacted in place. Memory stays within the body size; time is linear.
 *
 * @internal
 * @throws {@link EceError} `ERR_ECE_DECRYPTION_FAILED`, then `ERR_ECE_INVALID_PADDING` or
 *   `ERR_ECE_TRUNCATED` from the record rules.
 */
export async function openRecords(
  format: RecordFormat,
  aead: AeadBackend,
  key: AeadKey,
  nonce: Uint8Array<ArrayBuffer>,
  body: Uint8Array<ArrayBuffer>,
  start: number,
  count: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const { recordLength } = format
  const stride = recordLength - TAG_LENGTH
  if (count === 1) {
    let record: Uint8Array<ArrayBuffer>
    try {
      record = await aead.open(key, nonce, body.subarray(start))
    } catch (cause) {
      throw decryptionFailed(cause)
    }
    const [from, to] = recordContent(format, record, true)
    return record.slice(from, to)
  }
  const plaintext = new Uint8Array(body.length - start - count * TAG_LENGTH)
  try {
    await forEachRecord(nonce, count, async (index, iv) => {
      const at = start + index * recordLength
      const opened = await aead.open(
        key,
        iv,
        body.subarray(at, Math.min(at + recordLength, body.length)),
      )
      plaintext.set(opened, index * stride)
    })
  } catch (cause) {
    throw decryptionFailed(cause)
  }
  // Every record is authentic: apply the padding rules and move the content together.
  let length = 0
  for (let index = 0; index < count; index += 1) {
    const at = index * stride
    const record = plaintext.subarray(at, Math.min(at + stride, plaintext.length))
    const [from, to] = recordContent(format, record, index === count - 1)
    plaintext.copyWithin(length, at + from, at + to)
    length += to - from
  }
  return plaintext.slice(0, length)
}

/**
 * RFC 8188 §2: the delimiter is the last non-zero octet; 0x02 in the last record, 0x01 in all
 * others. Returns the content length of the record. Runs after authentication only.
 */
function aes128gcmContentEnd(record: Uint8Array, last: boolean): number {
  let end = record.length - 1
  while (end >= 0 && record[end] === 0) end -= 1
  const delimiter = record[end]
  if (delimiter === undefined) {
    throw new EceError('ERR_ECE_INVALID_PADDING', 'record has no padding delimiter (RFC 8188 §2)')
  }
  if (last) {
    if (delimiter === 1) {
      throw new EceError('ERR_ECE_TRUNCATED', 'content ends without a final record (RFC 8188 §2)')
    }
    if (delimiter !== 2) {
      throw new EceError(
        'ERR_ECE_INVALID_PADDING',
        'last record needs delimiter 0x02 (RFC 8188 §2)',
      )
    }
  } else if (delimiter !== 1) {
    throw new EceError(
      'ERR_ECE_INVALID_PADDING',
      delimiter === 2
        ? 'record with final delimiter 0x02 is followed by more records (RFC 8188 §2)'
        : 'record needs delimiter 0x01 (RFC 8188 §2)',
    )
  }
  return end
}

/**
 * draft-03 §2: a two-octet padding length, that many zero octets, then content. "A receiver MUST
 * fail to decrypt if any padding octet other than the first two are non-zero, or a record has
 * more padding than the record size can accommodate." Returns where the content starts. Runs
 * after authentication only.
 */
function aesgcmContentStart(record: Uint8Array): number {
  const pad = readUint16(record, 0)
  const start = 2 + pad
  if (start > record.length) {
    throw new EceError(
      'ERR_ECE_INVALID_PADDING',
      `padding length ${pad} exceeds its record (draft-ietf-httpbis-encryption-encoding-03 §2)`,
    )
  }
  let nonZero = 0
  for (let i = 2; i < start; i += 1) nonZero |= record[i] ?? 0
  if (nonZero !== 0) {
    throw new EceError(
      'ERR_ECE_INVALID_PADDING',
      'padding is not all zero (draft-ietf-httpbis-encryption-encoding-03 §2)',
    )
  }
  return start
}

/**
 * Where the content of an authenticated record plaintext starts and ends, by the coding's
 * padding rules (RFC 8188 §2; draft-03 §2).
 *
 * @internal
 * @throws {@link EceError} `ERR_ECE_INVALID_PADDING` or `ERR_ECE_TRUNCATED`.
 */
export function recordContent(
  format: RecordFormat,
  record: Uint8Array,
  last: boolean,
): [start: number, end: number] {
  return format.coding === 'aes128gcm'
    ? [0, aes128gcmContentEnd(record, last)]
    : [aesgcmContentStart(record), record.length]
}
