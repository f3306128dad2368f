import webpush from 'web-push'
import { createECDH, randomBytes } from 'node:crypto'
import { buildPushRequest } from './dist/request-entry.js'
import { encryptPayload } from './dist/internal/encryption.js'
import { encrypt } from '@pushcraft/ece'
import { generateVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
const e = createECDH('prime256v1'); e.generateKeys()
const sub = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys: { p256dh: e.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') } }
const v = webpush.generateVAPIDKeys()
const payload = 'x'.repeat(100)
const N = 3000
function cpu(fnName, t0) { const u = process.cpuUsage(t0); return (u.user + u.system) / N }
let t0 = process.cpuUsage()
for (let i = 0; i < N; i++) webpush.generateRequestDetails(sub, payload, { TTL: 60, vapidDetails: { subject: 'mailto:a@b.com', ...v } })
const wp = cpu('wp', t0)
const keys = await generateVapidKeys(); const cache = new VapidTokenCache()
const opts = { ttl: 60, vapid: { keys, subject: 'mailto:a@b.com', cache } }
async function run(fn, conc = 16) {
  for (let i = 0; i < 300; i++) await fn()
  const t0 = process.cpuUsage(); let i = 0
  await Promise.all(Array.from({ length: conc }, async () => { while (i++ < N) await fn() }))
  return cpu('', t0)
}
const ours = await run(() => buildPushRequest(sub, payload, opts)); const { validateSubscription } = await import('./dist/request-entry.js'); const vs = validateSubscription(sub); const oursV = await run(() => buildPushRequest(vs, payload, opts)); console.log('validated', oursV.toFixed(0))
const ua = new Uint8Array(e.getPublicKey()), auth = randomBytes(16), pt = new Uint8Array(100)
const encOnly = await run(() => encryptPayload({ userAgentPublicKey: ua, authSecret: auth, plaintext: pt, contentEncoding: 'aes128gcm', padding: 0 }))
const eceOnly = await run(() => encrypt(pt, { key: auth, keyId: ua, recordSize: 4096 }))
console.log(`CPU us/req: web-push ${wp.toFixed(0)}, ours ${ours.toFixed(0)} (encryptPayload ${encOnly.toFixed(0)}, ece.encrypt ${eceOnly.toFixed(0)}), ratio ${(wp/ours).toFixed(2)}x`)
