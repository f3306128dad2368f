/**
 * The bounded per-broadcast outcome log, in memory: a ring of the last N send outcomes, filled
 * without allocating per send, from which the broadcast runner takes what was recorded since its
 * previous write (at most N) every few seconds and at the end, instead of one database row per
 * send.
 *
 * @module
 */

import type { SendOutcome } from './store/store.js'

/**
 * Where the sender records each outcome of a delivery.
 *
 * @example
 *
 * ```ts
 * import type { OutcomeRecorder } from './outcome-log.js'
 * const discard: OutcomeRecorder = { record: () => undefined }
 * ```
 */
export interface OutcomeRecorder {
  /**
   * Records one send's outcome.
   *
   * @param subscriptionId - The subscription.
   * @param service - Its push service.
   * @param outcome - The verdict (`delivered`, `gone`, `resubscribe`, `failed`, `blocked`).
   * @param statusCode - The push service's HTTP status, when it answered.
   * @param detail - A short reason (no secrets, no endpoint path), or `null`.
   */
  record(
    subscriptionId: number,
    service: string,
    outcome: string,
    statusCode: number | null,
    detail: string | null,
  ): void
}

/**
 * A ring of the last `capacity` outcomes, numbered from 1 (`seq`) in the order recorded.
 *
 * @example
 *
 * ```ts
 * import { OutcomeLog } from './outcome-log.js'
 * const log = new OutcomeLog(2)
 * log.record(1, 'fcm', 'delivered', 201, null)
 * log.record(2, 'fcm', 'gone', 410, 'gone')
 * log.record(3, 'fcm', 'delivered', 201, null)
 * log.takeUnwritten().map((o) => o.seq) // [2, 3]
 * log.takeUnwritten() // []
 * ```
 */
export class OutcomeLog implements OutcomeRecorder {
  readonly #capacity: number
  // One array per field (no object per outcome); they grow up to `capacity`, then wrap around.
  readonly #ids: number[] = []
  readonly #services: string[] = []
  readonly #outcomes: string[] = []
  readonly #statusCodes: (number | null)[] = []
  readonly #details: (string | null)[] = []
  readonly #times: number[] = []
  /** The seq of the last outcome recorded (= the number recorded). */
  #seq = 0
  /** The seq of the last outcome handed out by {@link OutcomeLog.takeUnwritten}. */
  #taken = 0

  /** @param capacity - How many outcomes to keep (≥ 1). */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`"capacity" must be a positive integer, got ${capacity}`)
    }
    this.#capacity = capacity
  }

  /** How many outcomes were recorded in all (the `seq` of the last one). */
  get recorded(): number {
    return this.#seq
  }

  /**
   * Records one outcome; once full, it overwrites the oldest.
   *
   * @param subscriptionId - The subscription.
   * @param service - Its push service.
   * @param outcome - The verdict.
   * @param statusCode - The HTTP status, or `null`.
   * @param detail - A short reason, or `null`.
   */
  record(
    subscriptionId: number,
    service: string,
    outcome: string,
    statusCode: number | null,
    detail: string | null,
  ): void {
    const at = this.#seq % this.#capacity
    this.#seq += 1
    // While filling, `at` is the arrays' length: the assignments append.
    this.#ids[at] = subscriptionId
    this.#services[at] = service
    this.#outcomes[at] = outcome
    this.#statusCodes[at] = statusCode
    this.#details[at] = detail
    this.#times[at] = Date.now()
  }

  /**
   * The outcomes recorded since the previous call, oldest first; only the last `capacity` of
   * them when more were recorded meanwhile (older ones are gone from the ring).
   *
   * @returns The outcomes, with their `seq`.
   */
  takeUnwritten(): SendOutcome[] {
    const first = Math.max(this.#taken + 1, this.#seq - this.#capacity + 1)
    const out: SendOutcome[] = []
    for (let seq = first; seq <= this.#seq; seq++) {
      const at = (seq - 1) % this.#capacity
      out.push({
        seq,
        subscriptionId: this.#ids[at] ?? null,
        service: this.#services[at] ?? '',
        outcome: this.#outcomes[at] ?? '',
        statusCode: this.#statusCodes[at] ?? null,
        detail: this.#details[at] ?? null,
        createdAt: this.#times[at] ?? 0,
      })
    }
    this.#taken = this.#seq
    return out
  }
}
