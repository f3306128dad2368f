/**
 * Channel-1 assertions (STYLE §6/§7): developer misuse throws `TypeError` or `RangeError` naming
 * the argument, in the manner of noble's `abytes`.
 *
 * @module
 */

/**
 * Asserts a safe integer within bounds.
 *
 * @param value - The value to check.
 * @param bounds - Inclusive `min` and `max`.
 * @param name - The argument name for the message.
 * @returns The value, typed as a number.
 */
export function assertInteger(
  value: unknown,
  bounds: { readonly min: number; readonly max: number },
  name: string,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`"${name}" must be an integer, got ${describe(value)}`)
  }
  if (value < bounds.min || value > bounds.max) {
    throw new RangeError(`"${name}" must be between ${bounds.min} and ${bounds.max}, got ${value}`)
  }
  return value
}

/**
 * Rejects option keys that are not in the allowed list (STYLE §7: option bags with security
 * meaning reject typos instead of silently ignoring them).
 *
 * @param options - The option bag.
 * @param allowed - The keys this bag takes.
 * @param name - The bag's name for the message.
 */
export function assertKnownKeys(options: object, allowed: ReadonlySet<string>, name: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new TypeError(
        `unknown option "${key}" in ${name}; valid options are ${[...allowed].join(', ')}`,
      )
    }
  }
}

/**
 * A short, secret-free description of a value's type for messages.
 *
 * @param value - Anything.
 * @returns `'null'`, `'array'`, `'Uint8Array'` or the `typeof`.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (value instanceof Uint8Array) return 'Uint8Array'
  return typeof value
}
