// Build a Web Push request with the pure entry and send it with fetch (any runtime).
import { generateVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
import { buildPushRequest, validateSubscription } from '@pushcraft/webpush/request'

const vapid = {
  keys: await generateVapidKeys(), // load yours with importVapidKeys() in real code
  subject: 'mailto:push@example.com',
  cache: new VapidTokenCache(), // one signed token per push service, reused
}

// What the browser posted: PushSubscription.toJSON(). Validate once, before storing it.
declare const requestBody: unknown
const subscription = validateSubscription(requestBody)

const request = await buildPushRequest(subscription, JSON.stringify({ title: 'Hello' }), {
  vapid,
  ttl: 3600, // seconds the push service may keep it (default: 4 weeks)
  urgency: 'high',
  topic: 'inbox', // replaces an undelivered message with the same topic
  padding: { bucket: 256 }, // hide the exact length
})

const response = await fetch(request.url, {
  method: request.method,
  headers: request.headers,
  body: request.body,
  redirect: 'manual', // push services never redirect; do not follow
})
console.log(response.status) // 201
