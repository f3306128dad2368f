/**
 * The built entry point as `./run start` runs it (`node apps/server/dist/main.js`): a fresh start
 * with no configuration, `--env-file`, precise startup errors, and a graceful SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterEach, beforeAll, describe, expect, it } from 'vitest'

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

interface Run {
  readonly child: ChildProcess
  stdout: string
  stderr: string
  readonly exited: Promise<number | null>
}

function run(cwd: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [main, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve(code)
      })
    }),
  }
  child.stdout?.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()))
  return result
}

async function until(r: Run, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const match = pattern.exec(r.stdout)
    if (match !== null) return match
    if (r.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${String(pattern)}; stdout: ${r.stdout}; stderr: ${r.stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

let dir: string
const children: ChildProcess[] = []

beforeAll(() => {
  if (!existsSync(main))
    throw new Error(`${main} is missing: build first (pnpm --filter @pushcraft/server run build)`)
})
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function tmp(): string {
  dir = mkdtempSync(join(tmpdir(), 'pushcraft-start-'))
  return dir
}

describe('node dist/main.js', () => {
  it('starts fresh with no configuration, prints the URL (not the token), stops on SIGTERM', async () => {
    const cwd = tmp()
    const r = run(cwd, [])
    children.push(r.child)
    const [, url] = await until(r, /open {2}(http:\/\/127\.0\.0\.1:\d+)\/app\//)
    const health = await fetch(`${url}/healthz`)
    expect(await health.json()).toEqual({ status: 'ok' })
    const page = await fetch(`${url}/app/`)
    expect(page.status).toBe(200)

    const token = readFileSync(join(cwd, 'data', 'admin-token'), 'utf8').trim()
    expect(statSync(join(cwd, 'data', 'admin-token')).mode & 0o777).toBe(0o600)
    expect(statSync(join(cwd, 'data', 'vapid-private.pem')).mode & 0o777).toBe(0o600)
    expect(existsSync(join(cwd, 'data', 'pushcraft.sqlite'))).toBe(true)
    expect(r.stdout).toContain('data/admin-token')
    expect(r.stdout).toContain('generated a VAPID key pair')
    expect(r.stdout).not.toContain(token)
    const empty = await fetch(`${url}/api/push/send-test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(await empty.json()).toMatchObject({ detail: 'No subscribers yet' })

    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)

    // Second start: same key, same token, nothing regenerated.
    const again = run(cwd, [])
    children.push(again.child)
    await until(again, /open {2}http/)
    expect(again.stdout).not.toContain('generated')
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  })

  it('reads --env-file', async () => {
    const cwd = tmp()
    writeFileSync(join(cwd, 'server.env'), 'APP_NAME=FromEnvFile\nPORT=0\n')
    const r = run(cwd, ['--env-file', 'server.env'])
    children.push(r.child)
    await until(r, /FromEnvFile push server is running/)
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
  })

  it('exits non-zero naming a missing --env-file', async () => {
    // Node itself checks `--env-file` paths anywhere on the command line (exit 9) before our
    // code runs; either way the message names the file.
    const r = run(tmp(), ['--env-file', 'missing.env'])
    children.push(r.child)
    expect(await r.exited).not.toBe(0)
    expect(r.stderr).toContain('missing.env')
  })

  it.each([
    [['--env-file'], {}, 'ERR_CONFIG_ENV_FILE', '--env-file needs a path'],
    [['--port', '80'], {}, 'ERR_CONFIG_ENV_FILE', 'unknown argument "--port"'],
    [
      [],
      { DATABASE_URL: 'mysql://root:hunter2@db/app' },
      'ERR_CONFIG_INVALID',
      'DATABASE_URL: unsupported scheme "mysql:"',
    ],
    [
      [],
      { DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/push' },
      'ERR_DATABASE_UNAVAILABLE',
      'cannot reach postgres://127.0.0.1:1/push',
    ],
    [
      [],
      { DATABASE_URL: 'sqlite:/nonexistent-dir/deeper/push.sqlite' },
      'ERR_DATABASE_UNAVAILABLE',
      'cannot open sqlite:/nonexistent-dir/deeper/push.sqlite',
    ],
    [[], { PORT: 'eighty' }, 'ERR_CONFIG_INVALID', 'PORT: must be an integer'],
    [
      [],
      { VAPID_PRIVATE: 'hunter2-not-a-key' },
      'ERR_VAPID_KEY',
      'VAPID_PRIVATE: not a valid P-256 private key',
    ],
  ])('exits 1 with a precise startup error: %j %j', async (args, env, code, text) => {
    const cwd = tmp()
    const r = run(cwd, args, env)
    children.push(r.child)
    expect(await r.exited).toBe(1)
    expect(r.stderr).toContain(`cannot start (${code})`)
    expect(r.stderr).toContain(text)
    expect(r.stderr).not.toContain('hunter2')
    expect(r.stderr.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(3)
  })
})
