/**
 * The send timeout (`SEND_TIMEOUT_MS`) of a delivery without one timer and one combined
 * `AbortSignal` per message. Sends that start within the same short slot share one
 * `AbortController`: it aborts once the slot's last starter has had the full timeout, or when the
 * delivery's own signal aborts. A send is therefore never cut before the timeout and at most one
 * slot later (a slot is 1/20 of the timeout, at most 250 ms), and a delivery keeps a handful of
 * timers alive instead of one per message sent during the last `SEND_TIMEOUT_MS`.
 *
 * @module
 */

/** The longest slot: how late, at most, a timeout may fire. */
const MAX_SLOT_MS = 250

/**
 * One slot: the signal its sends use, and what to give back when done.
 *
 * @example
 *
 * ```ts
 * import { SendDeadlines } from './deadlines.js'
 * const deadlines = new SendDeadlines({ timeoutMs: 10_000, signal: new AbortController().signal })
 * const slot = deadlines.acquire()
 * try {
 *   // await fetch(url, { signal: slot.signal })
 * } finally {
 *   slot.release()
 * }
 * ```
 */
export interface DeadlineSlot {
  /** Aborts with {@link SendDeadlines.reason} when the timeout passed, or with the parent's reason. */
  readonly signal: AbortSignal
  /** Whether this slot's timeout fired (as opposed to the parent signal aborting). */
  readonly timedOut: boolean
  /** Ends one send of the slot (call exactly once per {@link SendDeadlines.acquire}). */
  release(): void
}

class Slot implements DeadlineSlot {
  readonly #controller = new AbortController()
  readonly #owner: SendDeadlines
  /** Sends started in this slot and not yet released. */
  users = 0
  /** Whether new sends may still join (it is the owner's current slot). */
  open = true
  timer: ReturnType<typeof setTimeout> | undefined
  timedOut = false

  constructor(owner: SendDeadlines) {
    this.#owner = owner
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason)
  }

  release(): void {
    this.users -= 1
    if (this.users === 0 && !this.open) this.#owner.retire(this)
  }
}

/**
 * The deadlines of one delivery. Create one per delivery and {@link SendDeadlines.close} it at
 * the end.
 *
 * @example
 *
 * ```ts
 * import { SendDeadlines } from './deadlines.js'
 * const controller = new AbortController()
 * const deadlines = new SendDeadlines({ timeoutMs: 15_000, signal: controller.signal })
 * const slot = deadlines.acquire()
 * slot.release()
 * deadlines.close()
 * ```
 */
export class SendDeadlines {
  /** The abort reason of a timed-out slot (its sends see it as their signal's reason). */
  readonly reason: Error
  readonly #timeoutMs: number
  readonly #slotMs: number
  readonly #parent: AbortSignal | undefined
  readonly #live = new Set<Slot>()
  #current: Slot | undefined
  #closesAt = 0
  readonly #onParentAbort = (): void => {
    for (const slot of this.#live) slot.abort(this.#parent?.reason)
  }

  /**
   * @param options - The timeout in milliseconds (≥ 1), and the delivery's signal: when it
   *   aborts, every slot aborts with its reason.
   */
  constructor(options: { readonly timeoutMs: number; readonly signal?: AbortSignal }) {
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError(`"timeoutMs" must be a positive integer, got ${options.timeoutMs}`)
    }
    this.#timeoutMs = options.timeoutMs
    this.#slotMs = Math.min(MAX_SLOT_MS, Math.max(1, Math.floor(options.timeoutMs / 20)))
    this.#parent = options.signal
    this.reason = new Error(`timed out after ${options.timeoutMs} ms`)
    this.reason.name = 'TimeoutError'
    this.#parent?.addEventListener('abort', this.#onParentAbort, { once: true })
  }

  /** Timers alive now (one per slot with sends in flight). */
  get liveSlots(): number {
    return this.#live.size
  }

  /**
   * Starts one send: joins the current slot, or opens a new one.
   *
   * @returns The slot; call its `release()` when the send ended.
   */
  acquire(): DeadlineSlot {
    const now = performance.now()
    let slot = this.#current
    if (slot === undefined || now >= this.#closesAt) {
      if (slot !== undefined) this.#close(slot)
      slot = new Slot(this)
      this.#current = slot
      this.#closesAt = now + this.#slotMs
      this.#live.add(slot)
      // The last send to join starts just before `closesAt`: it gets the full timeout too.
      const timer = setTimeout(() => {
        this.#expire(slot as Slot)
      }, this.#timeoutMs + this.#slotMs)
      timer.unref()
      slot.timer = timer
      if (this.#parent?.aborted === true) slot.abort(this.#parent.reason)
    }
    slot.users += 1
    return slot
  }

  /** Clears every timer and forgets the parent signal (sends still running keep their slot). */
  close(): void {
    this.#parent?.removeEventListener('abort', this.#onParentAbort)
    for (const slot of this.#live) clearTimeout(slot.timer)
    this.#live.clear()
    this.#current = undefined
  }

  /** @internal Called by a closed slot when its last send is released. */
  retire(slot: Slot): void {
    clearTimeout(slot.timer)
    this.#live.delete(slot)
  }

  #close(slot: Slot): void {
    slot.open = false
    if (slot.users === 0) this.retire(slot)
  }

  #expire(slot: Slot): void {
    slot.timedOut = true
    slot.abort(this.reason)
    if (this.#current === slot) this.#current = undefined
    slot.open = false
    this.#live.delete(slot)
  }
}
