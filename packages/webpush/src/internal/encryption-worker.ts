/**
 * The entry point of an `EncryptionPool` worker thread: it encrypts each job of a batch with
 * `encryptPayload` (RFC 8291 §3, and draft-ietf-webpush-encryption-04 for `aesgcm`) and answers
 * the whole batch in one message. In Node.js, `encryptPayload` runs on the node:crypto backends
 * (`#backend`: key agreement and ece's `aead`), which are synchronous: a batch keeps this
 * thread busy from the first job to the last.
 *
 * @module
 */

import { parentPort } from 'node:worker_threads'
import { encryptPayload, type EncryptionResult } from './encryption.js'
import {
  JOB_FIELDS,
  serializeError,
  type BatchRequest,
  type BatchResponse,
  type JobOutcome,
} from './encryption-pool.js'

if (parentPort === null) throw new Error('encryption-worker.js runs as a worker thread only')
const port = parentPort

port.on('message', (request: BatchRequest) => {
  void encryptBatch(request).then((response) => {
    port.postMessage(response, [response.bytes])
  })
})

/** Encrypts every job of a batch; a failing job fails alone. */
async function encryptBatch(request: BatchRequest): Promise<BatchResponse> {
  const bytes = new Uint8Array(request.bytes)
  const meta = new Uint32Array(request.meta)
  const count = meta.length / JOB_FIELDS
  const pending: Promise<EncryptionResult>[] = []
  let offset = 0
  for (let index = 0; index < count; index++) {
    const at = index * JOB_FIELDS
    const userAgentPublicKey = bytes.subarray(offset, (offset += meta[at] ?? 0))
    const authSecret = bytes.subarray(offset, (offset += meta[at + 1] ?? 0))
    const plaintext = bytes.subarray(offset, (offset += meta[at + 2] ?? 0))
    pending.push(
      encryptPayload({
        userAgentPublicKey,
        authSecret,
        plaintext,
        padding: meta[at + 3] ?? 0,
        contentEncoding: meta[at + 4] === 1 ? 'aesgcm' : 'aes128gcm',
      }),
    )
  }
  const settled = await Promise.allSettled(pending)
  // The auth secrets and plaintexts are not needed any more (defence in depth).
  bytes.fill(0)

  let total = 0
  for (const result of settled) {
    if (result.status === 'fulfilled') {
      total += result.value.applicationServerPublicKey.length + result.value.body.length
    }
  }
  const out = new Uint8Array(total)
  const outcomes: JobOutcome[] = []
  offset = 0
  for (const result of settled) {
    if (result.status === 'rejected') {
      outcomes.push({ ok: false, error: serializeError(result.reason) })
      continue
    }
    const { applicationServerPublicKey, body, encryption, cryptoKey } = result.value
    out.set(applicationServerPublicKey, offset)
    out.set(body, offset + applicationServerPublicKey.length)
    offset += applicationServerPublicKey.length + body.length
    outcomes.push({
      ok: true,
      keyLength: applicationServerPublicKey.length,
      bodyLength: body.length,
      ...(encryption === undefined ? {} : { encryption }),
      ...(cryptoKey === undefined ? {} : { cryptoKey }),
    })
  }
  return { id: request.id, bytes: out.buffer, outcomes }
}
