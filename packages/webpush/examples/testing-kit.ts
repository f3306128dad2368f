// Test your sending code end to end with @pushcraft/testing: a local push service that verifies
// VAPID, decrypts what arrives, and answers like FCM, Mozilla autopush, Apple or WNS.
import { createMockPushService, gone, serviceAnswer } from '@pushcraft/testing'
import { generateVapidKeys } from '@pushcraft/vapid'
import { PushServiceError, sendPushMessage } from '@pushcraft/webpush'

const service = await createMockPushService() // HTTPS on 127.0.0.1:<port>, its own certificate
const dispatcher = service.createDispatcher() // an undici Agent that trusts it
const keys = await generateVapidKeys()
const vapid = { keys, subject: 'mailto:push@example.com' }
const subscription = await service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })

await sendPushMessage(subscription, JSON.stringify({ title: 'Hello' }), { vapid, dispatcher })
const message = await service.nextMessage({ timeout: 2000 }) // VAPID verified, body decrypted
console.log(message.json(), message.vapid?.claims.sub) // { title: 'Hello' } 'mailto:push@example.com'

// Scripted answers, in the real services' shapes: FCM's key-mismatch text, a gone subscription…
service.behave(subscription, serviceAnswer('vapidKeyMismatch', { service: 'fcm' }), { times: 1 })
service.behave(subscription, gone(410))
for (let attempt = 0; attempt < 2; attempt++) {
  await sendPushMessage(subscription, 'hi', { vapid, dispatcher }).catch((error: unknown) => {
    if (error instanceof PushServiceError) console.log(error.kind, error.isGone)
  }) // 'vapidKeyMismatch' false, then 'gone' true
}

await dispatcher.close()
await service.close()
