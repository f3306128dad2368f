/**
 * Channel-1 checks (STYLE §6, §7): developer misuse throws `TypeError` for a wrong type and
 * `RangeError` for a wrong value, naming the argument. Fast path first.
 *
 * @module
 */

/** A plain object (not `null`, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `true` for a WebCrypto `CryptoKey`. Duck-typed, so keys from another realm (an edge runtime's
 * VM, an iframe) pass too.
 */
export function isCryptoKey(value: unknown): value is CryptoKey {
  if (typeof value !== 'object' || value === null) return false
  if (typeof CryptoKey === 'function' && value instanceof CryptoKey) return true
  const candidate = value as Partial<Record<keyof CryptoKey, unknown>>
  return (
    typeof candidate.type === 'string' &&
    typeof candidate.extractable === 'boolean' &&
    typeof candidate.algorithm === 'object' &&
    Array.isArray(candidate.usages)
  )
}

/** Throws a `TypeError` unless `value` is an options object (or `undefined` when `optional`). */
export function assertOptions(
  value: unknown,
  name: string,
  optional: boolean,
): asserts value is Record<string, unknown> | undefined {
  if (value === undefined && optional) return
  if (!isObject(value)) throw new TypeError(`"${name}" must be an object`)
}

/**
 * Throws a `TypeError` for option keys outside `allowed` (security-relevant option bags reject
 * typos instead of ignoring them, STYLE §7).
 */
export function assertKnownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  name: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `unknown option "${key}" in "${name}"; expected one of ${allowed.map((k) => `"${k}"`).join(', ')}`,
      )
    }
  }
}

/** Throws a `TypeError` unless `value` is a string. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`"${name}" must be a string`)
}

/** Throws a `TypeError` unless `value` is a boolean or `undefined`. */
export function assertOptionalBoolean(
  value: unknown,
  name: string,
): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`"${name}" must be a boolean`)
  }
}

/**
 * Throws a `TypeError` unless `value` is a number, and a `RangeError` unless it is an integer in
 * [`min`, `max`].
 */
export function assertInteger(
  value: unknown,
  range: { readonly min: number; readonly max: number },
  name: string,
): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" must be a number`)
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new RangeError(
      `"${name}" must be an integer in [${range.min}, ${range.max}], got ${value}`,
    )
  }
}
