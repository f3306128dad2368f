// Scripted answers: gone, rate limited, failing, slow, or exactly what a real service says.
import {
  createMockPushService,
  delay,
  gone,
  rateLimited,
  serverError,
  serviceAnswer,
} from '@pushcraft/testing'

const service = await createMockPushService()
const subscription = await service.createSubscription()

service.behave(subscription, gone(410)) // and it stays deleted
service.behave(subscription, rateLimited({ retryAfter: 30 }), { times: 2 })
service.behave(subscription.endpoint, serverError(503, { retryAfter: 5 }))
service.behave((request) => request.headers.urgency === 'high', delay(500))
service.behave(subscription, serviceAnswer('vapidKeyMismatch', { service: 'fcm' }))
const handle = service.behave(subscription, serverError(500))
console.log(handle.calls) // how often it answered
handle.remove()
service.reset() // clears messages, rejections and behaviours; keeps subscriptions

await service.close()
