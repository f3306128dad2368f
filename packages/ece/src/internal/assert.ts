/**
 * Argument checks at the public boundary (STYLE §7, noble's `abytes`): `TypeError` for a wrong
 * type, `RangeError` for a wrong size or value. Messages name the argument, never its bytes.
 *
 * @module
 */

/** A short type description for messages: never the value itself. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object'
  }
  return typeof value
}

/**
 * Whether `value` is a `Uint8Array` (or a subclass), also from another realm (noble's check).
 *
 * @internal
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array')
  )
}

/**
 * Asserts that `value` is a `Uint8Array`, optionally of an exact length or a length range.
 *
 * @internal
 */
export function assertBytes(
  value: unknown,
  name: string,
  length?: number | { readonly min?: number; readonly max?: number },
): asserts value is Uint8Array {
  if (!isBytes(value)) throw new TypeError(`"${name}" must be a Uint8Array, got ${describe(value)}`)
  if (length === undefined) return
  if (typeof length === 'number') {
    if (value.length !== length) {
      throw new RangeError(`"${name}" must be ${length} bytes, got ${value.length}`)
    }
    return
  }
  if (length.min !== undefined && value.length < length.min) {
    throw new RangeError(`"${name}" must be at least ${length.min} bytes, got ${value.length}`)
  }
  if (length.max !== undefined && value.length > length.max) {
    throw new RangeError(`"${name}" must be at most ${length.max} bytes, got ${value.length}`)
  }
}

/**
 * Asserts that `value` is an integer in `[min, max]`; `rule` cites the spec in the message.
 *
 * @internal
 */
export function assertInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
  rule = '',
): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`"${name}" must be a number, got ${describe(value)}`)
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const suffix = rule === '' ? '' : ` (${rule})`
    throw new RangeError(
      `"${name}" must be an integer from ${min} to ${max}, got ${value}${suffix}`,
    )
  }
}

/**
 * Asserts that `options` is a plain options object whose keys are all known: a misspelt key
 * with security meaning (`pading`, `recordsize`) must not be silently ignored (STYLE §7).
 *
 * @internal
 */
export function assertOptions(
  options: unknown,
  name: string,
  known: readonly string[],
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`"${name}" must be an object, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `"${name}" has an unknown key "${key}"; valid keys are ${known.map((k) => `"${k}"`).join(', ')}`,
      )
    }
  }
}
