// Key management: generate a key pair once, store it, convert between formats.
import {
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  importVapidPublicKey,
} from '@pushcraft/vapid'

const keys = await generateVapidKeys()

// web-push / pywebpush style strings (store the private one as a secret)
const raw = await exportVapidKeys(keys, { format: 'raw' })
// OpenSSL style PEM
const pem = await exportVapidKeys(keys, { format: 'pkcs8-pem' })

// Later: import from either; the public key is derived from the private key
const again = await importVapidKeys(pem.privateKey)
console.log(again.id === keys.id, raw.publicKey === keys.applicationServerKey)

// The applicationServerKey for PushManager.subscribe() from a stored public key alone
const { applicationServerKey } = await importVapidPublicKey(pem.publicKey)
console.log(applicationServerKey)
