/**
 * A pool of worker threads that run the RFC 8291 message encryption (`encryptPayload`) off the
 * calling thread, for Node.js only. One message costs about 150 µs of one thread (mostly the
 * P-256 key generation and ECDH of RFC 8291 §3.1), so a sender that must go faster than one core
 * allows hands the encryption to `threads` workers. Jobs are queued and posted in batches (one
 * `postMessage` per batch each way, inputs packed into one transferred buffer, results packed
 * into another) so the messaging cost stays small next to the cryptography.
 *
 * @module
 */

import { Worker } from 'node:worker_threads'
import { EceError, type EceErrorCode } from '@pushcraft/ece'
import { WebPushError, type WebPushErrorCode } from '../errors.js'
import type { EncryptionInput, EncryptionResult } from './encryption.js'

/** The most jobs one batch carries (one `postMessage` each way). */
const BATCH_SIZE = 64

/** The most threads a pool may have. */
const MAX_THREADS = 64

/** Fields per job in {@link BatchRequest.meta}. */
export const JOB_FIELDS = 5

/**
 * Main thread → worker: one batch. `bytes` holds, per job and back to back, `ua_public` ‖
 * `auth_secret` ‖ plaintext; `meta` holds, per job, {@link JOB_FIELDS} numbers: the three
 * lengths, the padding octets and the coding (0 `aes128gcm`, 1 `aesgcm`). Both buffers are
 * transferred.
 */
export interface BatchRequest {
  readonly id: number
  readonly bytes: ArrayBuffer
  readonly meta: ArrayBuffer
}

/** An error thrown inside a worker, as plain data (structured clone drops classes and fields). */
export interface SerializedError {
  readonly kind: 'webpush' | 'ece' | 'type' | 'range' | 'error'
  readonly message: string
  readonly code?: string
  readonly field?: string
  readonly reason?: string
  readonly cause?: { readonly name: string; readonly message: string; readonly code?: string }
}

/** The outcome of one job, in the order of the batch. */
export type JobOutcome =
  | {
      readonly ok: true
      /** Octets of `as_public`, then of the body, in {@link BatchResponse.bytes}. */
      readonly keyLength: number
      readonly bodyLength: number
      readonly encryption?: string
      readonly cryptoKey?: string
    }
  | { readonly ok: false; readonly error: SerializedError }

/**
 * Worker → main thread: the outcomes of one batch. `bytes` (transferred) holds, per successful
 * job and back to back, `as_public` ‖ body.
 */
export interface BatchResponse {
  readonly id: number
  readonly bytes: ArrayBuffer
  readonly outcomes: readonly JobOutcome[]
}

/** Options of {@link EncryptionPool}. */
export interface EncryptionPoolOptions {
  /** Worker threads, an integer from 1 to 64. */
  readonly threads: number
}

interface Job {
  readonly input: EncryptionInput
  readonly resolve: (result: EncryptionResult) => void
  readonly reject: (error: Error) => void
}

interface Slot {
  readonly worker: Worker
  /** Batches posted to this worker and not answered yet, by batch id. */
  readonly batches: Map<number, readonly Job[]>
  /** Jobs in those batches. */
  outstanding: number
  /** Whether the worker currently keeps the event loop alive (only while it has jobs). */
  referenced: boolean
}

/**
 * Encrypts push messages on worker threads. Internal: `PushClient` creates one for its
 * `encryptionThreads` option.
 *
 * - Workers start on first use and are replaced after a crash; each one is `unref()`'d while it
 *   has nothing to do, so an open pool never keeps the process alive, and `ref()`'d while it has
 *   jobs, so pending work does.
 * - Errors of the encryption itself come back as the same type: a {@link WebPushError} (e.g.
 *   `ERR_WEBPUSH_INVALID_SUBSCRIPTION`, field `keys.p256dh`, reason `not-on-curve`) with its
 *   `code`, `field`, `reason` and message, an `EceError` with its `code`, a `TypeError` or a
 *   `RangeError`.
 * - A worker that fails or exits rejects its outstanding jobs with a plain `Error` (the worker's
 *   error as `cause`); later jobs go to a new worker.
 *
 * @example
 *
 * ```ts
 * import { EncryptionPool } from './encryption-pool.js'
 * const pool = new EncryptionPool({ threads: 2 })
 * declare const p256dh: Uint8Array, auth: Uint8Array
 * const result = await pool.encrypt({
 *   userAgentPublicKey: p256dh,
 *   authSecret: auth,
 *   plaintext: new TextEncoder().encode('hello'),
 *   contentEncoding: 'aes128gcm',
 *   padding: 0,
 * })
 * await pool.close()
 * ```
 */
export class EncryptionPool {
  readonly #threads: number
  readonly #workerUrl: URL
  readonly #slots: (Slot | undefined)[]
  #queue: Job[] = []
  #flushTimer: ReturnType<typeof setImmediate> | undefined
  #nextBatchId = 0
  #closed = false
  #closing: Promise<void> | undefined

  /**
   * @param options - `threads`: how many worker threads (1 to 64) the pool may start.
   * @throws `TypeError` when `threads` is not a number; `RangeError` when it is not an integer
   *   from 1 to 64.
   */
  constructor(options: EncryptionPoolOptions) {
    const threads: unknown = options.threads
    if (typeof threads !== 'number') {
      throw new TypeError(`"threads" must be a number, got ${typeof threads}`)
    }
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new RangeError(`"threads" must be an integer from 1 to ${MAX_THREADS}, got ${threads}`)
    }
    this.#threads = threads
    this.#slots = Array.from({ length: threads }, () => undefined)
    this.#workerUrl = workerUrl()
  }

  /** The number of worker threads the pool may run. */
  get threads(): number {
    return this.#threads
  }

  /**
   * Encrypts one message on a worker thread (the same work as `encryptPayload` with a fresh
   * ephemeral key and salt).
   *
   * @param input - The message; `keyCache` is ignored (it serves WebCrypto in this thread only),
   *   `ephemeral` and `salt` (vectors only) are refused.
   * @returns The encrypted body and headers, in fresh arrays.
   * @throws (rejects) {@link WebPushError}, `EceError`, `TypeError` or `RangeError` as the
   *   encryption throws them; `TypeError` for `ephemeral`/`salt`; a plain `Error` when the pool is
   *   closed or the worker running the job failed.
   */
  encrypt(input: EncryptionInput): Promise<EncryptionResult> {
    if (this.#closed) return Promise.reject(new Error('the encryption pool is closed'))
    if (input.ephemeral !== undefined || input.salt !== undefined) {
      return Promise.reject(
        new TypeError('"ephemeral" and "salt" are for test vectors and never cross threads'),
      )
    }
    return new Promise<EncryptionResult>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject })
      if (this.#queue.length >= BATCH_SIZE) this.#flush()
      // The check phase runs after every microtask the current event queued, so the jobs that
      // one batch's answers trigger travel together.
      else this.#flushTimer ??= setImmediate(this.#flush)
    })
  }

  /**
   * Terminates the workers. Jobs not yet answered and later calls to {@link encrypt} reject with
   * a plain `Error`. Calling it again returns the same promise.
   *
   * @returns Resolves once every worker has exited.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closed = true
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer)
    this.#flushTimer = undefined
    const queued = this.#queue
    this.#queue = []
    for (const job of queued) job.reject(closedError())
    const workers: Worker[] = []
    for (const [index, slot] of this.#slots.entries()) {
      if (slot === undefined) continue
      this.#slots[index] = undefined
      for (const jobs of slot.batches.values()) for (const job of jobs) job.reject(closedError())
      slot.batches.clear()
      slot.outstanding = 0
      workers.push(slot.worker)
    }
    this.#closing = Promise.all(workers.map((worker) => worker.terminate())).then(() => undefined)
    return this.#closing
  }

  /**
   * Test only: the running workers and their outstanding jobs (to terminate one on purpose).
   *
   * @internal
   */
  workersForTesting(): readonly { readonly worker: Worker; readonly outstanding: number }[] {
    return this.#slots
      .filter((slot) => slot !== undefined)
      .map((slot) => ({ worker: slot.worker, outstanding: slot.outstanding }))
  }

  /** Posts the queue in batches, spread over the least loaded workers. */
  readonly #flush = (): void => {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer)
    this.#flushTimer = undefined
    const queue = this.#queue
    if (queue.length === 0 || this.#closed) return
    this.#queue = []
    // An even share per thread, so that one round of jobs keeps every worker busy.
    const share = Math.min(BATCH_SIZE, Math.ceil(queue.length / this.#threads))
    for (let start = 0; start < queue.length; start += share) {
      this.#post(this.#leastLoaded(), queue.slice(start, start + share))
    }
  }

  /** The slot with the fewest outstanding jobs; a slot without a worker starts one. */
  #leastLoaded(): Slot {
    let best = 0
    let bestLoad = Infinity
    for (let index = 0; index < this.#threads; index++) {
      const load = this.#slots[index]?.outstanding ?? 0
      if (load < bestLoad) {
        best = index
        bestLoad = load
      }
    }
    return this.#slots[best] ?? this.#start(best)
  }

  #start(index: number): Slot {
    // The worker needs none of the parent's flags, and some break it: an inherited
    // `--input-type` (from `node --input-type=module -e …`) makes its module fail to load.
    const worker = new Worker(this.#workerUrl, { execArgv: [] })
    const slot: Slot = { worker, batches: new Map(), outstanding: 0, referenced: false }
    this.#slots[index] = slot
    worker.on('message', (response: BatchResponse) => {
      this.#answer(slot, response)
    })
    worker.on('error', (error: unknown) => {
      this.#fail(index, slot, new Error('an encryption worker failed', { cause: error }))
    })
    worker.on('messageerror', (error: unknown) => {
      this.#fail(
        index,
        slot,
        new Error('an encryption worker sent an unreadable message', { cause: error }),
      )
      void worker.terminate()
    })
    worker.on('exit', (code: number) => {
      this.#fail(index, slot, new Error(`an encryption worker exited with code ${code}`))
    })
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref()
    return slot
  }

  #post(slot: Slot, jobs: readonly Job[]): void {
    let total = 0
    for (const { input } of jobs) {
      total += input.userAgentPublicKey.length + input.authSecret.length + input.plaintext.length
    }
    // One fresh buffer per batch: the inputs are small, and packing them also avoids cloning
    // whole backing buffers of views (a `Buffer` slice of Node's pool).
    const bytes = new Uint8Array(total)
    const meta = new Uint32Array(jobs.length * JOB_FIELDS)
    let offset = 0
    for (const [index, { input }] of jobs.entries()) {
      const { userAgentPublicKey, authSecret, plaintext } = input
      bytes.set(userAgentPublicKey, offset)
      offset += userAgentPublicKey.length
      bytes.set(authSecret, offset)
      offset += authSecret.length
      bytes.set(plaintext, offset)
      offset += plaintext.length
      const at = index * JOB_FIELDS
      meta[at] = userAgentPublicKey.length
      meta[at + 1] = authSecret.length
      meta[at + 2] = plaintext.length
      meta[at + 3] = input.padding
      meta[at + 4] = input.contentEncoding === 'aesgcm' ? 1 : 0
    }
    const id = this.#nextBatchId++
    slot.batches.set(id, jobs)
    slot.outstanding += jobs.length
    if (!slot.referenced) {
      slot.worker.ref()
      slot.referenced = true
    }
    const request: BatchRequest = { id, bytes: bytes.buffer, meta: meta.buffer }
    slot.worker.postMessage(request, [bytes.buffer, meta.buffer])
  }

  #answer(slot: Slot, response: BatchResponse): void {
    const jobs = slot.batches.get(response.id)
    // Already rejected (closed, or the worker failed meanwhile).
    if (jobs === undefined) return
    slot.batches.delete(response.id)
    slot.outstanding -= jobs.length
    this.#release(slot)
    const bytes = new Uint8Array(response.bytes)
    let offset = 0
    for (const [index, job] of jobs.entries()) {
      const outcome = response.outcomes[index]
      if (outcome === undefined) {
        job.reject(new Error('an encryption worker answered without this message'))
      } else if (outcome.ok) {
        // Fresh arrays, so that no result keeps the batch's buffer alive.
        const keyEnd = offset + outcome.keyLength
        const bodyEnd = keyEnd + outcome.bodyLength
        const result: {
          body: Uint8Array
          applicationServerPublicKey: Uint8Array
          encryption?: string
          cryptoKey?: string
        } = {
          body: bytes.slice(keyEnd, bodyEnd),
          applicationServerPublicKey: bytes.slice(offset, keyEnd),
        }
        offset = bodyEnd
        if (outcome.encryption !== undefined) result.encryption = outcome.encryption
        if (outcome.cryptoKey !== undefined) result.cryptoKey = outcome.cryptoKey
        job.resolve(result)
      } else {
        job.reject(deserializeError(outcome.error))
      }
    }
  }

  /** Rejects a failed worker's jobs and frees its slot; the next flush starts a new worker. */
  #fail(index: number, slot: Slot, error: Error): void {
    if (this.#slots[index] !== slot) return
    this.#slots[index] = undefined
    for (const jobs of slot.batches.values()) for (const job of jobs) job.reject(error)
    slot.batches.clear()
    slot.outstanding = 0
    this.#release(slot)
  }

  /** A worker without jobs must not keep the process alive. */
  #release(slot: Slot): void {
    if (slot.outstanding === 0 && slot.referenced) {
      slot.worker.unref()
      slot.referenced = false
    }
  }
}

function closedError(): Error {
  return new Error('the encryption pool was closed before the message was encrypted')
}

/**
 * `encryption-worker.js` next to this module (dist/). Run from the TypeScript sources (tests on
 * src/), the worker is the built one: a worker thread cannot load src/'s `.ts` files, whose
 * imports name `.js` files that exist in dist/ only.
 */
function workerUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts')
    ? new URL('../../dist/internal/encryption-worker.js', here)
    : new URL('./encryption-worker.js', here)
}

/**
 * Rebuilds an error that crossed from a worker. Only messages, codes, fields and reasons cross,
 * and those never hold key, secret or plaintext bytes (STYLE §6).
 */
export function deserializeError(error: SerializedError): Error {
  const cause =
    error.cause === undefined
      ? undefined
      : Object.assign(new Error(error.cause.message), {
          name: error.cause.name,
          ...(error.cause.code === undefined ? {} : { code: error.cause.code }),
        })
  const options = cause === undefined ? undefined : { cause }
  switch (error.kind) {
    case 'webpush':
      return new WebPushError(error.code as WebPushErrorCode, error.message, {
        ...options,
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(error.reason === undefined ? {} : { reason: error.reason }),
      })
    case 'ece':
      return new EceError(error.code as EceErrorCode, error.message, options)
    case 'type':
      return new TypeError(error.message, options)
    case 'range':
      return new RangeError(error.message, options)
    case 'error':
      return new Error(error.message, options)
  }
}

/**
 * The plain-data form of an error thrown in a worker, for {@link deserializeError}.
 *
 * @param error - Anything the encryption threw.
 * @returns Its kind, message and, for the typed errors, code, field and reason.
 */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { kind: 'error', message: 'encryption failed' }
  const cause = serializeCause(error.cause)
  const base = { message: error.message, ...(cause === undefined ? {} : { cause }) }
  if (error instanceof WebPushError) {
    return {
      kind: 'webpush',
      code: error.code,
      ...base,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.reason === undefined ? {} : { reason: error.reason }),
    }
  }
  if (error instanceof EceError) return { kind: 'ece', code: error.code, ...base }
  if (error instanceof TypeError) return { kind: 'type', ...base }
  if (error instanceof RangeError) return { kind: 'range', ...base }
  return { kind: 'error', ...base }
}

function serializeCause(cause: unknown): SerializedError['cause'] {
  if (!(cause instanceof Error)) return undefined
  const code: unknown = (cause as Error & { code?: unknown }).code
  return {
    name: cause.name,
    message: cause.message,
    ...(typeof code === 'string' ? { code } : {}),
  }
}
