/**
 * The error type of `@pushcraft/ece` for untrusted data: {@link EceError} with a stable
 * {@link EceErrorCode} (STYLE §6, channel 2). Developer misuse throws `TypeError`/`RangeError`
 * instead and has no code.
 *
 * @module
 */

/**
 * Stable error codes of {@link EceError}. Branch on these, never on messages.
 *
 * - `ERR_ECE_INVALID_HEADER`: the `aes128gcm` header is truncated or its `idlen` runs past the
 *   body, or `aesgcm` `Encryption` / `Crypto-Key` parameters are missing or malformed.
 * - `ERR_ECE_INVALID_RECORD_SIZE`: `rs` is out of range (RFC 8188 §2.1: at least 18).
 * - `ERR_ECE_INVALID_RECORD`: a record is too short to hold the tag and its delimiter or padding
 *   length.
 * - `ERR_ECE_DECRYPTION_FAILED`: AEAD authentication failed (wrong key, tampered data). One fixed
 *   message for every cause.
 * - `ERR_ECE_INVALID_PADDING`: after authentication, a bad delimiter, a missing delimiter,
 *   non-zero padding or a padding length larger than its record.
 * - `ERR_ECE_TRUNCATED`: the content ends without a final record.
 * - `ERR_ECE_INVALID_KEY`: a public key taken from the data is not a valid P-256 point, or
 *   `keyLookup` found no key for the header's `keyid`.
 * - `ERR_ECE_PLAINTEXT_TOO_LARGE`: the body could hold more plaintext than `maxPlaintextSize`.
 *
 * @example
 *
 * ```ts
 * import { EceError, type EceErrorCode } from '@pushcraft/ece'
 *
 * function isTamperedOrWrongKey(error: unknown): boolean {
 *   const code: EceErrorCode | undefined = error instanceof EceError ? error.code : undefined
 *   return code === 'ERR_ECE_DECRYPTION_FAILED'
 * }
 * ```
 */
export type EceErrorCode =
  | 'ERR_ECE_INVALID_HEADER'
  | 'ERR_ECE_INVALID_RECORD_SIZE'
  | 'ERR_ECE_INVALID_RECORD'
  | 'ERR_ECE_DECRYPTION_FAILED'
  | 'ERR_ECE_INVALID_PADDING'
  | 'ERR_ECE_TRUNCATED'
  | 'ERR_ECE_INVALID_KEY'
  | 'ERR_ECE_PLAINTEXT_TOO_LARGE'

const kEceError = Symbol.for('@pushcraft/ece.EceError')

/**
 * Thrown when encrypted content or its parameters (data from the network or storage) are invalid.
 * Messages name fields and lengths, never key, secret or plaintext bytes.
 *
 * `instanceof EceError` also holds for errors thrown by another copy of this package (the marker
 * is a registered symbol, undici's technique); matching on {@link EceError.code} is preferred.
 *
 * @example
 *
 * ```ts
 * import { decrypt, EceError } from '@pushcraft/ece'
 *
 * async function open(body: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
 *   try {
 *     return await decrypt(body, { key })
 *   } catch (error) {
 *     if (error instanceof EceError && error.code === 'ERR_ECE_DECRYPTION_FAILED') return undefined
 *     throw error
 *   }
 * }
 * ```
 */
export class EceError extends Error {
  /** The stable reason, see {@link EceErrorCode}. */
  readonly code: EceErrorCode

  /**
   * @param code - The stable reason.
   * @param message - A lower-case fragment that never contains secret bytes.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(code: EceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EceError'
    this.code = code
  }

  /** `instanceof` also works across duplicate installs of this package. */
  static override [Symbol.hasInstance](value: unknown): value is EceError {
    return typeof value === 'object' && value !== null && kEceError in value
  }
}
// The marker goes on the prototype, not in the class body: with `isolatedDeclarations`, a class
// member with a computed symbol name fails with TS9038.
Object.defineProperty(EceError.prototype, kEceError, { value: true })

/** The single message of every authentication failure (STYLE §6: decrypt is not an oracle). */
const DECRYPTION_FAILED_MESSAGE = 'decryption failed'

/**
 * The one error for every AEAD failure: same code, same message, whatever the record or reason.
 *
 * @internal
 */
export function decryptionFailed(cause: unknown): EceError {
  return new EceError('ERR_ECE_DECRYPTION_FAILED', DECRYPTION_FAILED_MESSAGE, { cause })
}
