// Key rotation: new subscriptions get the current key; messages to older subscriptions are
// signed with the key they were created with.
import { createVapidAuthorization, VapidKeyring, VapidTokenCache } from '@pushcraft/vapid'

declare const config: { vapidKeys: Record<string, string>; currentKeyId: string }
declare const subscription: { endpoint: string; vapidKeyId: string }

const keyring = await VapidKeyring.import({ keys: config.vapidKeys, current: config.currentKeyId })
const cache = new VapidTokenCache()

// When a browser subscribes, store keyring.currentId with the subscription.
export const subscribeWith = { id: keyring.currentId, key: keyring.current.applicationServerKey }

const keys = keyring.get(subscription.vapidKeyId) ?? keyring.current
const vapid = await createVapidAuthorization({
  keys,
  audience: new URL(subscription.endpoint).origin,
  subject: 'https://example.com/contact',
  cache,
})
console.log(vapid.authorization)
