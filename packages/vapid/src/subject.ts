/**
 * The `sub` claim of a VAPID token: a contact URI for the application server operator, `mailto:`
 * or `https:` (RFC 8292 §2.1).
 *
 * @module
 */

import { parseUrl } from './internal/url.js'

// Contacts a push service operator cannot reach. Apple's push service answers 403 BadJwtToken for
// them, so they are rejected up front.
function isLocalHost(host: string): boolean {
  const name = host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '')
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(name) ||
    name === '::1' ||
    name === '0.0.0.0'
  )
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

function invalid(reason: string): TypeError {
  return new TypeError(`"subject" ${reason} (RFC 8292 §2.1)`)
}

/**
 * Checks a VAPID contact (`sub`, RFC 8292 §2.1) the way strict push services do, and returns it
 * unchanged.
 *
 * Rules: a string starting with `mailto:` followed by an address `local@domain`, or an `https:`
 * URL; no whitespace anywhere (Apple rejects `mailto: admin@example.com`); no `localhost` or
 * loopback contacts (Apple rejects them).
 *
 * @param subject - The contact URI, for example `'mailto:push@example.com'`.
 * @returns `subject`.
 * @throws `TypeError` when the subject breaks a rule: it is developer configuration, so this is
 *   misuse, not bad data.
 * @example
 *
 * ```ts
 * import { validateVapidSubject } from '@pushcraft/vapid'
 *
 * validateVapidSubject('mailto:push@example.com') // ok
 * validateVapidSubject('mailto:me@localhost') // TypeError: Apple refuses localhost contacts
 * ```
 */
export function validateVapidSubject(subject: string): string {
  if (typeof subject !== 'string') throw new TypeError('"subject" must be a string')
  if (/\s/.test(subject) || hasControlCharacter(subject)) {
    throw invalid('must not contain whitespace or control characters')
  }
  if (subject.startsWith('mailto:')) {
    // RFC 6068 §2: addresses before an optional "?" header part; percent-encoding allowed.
    let address: string
    try {
      address = decodeURIComponent(subject.slice(7).split('?')[0] ?? '')
    } catch {
      throw invalid('has invalid percent-encoding')
    }
    // RFC 6068 §2: several addresses may be listed, separated by commas.
    for (const one of address.split(',')) {
      const at = one.lastIndexOf('@')
      if (at <= 0 || at === one.length - 1) {
        throw invalid(
          'must be "mailto:" followed by an e-mail address such as mailto:push@example.com',
        )
      }
      if (isLocalHost(one.slice(at + 1))) {
        throw invalid('must not be a localhost contact: push services (Apple) reject them')
      }
    }
    return subject
  }
  if (subject.startsWith('https:')) {
    const url = parseUrl(subject)
    if (url === undefined || url.hostname === '') throw invalid('must be a valid https: URL')
    if (isLocalHost(url.hostname)) {
      throw invalid('must not be a localhost contact: push services (Apple) reject them')
    }
    return subject
  }
  throw invalid('must be a "mailto:" or "https:" URI')
}
