/**
 * The typed error of `@pushcraft/testing` (STYLE §6, channel 2): a wait that ran out or a service
 * that was closed. Developer misuse throws `TypeError`/`RangeError` instead.
 *
 * @module
 */

/**
 * The stable codes of {@link PushTestingError}.
 *
 * - `ERR_TESTING_TIMEOUT`: `nextMessage`/`waitForMessages`/a browser wait did not complete in time.
 * - `ERR_TESTING_CLOSED`: the service was closed while something waited on it.
 *
 * @example
 *
 * ```ts
 * import type { PushTestingErrorCode } from '@pushcraft/testing'
 * const code: PushTestingErrorCode = 'ERR_TESTING_TIMEOUT'
 * ```
 */
export type PushTestingErrorCode = 'ERR_TESTING_TIMEOUT' | 'ERR_TESTING_CLOSED'

const kPushTestingError = Symbol.for('@pushcraft/testing.PushTestingError')

/**
 * The error `@pushcraft/testing` rejects with when a wait times out or the service closes. Match on
 * {@link PushTestingError.code}; `instanceof` also works across duplicate installs.
 *
 * @example
 *
 * ```ts
 * import { PushTestingError, createMockPushService } from '@pushcraft/testing'
 * const service = await createMockPushService()
 * try {
 *   await service.nextMessage({ timeout: 100 })
 * } catch (error) {
 *   if (error instanceof PushTestingError && error.code === 'ERR_TESTING_TIMEOUT') {
 *     console.log('nothing arrived')
 *   }
 * }
 * await service.close()
 * ```
 */
export class PushTestingError extends Error {
  /** The stable code to branch on. */
  readonly code: PushTestingErrorCode

  /**
   * @param code - The stable error code.
   * @param message - A lower-case message fragment.
   * @param options - `cause`, when another error is the reason.
   */
  constructor(code: PushTestingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PushTestingError'
    this.code = code
  }

  /**
   * `instanceof` across duplicate installs (undici's technique).
   *
   * @param value - The value to test.
   * @returns Whether `value` is a `PushTestingError` from any copy of this package.
   */
  static override [Symbol.hasInstance](value: unknown): value is PushTestingError {
    return typeof value === 'object' && value !== null && kPushTestingError in value
  }
}
// The marker lives on the prototype: a computed symbol member fails `isolatedDeclarations` (TS9038).
Object.defineProperty(PushTestingError.prototype, kPushTestingError, { value: true })
