// Send one message with undici and act on the classified answer.
import { importVapidKeys } from '@pushcraft/vapid'
import { PushServiceError, sendPushMessage, type PushSubscriptionJSON } from '@pushcraft/webpush'

declare const subscription: PushSubscriptionJSON
declare const deleteSubscription: (endpoint: string) => Promise<void>

const keys = await importVapidKeys(process.env.VAPID_PRIVATE_KEY ?? '') // PEM, DER or raw

try {
  const result = await sendPushMessage(subscription, JSON.stringify({ title: 'Hello' }), {
    vapid: { keys, subject: 'mailto:push@example.com' },
    ttl: 3600,
    urgency: 'high',
    timeout: 10_000, // per attempt, ms
    retry: true, // 429/5xx/network: backoff with jitter, Retry-After honoured
  })
  console.log(result.status, result.messageId, result.ttl) // 201 '0:17…' 3600
} catch (error) {
  if (error instanceof PushServiceError) {
    if (error.isGone)
      await deleteSubscription(subscription.endpoint) // 404/410
    else if (error.kind === 'vapidKeyMismatch') console.log('ask the browser to resubscribe')
    else console.log(error.statusCode, error.kind, error.reason, error.retryAfter)
  } else throw error // ERR_WEBPUSH_REQUEST_FAILED (network, timeout), invalid input, …
}
