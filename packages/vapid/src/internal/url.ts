/**
 * `URL.parse` without needing it: it is missing on Node 20 before 20.18 and on older browsers.
 *
 * @module
 */

/** The parsed URL, or `undefined` when `value` is not an absolute URL. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}
