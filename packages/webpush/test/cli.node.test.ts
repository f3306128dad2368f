// The `pushcraft` bin driven as a user would: `node dist/cli/main.js …` in a child process (the
// package is built before its tests run), against files, stdin and @pushcraft/testing's mock push
// service over HTTPS (its CA handed to `--ca`), which verifies VAPID and decrypts what arrives.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importVapidKeys, verifyVapidAuthorization } from '@pushcraft/vapid'
import { decode } from 'jose/base64url'
import {
  createMockPushService,
  decryptPushMessage,
  gone,
  respond,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname
const packageJson = JSON.parse(
  await readFile(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string }

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function pushcraft(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...options.env }, cwd: dir, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(options.input ?? '')
  })
}

let dir: string
let keyFile: string
let publicKey: string
let subscription: PushSubscriptionJSON
let subscriptionFile: string
let service: MockPushService
let caFile: string
const SUBJECT = 'mailto:ops@example.com'

/** A new subscription at the mock push service, bound to the CLI-generated VAPID key. */
function issueSubscription(): Promise<PushSubscriptionJSON> {
  return service.createSubscription({ vapidPublicKey: publicKey })
}

/** What the browser behind `subscription` would read from an `aes128gcm` body. */
async function decryptFor(target: PushSubscriptionJSON, body: Uint8Array): Promise<string> {
  const keys = service.subscriptionKeys(target)!
  const plaintext = await decryptPushMessage(body, { contentEncoding: 'aes128gcm' }, keys)
  return new TextDecoder().decode(plaintext)
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run the build first (pnpm run build)`)
  dir = await mkdtemp(join(tmpdir(), 'pushcraft-cli-'))
  service = await createMockPushService()
  caFile = join(dir, 'ca.pem')
  await writeFile(caFile, service.ca!)
  keyFile = join(dir, 'vapid.pem')
  const generated = await pushcraft(['generate-vapid-keys', '--format', 'pem', '--out', keyFile])
  expect(generated.code).toBe(0)
  publicKey = generated.stdout.trim()
  subscription = await issueSubscription()
  subscriptionFile = join(dir, 'subscription.json')
  await writeFile(subscriptionFile, JSON.stringify(subscription))
})

afterAll(async () => {
  await service.close()
  await rm(dir, { recursive: true, force: true })
})

const vapidArgs = (): string[] => ['--vapid-key', keyFile, '--subject', SUBJECT]

describe('pushcraft: help, version, usage errors', () => {
  it('prints the overview and the exit codes', async () => {
    const run = await pushcraft(['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Usage: pushcraft <command>')
    expect(run.stdout).toMatch(/4\s+the subscription is gone/)
  })

  it.each(['generate-vapid-keys', 'send', 'send-many'])('has --help for %s', async (command) => {
    const run = await pushcraft([command, '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Usage: pushcraft ${command}`)
    expect(run.stdout).toContain('Exit codes')
    const viaHelp = await pushcraft(['help', command])
    expect(viaHelp.stdout).toBe(run.stdout)
  })

  it('prints the version', async () => {
    const run = await pushcraft(['--version'])
    expect(run).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` })
  })

  it('exits 1 on an unknown command or option, naming it', async () => {
    const command = await pushcraft(['frobnicate'])
    expect(command.code).toBe(1)
    expect(command.stderr).toContain('unknown command "frobnicate"')
    const option = await pushcraft(['send', '--frobnicate'])
    expect(option.code).toBe(1)
    expect(option.stderr).toContain('--frobnicate')
    expect(option.stderr).toContain('pushcraft send --help')
    expect((await pushcraft([])).code).toBe(1)
  })
})

describe('pushcraft generate-vapid-keys', () => {
  it('prints raw base64url keys by default that import back', async () => {
    const run = await pushcraft(['generate-vapid-keys'])
    expect(run.code).toBe(0)
    const [, publicLine, , , privateLine] = run.stdout.trim().split('\n')
    const keys = await importVapidKeys({ privateKey: privateLine!, publicKey: publicLine! })
    expect(keys.applicationServerKey).toBe(publicLine)
    expect(decode(publicLine!)).toHaveLength(65)
  })

  it('prints JSON, PEM, SEC 1 PEM, DER and JWK forms that import back', async () => {
    const json = JSON.parse((await pushcraft(['generate-vapid-keys', '--format', 'json'])).stdout)
    expect((await importVapidKeys(json.privateKey)).applicationServerKey).toBe(json.publicKey)

    const pem = (await pushcraft(['generate-vapid-keys', '--format', 'pem'])).stdout
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----BEGIN PUBLIC KEY-----/)
    await importVapidKeys(pem.slice(0, pem.indexOf('-----BEGIN PUBLIC KEY-----')))

    const sec1 = (await pushcraft(['generate-vapid-keys', '-f', 'sec1-pem'])).stdout
    expect(sec1).toContain('-----BEGIN EC PRIVATE KEY-----')

    const der = (await pushcraft(['generate-vapid-keys', '--format', 'der'])).stdout
      .trim()
      .split('\n')
    await importVapidKeys(der.at(-1)!)

    const jwk = JSON.parse((await pushcraft(['generate-vapid-keys', '--format', 'jwk'])).stdout)
    expect(jwk.privateKey).toMatchObject({ kty: 'EC', crv: 'P-256' })
    await importVapidKeys(jwk.privateKey)
  })

  it('writes the private key to --out with mode 0600 and prints only the public key', async () => {
    const out = join(dir, 'raw.key')
    const run = await pushcraft(['generate-vapid-keys', '--out', out])
    expect(run.code).toBe(0)
    const privateKey = (await readFile(out, 'utf8')).trim()
    expect((await stat(out)).mode & 0o777).toBe(0o600)
    expect(run.stdout).not.toContain(privateKey)
    const keys = await importVapidKeys(privateKey)
    expect(run.stdout.trim()).toBe(keys.applicationServerKey)
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
  })

  it('never overwrites an existing key file (exit 2)', async () => {
    const run = await pushcraft(['generate-vapid-keys', '--out', keyFile])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('already exists')
  })

  it('rejects an unknown format (exit 1)', async () => {
    expect((await pushcraft(['generate-vapid-keys', '--format', 'xml'])).code).toBe(1)
  })
})

describe('pushcraft send --dry-run / --curl', () => {
  it('prints the request it would send', async () => {
    const before = service.stats
    const run = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'hello',
      ...vapidArgs(),
      '--ttl',
      '60',
      '--urgency',
      'high',
      '--topic',
      'inbox',
      '--dry-run',
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe(`POST ${subscription.endpoint}`)
    expect(lines).toEqual(
      expect.arrayContaining([
        'ttl: 60',
        'urgency: high',
        'topic: inbox',
        'content-encoding: aes128gcm',
      ]),
    )
    expect(run.stdout).toMatch(/^authorization: vapid t=.+, k=/m)
    expect(run.stdout).toMatch(/\(\d+-byte encrypted body\)/)
    expect(service.stats).toEqual(before)
  })

  it('prints JSON with a body the subscriber decrypts; the subscription may come on stdin', async () => {
    const run = await pushcraft(
      ['send', '-p', 'über stdin', ...vapidArgs(), '--dry-run', '--json'],
      {
        input: await readFile(subscriptionFile, 'utf8'),
      },
    )
    expect(run.code).toBe(0)
    const request = JSON.parse(run.stdout)
    expect(await decryptFor(subscription, decode(request.body))).toBe('über stdin')
    const verified = await verifyVapidAuthorization(
      { authorization: request.headers.authorization },
      { audience: service.origin, publicKey },
    )
    expect(verified.claims.sub).toBe(SUBJECT)
  })

  it('reads the VAPID key from PUSHCRAFT_VAPID_KEY and uses the legacy encoding on request', async () => {
    const pem = await readFile(keyFile, 'utf8')
    const run = await pushcraft(
      ['send', '-s', subscriptionFile, '-p', 'x', '--encoding', 'aesgcm', '--dry-run'],
      { env: { PUSHCRAFT_VAPID_KEY: pem, PUSHCRAFT_VAPID_SUBJECT: SUBJECT } },
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('content-encoding: aesgcm')
    expect(run.stdout).toMatch(/^authorization: WebPush /m)
  })

  it('prints a runnable curl command and writes the body to a file', async () => {
    const bodyFile = join(dir, 'body.bin')
    const run = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'curl me',
      ...vapidArgs(),
      '--curl',
      '--body-file',
      bodyFile,
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^curl --include --request POST /)
    expect(run.stdout).toContain(`--data-binary @'${bodyFile}'`)
    expect(run.stdout).toContain(`'${subscription.endpoint}'`)
    expect(run.stderr).toContain(bodyFile)
    expect(await decryptFor(subscription, new Uint8Array(await readFile(bodyFile)))).toBe('curl me')
    expect((await stat(bodyFile)).mode & 0o777).toBe(0o600)
  })
})

describe('pushcraft send: bad input gives a clear message and a non-zero exit', () => {
  it('a subscription without keys (exit 2)', async () => {
    const file = join(dir, 'no-keys.json')
    await writeFile(file, JSON.stringify({ endpoint: subscription.endpoint }))
    const run = await pushcraft(['send', '-s', file, '-p', 'x', ...vapidArgs(), '--dry-run'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('"keys" is missing')
    expect(run.stderr).toContain('ERR_WEBPUSH_INVALID_SUBSCRIPTION')
  })

  it('a malformed subscription (exit 2)', async () => {
    const notJson = await pushcraft(['send', '-p', 'x', ...vapidArgs()], { input: '{"endpoint": ' })
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toContain('not valid JSON')

    const file = join(dir, 'short-auth.json')
    await writeFile(
      file,
      JSON.stringify({ ...subscription, keys: { ...subscription.keys, auth: 'AAAA' } }),
    )
    const shortAuth = await pushcraft(['send', '-s', file, '-p', 'x', ...vapidArgs()])
    expect(shortAuth.code).toBe(2)
    expect(shortAuth.stderr).toContain('keys.auth')

    const http = join(dir, 'http.json')
    await writeFile(http, JSON.stringify({ ...subscription, endpoint: 'http://push.example/x' }))
    expect(
      (await pushcraft(['send', '-s', http, '-p', 'x', ...vapidArgs(), '--dry-run'])).code,
    ).toBe(2)
  })

  it('a 4097-byte payload (exit 2)', async () => {
    const before = service.stats
    const payloadFile = join(dir, 'big.txt')
    await writeFile(payloadFile, 'a'.repeat(4097))
    const run = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '--payload-file',
      payloadFile,
      ...vapidArgs(),
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('ERR_WEBPUSH_PAYLOAD_TOO_LARGE')
    expect(run.stderr).toMatch(/4096|3993/)
    expect(service.stats).toEqual(before)
  })

  it('missing VAPID key or subject (exit 1), unreadable or garbage key (exit 2)', async () => {
    const noKey = await pushcraft(['send', '-s', subscriptionFile, '-p', 'x', '--dry-run'])
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toContain('missing VAPID key')
    const noSubject = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'x',
      '--vapid-key',
      keyFile,
    ])
    expect(noSubject.code).toBe(1)
    expect(noSubject.stderr).toContain('missing VAPID subject')
    const garbage = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'x',
      '--vapid-key',
      'not-a-key',
      '--subject',
      SUBJECT,
    ])
    expect(garbage.code).toBe(2)
    expect(garbage.stderr).toContain('ERR_VAPID_INVALID_KEY')
    const missingFile = await pushcraft([
      'send',
      '-s',
      join(dir, 'nope.json'),
      '-p',
      'x',
      ...vapidArgs(),
    ])
    expect(missingFile.code).toBe(2)
    expect(missingFile.stderr).toContain('ENOENT')
  })

  it('malformed option values (exit 1)', async () => {
    for (const args of [
      ['--ttl', '-5'],
      ['--ttl', 'soon'],
      ['--urgency', 'urgent'],
      ['--encoding', 'gzip'],
      ['--topic', 'has spaces!'],
    ]) {
      const run = await pushcraft([
        'send',
        '-s',
        subscriptionFile,
        '-p',
        'x',
        ...vapidArgs(),
        '--dry-run',
        ...args,
      ])
      expect(run.code, args.join(' ')).toBe(1)
      expect(run.stderr).not.toBe('')
    }
  })
})

describe('pushcraft send: against the mock HTTPS push service', () => {
  it('delivers and prints the result (exit 0)', async () => {
    service.reset()
    const run = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'for real',
      ...vapidArgs(),
      '--ca',
      caFile,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // The mock verified the VAPID token (signed with the key file) and decrypted the body.
    const message = await service.nextMessage()
    expect(message.text()).toBe('for real')
    expect(message.vapid?.claims.sub).toBe(SUBJECT)
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 201,
      messageId: message.id,
      attempts: 1,
    })
  })

  it('exits 4 for a gone subscription and 3 for a refusal', async () => {
    const goneFile = join(dir, 'gone.json')
    const expired = await issueSubscription()
    service.behave(expired, gone(410))
    await writeFile(goneFile, JSON.stringify(expired))
    const goneRun = await pushcraft([
      'send',
      '-s',
      goneFile,
      '-p',
      'x',
      ...vapidArgs(),
      '--ca',
      caFile,
    ])
    expect(goneRun.code).toBe(4)
    expect(goneRun.stderr).toContain('410 (gone)')

    const badFile = join(dir, 'bad.json')
    const refused = await issueSubscription()
    service.behave(
      refused,
      respond({
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"reason":"BadWebPushTopic"}',
      }),
    )
    await writeFile(badFile, JSON.stringify(refused))
    const badRun = await pushcraft([
      'send',
      '-s',
      badFile,
      '-p',
      'x',
      ...vapidArgs(),
      '--ca',
      caFile,
    ])
    expect(badRun.code).toBe(3)
    expect(badRun.stderr).toContain('BadWebPushTopic')
  })

  it('exits 5 when the request cannot complete (untrusted certificate)', async () => {
    const run = await pushcraft([
      'send',
      '-s',
      subscriptionFile,
      '-p',
      'x',
      ...vapidArgs(),
      '--timeout',
      '5000',
    ])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('ERR_WEBPUSH_REQUEST_FAILED')
  })
})

describe('pushcraft send-many', () => {
  it('streams a JSON-lines file, one result line each, progress on stderr (exit 6 on failures)', async () => {
    service.reset()
    const [first, expired, third, fourth] = await Promise.all(
      [1, 2, 3, 4].map(() => issueSubscription()),
    )
    service.behave(expired!, gone(410))
    const lines = [
      JSON.stringify(first),
      '',
      JSON.stringify(expired),
      '{ not json',
      JSON.stringify(third),
      JSON.stringify({ endpoint: fourth!.endpoint }),
    ]
    const file = join(dir, 'subs.jsonl')
    await writeFile(file, `${lines.join('\n')}\n`)
    const run = await pushcraft([
      'send-many',
      '--subscriptions',
      file,
      '-p',
      'bulk',
      ...vapidArgs(),
      '--ca',
      caFile,
      '--concurrency',
      '2',
    ])
    expect(run.code).toBe(6)
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(results).toHaveLength(5)
    const byLine = new Map(results.map((result) => [result.line, result]))
    expect(byLine.get(1)).toMatchObject({ ok: true, status: 201 })
    expect(byLine.get(3)).toMatchObject({ ok: false, gone: true, status: 410 })
    expect(byLine.get(4)).toMatchObject({ ok: false, error: { code: 'ERR_CLI_INVALID_JSON' } })
    expect(byLine.get(5)).toMatchObject({ ok: true })
    expect(byLine.get(6)).toMatchObject({
      ok: false,
      error: { code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION' },
    })
    expect(run.stderr).toContain('done: 5 messages, 2 ok, 3 failed')
    const delivered = await service.waitForMessages(2)
    expect(delivered.map((message) => [message.endpoint, message.text()]).sort()).toEqual(
      [
        [first!.endpoint, 'bulk'],
        [third!.endpoint, 'bulk'],
      ].sort(),
    )
  })

  it('exits 0 when every message was accepted, reading stdin', async () => {
    service.reset()
    const input = (await Promise.all([1, 2, 3].map(() => issueSubscription())))
      .map((target) => JSON.stringify(target))
      .join('\n')
    const run = await pushcraft(
      ['send-many', '--subscriptions', '-', '-p', 'hi', ...vapidArgs(), '--ca', caFile, '--quiet'],
      { input },
    )
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(3)
    expect((await service.waitForMessages(3)).map((message) => message.text())).toEqual([
      'hi',
      'hi',
      'hi',
    ])
    expect(run.stderr).toBe('')
  })

  it('needs --subscriptions (exit 1) and a readable file (exit 2)', async () => {
    expect((await pushcraft(['send-many', '-p', 'x', ...vapidArgs()])).code).toBe(1)
    const missing = await pushcraft([
      'send-many',
      '--subscriptions',
      join(dir, 'none.jsonl'),
      '-p',
      'x',
      ...vapidArgs(),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('ENOENT')
  })
})
