// The admin page: composes a broadcast, starts it, and follows its progress over Server-Sent
// Events. EventSource cannot send an Authorization header, so the stream is read with fetch().
const $ = (id) => document.getElementById(id)
const token = $('token')
const form = $('compose')
const status = $('status')

token.value = sessionStorage.getItem('pushcraft-admin-token') || ''
token.addEventListener('change', () =>
  sessionStorage.setItem('pushcraft-admin-token', token.value.trim()),
)

function say(text, kind = 'info') {
  status.textContent = text
  status.dataset.kind = kind
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token.value.trim()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(data.message || `HTTP ${response.status}`)
  return data
}

function show(broadcast) {
  $('progress-card').hidden = false
  const done = broadcast.delivered + broadcast.failed + broadcast.removed + broadcast.resubscribe
  const bar = $('progress')
  bar.max = Math.max(1, broadcast.total)
  bar.value = Math.min(done, bar.max)
  const state = $('broadcast-status')
  state.textContent = broadcast.status
  state.dataset.state = broadcast.status
  $('counts').textContent =
    `${done} / ${broadcast.total} — delivered ${broadcast.delivered}, failed ${broadcast.failed}, ` +
    `removed ${broadcast.removed}, resubscribe ${broadcast.resubscribe}, retried ${broadcast.retried}`
}

async function follow(id) {
  const response = await fetch(`/api/push/broadcasts/${id}/events`, {
    headers: { authorization: `Bearer ${token.value.trim()}`, accept: 'text/event-stream' },
  })
  if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    let end
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data += line.slice(5).trim()
      }
      if (data === '') continue
      const broadcast = JSON.parse(data)
      show(broadcast)
      if (event === 'done') {
        say(`Broadcast ${broadcast.status}.`, broadcast.status === 'completed' ? 'ok' : 'warn')
        return
      }
    }
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const fields = new FormData(form)
  const body = { title: String(fields.get('title')) }
  const text = String(fields.get('body') || '')
  if (text) body.body = text
  const url = String(fields.get('url') || '')
  if (url) body.url = url
  const ttl = String(fields.get('ttl') || '')
  if (ttl) body.ttl = Number(ttl)
  const urgency = String(fields.get('urgency') || '')
  if (urgency) body.urgency = urgency
  const topic = String(fields.get('topic') || '')
  if (topic) body.topic = topic
  const tags = String(fields.get('tags') || '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  if (tags.length > 0) body.tags = tags
  if (fields.get('declarative')) body.declarative = true
  $('send').disabled = true
  try {
    const broadcast = await api('POST', '/api/push/broadcasts', body)
    say(`Broadcast ${broadcast.id} started.`)
    show(broadcast)
    await follow(broadcast.id)
  } catch (error) {
    say(`Error: ${error.message}`, 'error')
  } finally {
    $('send').disabled = false
  }
})

$('send-test').addEventListener('click', async () => {
  try {
    const result = await api('POST', '/api/push/send-test')
    say(
      `Test sent: ${result.delivered} delivered, ${result.failed} failed, ${result.removed.length} removed.`,
      'ok',
    )
  } catch (error) {
    say(`Error: ${error.message}`, 'error')
  }
})
