// The service worker: shows a notification for each push message (Push API "push" event) and
// opens its URL on click. Understands the app's JSON ({ title, body, icon, tag, data: { url } })
// and the Declarative Web Push shape ({ "web_push": 8030, "notification": { title, navigate, … } }).
const DEFAULT_URL = '/app/'

self.addEventListener('install', () => {
  self.skipWaiting()
})

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

function parse(data) {
  if (!data) return { title: 'New notification' }
  try {
    return data.json()
  } catch {
    return { title: 'New notification', body: data.text() }
  }
}

function toNotification(message) {
  if (message && message.web_push === 8030 && message.notification) {
    // Declarative Web Push: the browser would show it itself; a service worker shows it the same.
    const n = message.notification
    return {
      title: String(n.title || 'New notification'),
      options: {
        body: n.body,
        icon: n.icon,
        badge: n.badge,
        image: n.image,
        tag: n.tag,
        lang: n.lang,
        dir: n.dir,
        silent: n.silent,
        requireInteraction: n.requireInteraction,
        data: { url: n.navigate || DEFAULT_URL, payload: n.data },
      },
      badge: message.app_badge,
    }
  }
  const data =
    message && typeof message.data === 'object' && message.data !== null ? message.data : {}
  return {
    title: String((message && message.title) || 'New notification'),
    options: {
      body: message && message.body,
      icon: (message && message.icon) || '/app/icon.svg',
      tag: message && message.tag,
      data: { ...data, url: data.url || DEFAULT_URL },
    },
  }
}

self.addEventListener('push', (event) => {
  const { title, options, badge } = toNotification(parse(event.data))
  const work = [self.registration.showNotification(title, options)]
  if (typeof badge === 'number' && 'setAppBadge' in self.navigator) {
    work.push(self.navigator.setAppBadge(badge).catch(() => {}))
  }
  event.waitUntil(Promise.all(work))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  let url
  try {
    url = new URL(
      (event.notification.data && event.notification.data.url) || DEFAULT_URL,
      self.location.origin,
    )
  } catch {
    url = new URL(DEFAULT_URL, self.location.origin)
  }
  // Only our own pages or https sites.
  if (url.origin !== self.location.origin && url.protocol !== 'https:')
    url = new URL(DEFAULT_URL, self.location.origin)
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url.href && 'focus' in client) return client.focus()
      }
      return self.clients.openWindow(url.href)
    }),
  )
})

// The push service replaced the subscription: store the new one (RFC 8030 §7.3 expiry, key change).
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription
      const sub =
        event.newSubscription ||
        (old && (await self.registration.pushManager.subscribe(old.options)))
      if (!sub) return
      const json = sub.toJSON()
      await fetch('/api/push/subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          endpoint: json.endpoint,
          expirationTime: json.expirationTime ?? null,
          keys: json.keys,
        }),
      })
      if (old && old.endpoint !== sub.endpoint) {
        await fetch('/api/push/subscriptions', {
          method: 'DELETE',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ endpoint: old.endpoint }),
        })
      }
    })(),
  )
})
