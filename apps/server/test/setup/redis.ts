/**
 * Vitest global setup: a Redis server for the queue-mode suites. Uses `PUSHCRAFT_TEST_REDIS_URL`
 * when given; otherwise starts a throwaway `redis-server` (Debian's `redis-server` package) on
 * 127.0.0.1 and a free port, as the current user, without persistence (`--save '' --appendonly
 * no`), with its working directory in a temporary directory, and stops it afterwards. When
 * redis-server is not installed, the queue suites fail with an install hint (they do not skip).
 *
 * @module
 */

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the test Redis server, or the reason there is none. */
    redis: { url: string; error?: undefined } | { url?: undefined; error: string }
  }
}

const INSTALL_HINT =
  'redis-server is not installed: run `apt-get install -y redis-server` (Debian; ./run test does it as root via scripts/test-services.sh) or set PUSHCRAFT_TEST_REDIS_URL=redis://host:port'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => {
        resolve(port)
      })
    })
  })
}

function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status === 0 && path !== '') return path
  return ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server'].find(
    (p) => existsSync(p),
  )
}

/** Resolves once the server answers PING with PONG. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.write('PING\r\n')
      })
      socket.setTimeout(500)
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('error', () => {
        resolve(false)
      })
      socket.once('timeout', () => {
        socket.destroy()
        resolve(false)
      })
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.PUSHCRAFT_TEST_REDIS_URL
  if (given !== undefined && given !== '') {
    project.provide('redis', { url: given })
    return () => Promise.resolve()
  }
  const binary = findRedisServer()
  if (binary === undefined) {
    project.provide('redis', { error: INSTALL_HINT })
    return () => Promise.resolve()
  }
  const dir = mkdtempSync(join(tmpdir(), 'pushcraft-redis-'))
  const port = await freePort()
  const child = spawn(
    binary,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--protected-mode',
      'yes',
      // BullMQ needs keys never to be evicted.
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve()
    })
  })
  try {
    await Promise.race([
      waitForPong(port, 15_000),
      exited.then(() => {
        throw new Error(`redis-server exited: ${stderr.trim().slice(0, 500)}`)
      }),
    ])
    project.provide('redis', { url: `redis://127.0.0.1:${port}` })
  } catch (error) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    project.provide('redis', {
      error: `could not start a throwaway redis-server: ${(error as Error).message}`,
    })
    return () => Promise.resolve()
  }
  return async () => {
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}
