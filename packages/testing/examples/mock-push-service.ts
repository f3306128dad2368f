// The mock push service: your sending code posts to it as it would to FCM or Mozilla; the mock
// verifies VAPID, decrypts, and hands you the message. Any sender works: it only has to trust the
// mock's certificate.
import { createMockPushService, type PushSubscriptionJSON } from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import type { Dispatcher } from 'undici'

// Your code under test (with @pushcraft/webpush it is one sendPushMessage call).
declare function sendWelcome(
  subscription: PushSubscriptionJSON,
  options: { vapidKeys: VapidKeys; dispatcher: Dispatcher },
): Promise<void>

const service = await createMockPushService() // https://127.0.0.1:<port>, self-signed
const vapidKeys = await generateVapidKeys()
const subscription = await service.createSubscription({ vapidPublicKey: vapidKeys.publicKeyBytes })

const dispatcher = service.createDispatcher() // an undici Agent with connect: { ca }
await sendWelcome(subscription, { vapidKeys, dispatcher })

const message = await service.nextMessage({ timeout: 2000 })
console.log(message.json()) // { title: 'Welcome' }
console.log(message.encoding, message.ttl, message.urgency, message.topic) // 'aes128gcm' 86400 …
console.log(message.vapid?.claims.sub) // 'mailto:ops@example.com'

await dispatcher.close()
await service.close()
