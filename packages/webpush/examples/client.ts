// A long-lived PushClient: pooled keep-alive connections (HTTP/2 where offered), defaults for
// every message, and bulk sending with bounded concurrency.
import { importVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
import { PushClient, PushServiceError, type PushSubscriptionJSON } from '@pushcraft/webpush'

declare function allSubscriptions(): AsyncIterable<PushSubscriptionJSON & { id: number }>
declare function deleteSubscription(id: number): Promise<void>

const client = new PushClient({
  vapid: {
    keys: await importVapidKeys(process.env.VAPID_PRIVATE_KEY ?? ''),
    subject: 'mailto:push@example.com',
    cache: new VapidTokenCache(), // sign once per push service, not once per message
  },
  ttl: 86_400,
  connections: 32, // per push service origin
  timeout: 15_000,
  retry: { maxAttempts: 4 },
  hooks: {
    onRequestEnd: (event) => {
      console.log(event.origin, event.outcome, event.statusCode, `${event.duration.toFixed(0)} ms`)
    },
  },
})

const controller = new AbortController()
process.once('SIGINT', () => {
  controller.abort()
})

try {
  for await (const item of client.sendMany(allSubscriptions(), 'Maintenance at 22:00', {
    concurrency: 256, // in flight overall
    concurrencyPerOrigin: 32, // in flight per push service
    signal: controller.signal,
    onProgress: (p) => {
      if (p.completed % 10_000 === 0) console.log(`${p.completed} sent, ${p.gone} gone`)
    },
  })) {
    // Failures are results, not exceptions: delete what is gone, log the rest.
    if (item.ok) continue
    if (item.error instanceof PushServiceError && item.error.isGone) {
      await deleteSubscription(item.subscription.id)
    } else console.log(item.subscription.id, item.error.code, item.error.message)
  }
} finally {
  await client.close()
}
