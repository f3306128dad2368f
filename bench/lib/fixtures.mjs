// Inputs shared by every process of one benchmark run: receiver (browser) key pairs, the VAPID
// key pair, and the loopback TLS certificate. The orchestrator writes them once to a temporary
// JSON file; children load that file, so every process of a run works on the same keys.

import { createECDH, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

/** Distinct receiver key pairs; subscription i uses receiver i % RECEIVERS. */
export const RECEIVERS = 64

/** The VAPID `sub` claim (RFC 8292 §2.1) every sender uses. */
export const SUBJECT = 'mailto:bench@example.com'

const b64u = (bytes) => Buffer.from(bytes).toString('base64url')

function p256KeyPair() {
  const ecdh = createECDH('prime256v1')
  const publicKey = ecdh.generateKeys()
  return { privateKey: ecdh.getPrivateKey(), publicKey }
}

/** Generates the fixtures of a run and writes them to `file`. */
export async function createFixtures(file) {
  const receivers = Array.from({ length: RECEIVERS }, () => {
    const { privateKey, publicKey } = p256KeyPair()
    return { d: b64u(privateKey), p256dh: b64u(publicKey), auth: b64u(randomBytes(16)) }
  })
  const vapid = p256KeyPair()
  // Imported here only: children load fixtures without paying for the testing package.
  const { createSelfSignedCertificate } = await import('@pushcraft/testing')
  const cert = await createSelfSignedCertificate({
    hostnames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    commonName: 'pushcraft bench sink',
  })
  const fixtures = {
    receivers,
    vapid: { publicKey: b64u(vapid.publicKey), privateKey: b64u(vapid.privateKey) },
    subject: SUBJECT,
    tls: { cert: cert.cert, key: cert.key },
  }
  writeFileSync(file, JSON.stringify(fixtures))
  return fixtures
}

/**
 * Loads the fixtures written by {@link createFixtures}, with the receivers decoded for the sink:
 * `{ json: { p256dh, auth }, d, publicKey, auth }` (Buffers).
 */
export function loadFixtures(file) {
  const fixtures = JSON.parse(readFileSync(file, 'utf8'))
  const receivers = fixtures.receivers.map((r) => ({
    keys: { p256dh: r.p256dh, auth: r.auth },
    d: Buffer.from(r.d, 'base64url'),
    publicKey: Buffer.from(r.p256dh, 'base64url'),
    auth: Buffer.from(r.auth, 'base64url'),
  }))
  return { ...fixtures, receivers }
}

/** The subscription of message `i` on `origin`, under `prefix` (`m` measured, `w` warm-up). */
export function subscriptionFor(fixtures, origin, prefix, i) {
  return {
    endpoint: `${origin}/${prefix}/${i}`,
    expirationTime: null,
    keys: fixtures.receivers[i % fixtures.receivers.length].keys,
  }
}

/**
 * The payload of message `i`: exactly `size` bytes of ASCII that name the message, so the sink can
 * tell a wrong payload from a right one (`{"i":42,"p":"xxxx…"}`). Sizes below the shortest such
 * text give a prefix of it (0 bytes: the empty payload).
 */
export function payloadFor(i, size) {
  const head = `{"i":${i},"p":"`
  const text = head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '"}'
  return text.length === size ? text : text.slice(0, size)
}
