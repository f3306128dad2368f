// The subscriber page: registers the service worker, shows the permission state, subscribes with
// the server's VAPID key (RFC 8292 §3.2 applicationServerKey) and stores the subscription on the
// server, unsubscribes, and asks the server for a test notification to this browser only.
const $ = (id) => document.getElementById(id)
const ui = {
  support: $('support'),
  permission: $('permission'),
  subscription: $('subscription'),
  subscribe: $('subscribe'),
  test: $('test'),
  status: $('status'),
  appName: $('app-name'),
}

let registration
let vapidKey
let subscription = null
let busy = false

function setField(element, state, text) {
  element.dataset.state = state
  element.textContent = text
}

function say(text, kind = 'info') {
  ui.status.textContent = text
  ui.status.dataset.kind = kind
}

function base64url(buffer) {
  const bytes = new Uint8Array(buffer)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(data.message || `HTTP ${response.status}`)
  return data
}

function encoding() {
  const supported = PushManager.supportedContentEncodings || ['aesgcm']
  return supported.includes('aes128gcm') ? 'aes128gcm' : 'aesgcm'
}

async function saveSubscription(sub) {
  const json = sub.toJSON()
  await api('POST', '/api/push/subscriptions', {
    endpoint: json.endpoint,
    expirationTime: json.expirationTime ?? null,
    keys: json.keys,
    encoding: encoding(),
    applicationServerKey: vapidKey,
  })
}

function render() {
  const permission = Notification.permission
  setField(ui.permission, permission, permission === 'default' ? 'not asked yet' : permission)
  if (subscription) {
    setField(ui.subscription, 'subscribed', 'subscribed')
    ui.subscribe.textContent = 'Disable notifications'
    ui.subscribe.dataset.action = 'unsubscribe'
  } else {
    setField(ui.subscription, 'none', 'not subscribed')
    ui.subscribe.textContent = 'Enable notifications'
    ui.subscribe.dataset.action = 'subscribe'
  }
  ui.subscribe.disabled = busy || permission === 'denied' || !registration
  ui.test.disabled = busy || !subscription
  if (permission === 'denied')
    say('Notifications are blocked for this site: allow them in the browser settings.', 'warn')
}

async function subscribe() {
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') {
    say('Permission was not granted.', 'warn')
    return
  }
  const sub = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: fromBase64url(vapidKey),
  })
  try {
    await saveSubscription(sub)
  } catch (error) {
    await sub.unsubscribe().catch(() => {})
    throw error
  }
  subscription = sub
  say('Subscribed: this browser will get notifications.', 'ok')
}

async function unsubscribe() {
  const endpoint = subscription.endpoint
  await api('DELETE', '/api/push/subscriptions', { endpoint })
  await subscription.unsubscribe()
  subscription = null
  say('Unsubscribed.', 'ok')
}

async function sendTest() {
  const json = subscription.toJSON()
  const result = await api('POST', '/api/push/self-test', {
    endpoint: json.endpoint,
    auth: json.keys.auth,
  })
  if (result.sent) say('Test sent: the notification should appear in a moment.', 'ok')
  else if (result.outcome === 'gone') {
    subscription = null
    say('The push service says this subscription expired. Enable notifications again.', 'warn')
  } else say(`The test could not be delivered (${result.outcome}).`, 'warn')
}

async function run(action) {
  busy = true
  render()
  try {
    await action()
  } catch (error) {
    say(`Error: ${error.message}`, 'error')
  } finally {
    busy = false
    render()
  }
}

async function start() {
  const supported =
    'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
  if (!supported) {
    setField(
      ui.support,
      'unsupported',
      'not supported (on iOS, add this site to the Home Screen first)',
    )
    return
  }
  if (!window.isSecureContext) {
    setField(ui.support, 'insecure', 'needs HTTPS (or localhost)')
    return
  }
  setField(ui.support, 'supported', 'supported')
  const config = await api('GET', '/api/push/vapid-public-key')
  vapidKey = config.publicKey
  ui.appName.textContent = config.appName
  document.title = `${config.appName} — notifications`
  await navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' })
  registration = await navigator.serviceWorker.ready
  document.body.dataset.sw = 'ready'
  subscription = await registration.pushManager.getSubscription()
  if (subscription) {
    const key = subscription.options.applicationServerKey
    if (key && base64url(key) !== vapidKey) {
      // The server's key changed: this subscription can no longer receive our pushes.
      await subscription.unsubscribe()
      subscription = null
      say('The server key changed: enable notifications again.', 'warn')
    } else {
      // Keep the server in sync (idempotent), e.g. after the database was reset.
      await saveSubscription(subscription).catch(() => {})
    }
  }
  if (navigator.permissions) {
    const status = await navigator.permissions.query({ name: 'notifications' }).catch(() => null)
    if (status) status.onchange = render
  }
  ui.subscribe.addEventListener('click', () =>
    run(ui.subscribe.dataset.action === 'unsubscribe' ? unsubscribe : subscribe),
  )
  ui.test.addEventListener('click', () => run(sendTest))
  render()
}

start().catch((error) => {
  setField(ui.support, 'error', 'error')
  say(`Error: ${error.message}`, 'error')
})
