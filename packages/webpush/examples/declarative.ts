// Declarative Web Push (Safari 18.4+): the browser shows the notification without a service worker.
import {
  buildDeclarativePushMessage,
  buildPushRequest,
  type PushSubscriptionJSON,
} from '@pushcraft/webpush'
import type { VapidKeys } from '@pushcraft/vapid'

declare const subscription: PushSubscriptionJSON
declare const keys: VapidKeys

const message = buildDeclarativePushMessage({
  notification: {
    title: 'Ada emailed ‘London’',
    body: 'Did you hear about the tube strikes?',
    navigate: 'https://email.example/message/12',
    actions: [
      { action: 'archive', title: 'Archive', navigate: 'https://email.example/archive/12' },
    ],
  },
  appBadge: 3,
})

const request = await buildPushRequest(subscription, JSON.stringify(message), {
  vapid: { keys, subject: 'mailto:push@example.com' },
})
console.log(request.headers['content-encoding']) // 'aes128gcm'
