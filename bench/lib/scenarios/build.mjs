// Scenarios 1 and 2: the node:crypto floor, and building a push request (encryption + VAPID, no
// I/O) with pushcraft and with web-push. Also the layers below: @pushcraft/ece's encrypt against
// its own floor, and @pushcraft/vapid's headers (cached and freshly signed) against ES256.
//
// Asynchronous implementations run with `lanes` operations in flight (WebCrypto uses the thread
// pool); synchronous ones (web-push, the floors) in a tight loop.

import { createRequire } from 'node:module'
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto'

import { encrypt } from '@pushcraft/ece'
import { VapidTokenCache, createVapidAuthorization, importVapidKeys } from '@pushcraft/vapid'
import { buildPushRequest } from '@pushcraft/webpush/request'

import { loadFixtures, payloadFor, subscriptionFor } from '../fixtures.mjs'
import { floorAes128gcm, floorAesgcm, floorEce, floorEs256Signer } from '../floor.mjs'
import { summarize, timed } from '../measure.mjs'

const require = createRequire(import.meta.url)

/** A push service origin for requests that are never sent. */
const ORIGIN = 'https://push.example.net'

async function operation(job, fixtures) {
  const { impl, encoding, payloadSize } = job
  const count = fixtures.receivers.length
  const subscriptions = Array.from({ length: count }, (_, i) =>
    subscriptionFor(fixtures, ORIGIN, 'push', i),
  )
  const text = payloadFor(0, payloadSize)
  const vapidPrivate = Buffer.from(fixtures.vapid.privateKey, 'base64url')
  const vapidPublic = Buffer.from(fixtures.vapid.publicKey, 'base64url')
  const importKeys = () =>
    importVapidKeys({ privateKey: fixtures.vapid.privateKey, publicKey: fixtures.vapid.publicKey })

  switch (impl) {
    case 'pushcraft': {
      // What a user of the library gets: plain subscription JSON (as stored), a string payload,
      // VAPID credentials with the recommended token cache.
      const vapid = {
        keys: await importKeys(),
        subject: fixtures.subject,
        cache: new VapidTokenCache(),
      }
      const options = { vapid, contentEncoding: encoding }
      return {
        sync: false,
        op: (i) => buildPushRequest(subscriptions[i % count], text, options),
      }
    }
    case 'web-push': {
      const webpush = require('web-push')
      const options = {
        vapidDetails: {
          subject: fixtures.subject,
          publicKey: fixtures.vapid.publicKey,
          privateKey: fixtures.vapid.privateKey,
        },
        contentEncoding: encoding,
      }
      // web-push skips encryption for a falsy payload: '' would send no body at all, so the empty
      // payload is passed as an empty Buffer, which it does encrypt.
      const payload = payloadSize === 0 ? Buffer.alloc(0) : text
      return {
        sync: true,
        op: (i) => webpush.generateRequestDetails(subscriptions[i % count], payload, options),
      }
    }
    case 'floor': {
      const plaintext = Buffer.from(text)
      const encryptOne = encoding === 'aesgcm' ? floorAesgcm : floorAes128gcm
      return {
        sync: true,
        op: (i) => {
          const receiver = fixtures.receivers[i % count]
          return encryptOne(receiver.publicKey, receiver.auth, plaintext)
        },
      }
    }
    case 'ece': {
      const plaintext = new TextEncoder().encode(text)
      const key = new Uint8Array(randomBytes(32))
      const keyId = new Uint8Array(vapidPublic)
      return {
        sync: false,
        op: () => encrypt(plaintext, { key, keyId, recordSize: 4096 }),
      }
    }
    case 'ece-node': {
      // ece with a node:crypto AES-128-GCM through its `aead` option (as its README shows).
      const plaintext = new TextEncoder().encode(text)
      const key = new Uint8Array(randomBytes(32))
      const keyId = new Uint8Array(vapidPublic)
      return {
        sync: false,
        op: () => encrypt(plaintext, { key, keyId, recordSize: 4096, aead: nodeAead }),
      }
    }
    case 'floor-ece': {
      const plaintext = Buffer.from(text)
      const key = randomBytes(32)
      return { sync: true, op: () => floorEce(key, vapidPublic, plaintext) }
    }
    case 'vapid-cached': {
      const keys = await importKeys()
      const cache = new VapidTokenCache()
      const options = { keys, audience: ORIGIN, subject: fixtures.subject, cache }
      return { sync: false, op: () => createVapidAuthorization(options) }
    }
    case 'vapid-fresh': {
      const keys = await importKeys()
      const options = { keys, audience: ORIGIN, subject: fixtures.subject }
      return { sync: false, op: () => createVapidAuthorization(options) }
    }
    case 'floor-es256': {
      const signer = floorEs256Signer({
        privateKey: vapidPrivate,
        publicKey: vapidPublic,
        audience: ORIGIN,
        subject: fixtures.subject,
      })
      return { sync: true, op: signer }
    }
    default:
      throw new Error(`unknown build implementation ${String(impl)}`)
  }
}

/**
 * One process compares several implementations of the same case: each is warmed up, then their
 * timed windows alternate (the starting one rotating), so noise from other processes on the
 * machine lands on all of them alike.
 */
export async function run(job) {
  const fixtures = loadFixtures(job.fixtures)
  const subjects = []
  for (const impl of job.impls)
    subjects.push({ impl, ...(await operation({ ...job, impl }, fixtures)) })
  const window = (subject, durationMs) =>
    timed({ op: subject.op, sync: subject.sync, lanes: subject.sync ? 1 : job.lanes, durationMs })
  for (const subject of subjects) await window(subject, job.warmupMs)
  const runs = Object.fromEntries(job.impls.map((impl) => [impl, []]))
  for (let rep = 0; rep < job.reps; rep++) {
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(k + rep) % subjects.length]
      globalThis.gc?.()
      runs[subject.impl].push(summarize(await window(subject, job.durationMs)))
    }
  }
  return { runs }
}

/** AES-128-GCM on node:crypto for ece's `aead` option. */
const nodeAead = {
  importKey: (cek) => ({ type: 'secret', keyObject: createSecretKey(cek) }),
  seal(key, nonce, plaintext) {
    const cipher = createCipheriv('aes-128-gcm', key.keyObject, nonce)
    const sealed = new Uint8Array(plaintext.length + 16)
    sealed.set(cipher.update(plaintext))
    cipher.final()
    sealed.set(cipher.getAuthTag(), plaintext.length)
    return sealed
  },
  open(key, nonce, sealed) {
    const decipher = createDecipheriv('aes-128-gcm', key.keyObject, nonce)
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    const plaintext = Uint8Array.from(decipher.update(sealed.subarray(0, sealed.length - 16)))
    decipher.final()
    return plaintext
  },
}
