/**
 * Queue-mode test helpers: the Redis server of the global setup, worker processes spawned from the
 * built `dist/worker.js` (as `./run worker` runs them), job counts straight from BullMQ, and a bulk
 * seed of subscriptions issued by a mock push service.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import type { PushSubscriptionJSON } from '@pushcraft/testing'
import { Queue } from 'bullmq'
import { inject } from 'vitest'

import { PLAN_QUEUE, PUSH_SERVICES, sendQueueName } from '../../src/queue/queues.js'
import type { Store } from '../../src/store/store.js'

export const workerScript = fileURLToPath(new URL('../../dist/worker.js', import.meta.url))

/** The URL of the test Redis server; throws the install hint when there is none. */
export function redisUrl(): string {
  const redis = inject('redis')
  if (redis.url === undefined) throw new Error(redis.error)
  return redis.url
}

export function assertWorkerBuilt(): void {
  if (!existsSync(workerScript)) {
    throw new Error(
      `${workerScript} is missing: build first (pnpm --filter @pushcraft/server run build)`,
    )
  }
}

export interface WorkerRun {
  readonly child: ChildProcess
  stdout: string
  stderr: string
  readonly exited: Promise<number | null>
  /** Resolves once the banner is printed (the worker consumes its queues). */
  ready(timeoutMs?: number): Promise<void>
}

export function spawnWorker(env: Record<string, string>): WorkerRun {
  const child = spawn(process.execPath, [workerScript], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run: WorkerRun = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        resolve(signal === null ? code : null)
      })
    }),
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (!run.stdout.includes('broadcast worker is running')) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          throw new Error(`the worker did not start; stdout: ${run.stdout}; stderr: ${run.stderr}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
  child.stdout?.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()))
  return run
}

/** Jobs by queue and state, read from Redis. */
export async function jobCounts(
  url: string,
  prefix: string,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {}
  for (const name of [PLAN_QUEUE, ...PUSH_SERVICES.map(sendQueueName)]) {
    const queue = new Queue(name, { connection: { url }, prefix })
    try {
      out[name] = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
        'failed',
      )
    } finally {
      await queue.close()
    }
  }
  return out
}

/** Stores the subscriptions of a mock push service, bound to the server's VAPID key id. */
export async function seed(
  store: Store,
  subscriptions: readonly PushSubscriptionJSON[],
  vapidKeyId: string,
): Promise<void> {
  await store.addSubscriptions(
    subscriptions.map((s) => ({
      endpoint: s.endpoint,
      p256dh: s.keys.p256dh,
      auth: s.keys.auth,
      encoding: 'aes128gcm' as const,
      vapidKeyId,
    })),
  )
}

export async function waitUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
