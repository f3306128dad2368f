// toCurl(): the printed command is run with the real curl against a local push endpoint on
// listen(0), which decrypts what arrives (pywebpush's curl mode, checked end to end).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateVapidKeys, verifyVapidAuthorization } from '@pushcraft/vapid'
import { buildPushRequest, toCurl, type PushRequest } from '../src/request.ts'
import { createUserAgent, receivePushMessage, type UserAgent } from './helpers/receiver.ts'

const run = promisify(execFile)

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Uint8Array
}

let server: Server
let origin: string
let dir: string
let ua: UserAgent
const received: Received[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushcraft-curl-'))
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: new Uint8Array(Buffer.concat(chunks)),
      })
      response.writeHead(201, { location: '/message/1' }).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ua = await createUserAgent(`${origin}/push/abc?token=a%2Bb'c`)
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

async function curl(
  request: PushRequest,
  bodyFile?: string,
): Promise<{ stdout: string; got: Received }> {
  const command = toCurl(request, bodyFile === undefined ? {} : { bodyFile })
  // The command runs in `dir`, so a relative body file lives there too.
  if (command.body !== null) await writeFile(resolve(dir, command.bodyFile!), command.body)
  received.length = 0
  const { stdout } = await run('sh', ['-c', command.command], { cwd: dir })
  expect(received).toHaveLength(1)
  return { stdout, got: received[0]! }
}

describe('toCurl', () => {
  it('prints a command that delivers a message the user agent decrypts', async () => {
    const keys = await generateVapidKeys()
    const request = await buildPushRequest(ua.subscription, "it's a message", {
      allowHttp: true,
      vapid: { keys, subject: 'mailto:push@example.com' },
      urgency: 'high',
      topic: 'curl-test',
      headers: { 'X-Quote': "it's quoted" },
    })
    const bodyFile = join(dir, 'body file.bin')
    const { stdout, got } = await curl(request, bodyFile)
    expect(stdout).toMatch(/^HTTP\/1\.1 201/)
    expect(got.method).toBe('POST')
    const endpoint = new URL(ua.subscription.endpoint)
    expect(got.url).toBe(`${endpoint.pathname}${endpoint.search}`)
    expect(request.url).toBe(endpoint.href)
    expect(got.headers['ttl']).toBe('2419200')
    expect(got.headers['urgency']).toBe('high')
    expect(got.headers['topic']).toBe('curl-test')
    expect(got.headers['x-quote']).toBe("it's quoted")
    expect(got.headers['content-length']).toBe(String(request.body!.length))
    const message = await receivePushMessage(
      { headers: got.headers as Record<string, string>, body: got.body },
      ua,
    )
    expect(new TextDecoder().decode(message!)).toBe("it's a message")
    await verifyVapidAuthorization(
      { authorization: got.headers.authorization! },
      { audience: origin },
    )
  })

  it('reads an aesgcm body from the default file name', async () => {
    const request = await buildPushRequest(ua.subscription, 'legacy', {
      allowHttp: true,
      contentEncoding: 'aesgcm',
    })
    const command = toCurl(request)
    expect(command.bodyFile).toBe('push-body.bin')
    expect(command.command).toContain("--data-binary @'push-body.bin'")
    const { got } = await curl(request)
    const message = await receivePushMessage(
      { headers: got.headers as Record<string, string>, body: got.body },
      ua,
    )
    expect(new TextDecoder().decode(message!)).toBe('legacy')
  })

  it('a message without payload has no body file and sends Content-Length: 0', async () => {
    const request = await buildPushRequest(ua.subscription, null, { allowHttp: true, ttl: 0 })
    const command = toCurl(request)
    expect(command.body).toBeNull()
    expect(command.bodyFile).toBeNull()
    expect(command.command).not.toContain('--data-binary')
    const { got } = await curl(request)
    expect(got.headers['content-length']).toBe('0')
    expect(got.headers['ttl']).toBe('0')
    expect(got.body).toHaveLength(0)
  })

  it('refuses a non-request and an empty file name (TypeError)', async () => {
    expect(() => toCurl({} as PushRequest)).toThrow(TypeError)
    const request = await buildPushRequest(ua.subscription, 'x', { allowHttp: true })
    expect(() => toCurl(request, { bodyFile: '' })).toThrow(TypeError)
  })
})
