// Starting child processes with an IPC channel, and talking to them.

import { fork } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))

/** Node flags for children: `--expose-gc`, plus `--cpu-prof` into `profileDir` when profiling. */
export function childExecArgv({ profileDir, profileName }) {
  const flags = ['--expose-gc']
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true })
    flags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
    if (profileName !== undefined) flags.push(`--cpu-prof-name=${profileName}.cpuprofile`)
  }
  return flags
}

/**
 * Forks `lib/child.mjs` with a job. Returns the child and a `message(type)` helper that resolves
 * with the next IPC message of that type (or rejects when the child reports an error or exits).
 */
export function startChild(job, { env, execArgv = ['--expose-gc'], onMessage } = {}) {
  const child = fork(CHILD, [JSON.stringify(job)], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map()
  const inbox = []
  let ended
  const settleAll = (error) => {
    for (const [, { reject }] of waiting) reject(error)
    waiting.clear()
  }
  child.on('message', (message) => {
    onMessage?.(message)
    if (message.type === 'error') {
      ended = new Error(`${job.scenario} child failed: ${message.message}`)
      settleAll(ended)
      return
    }
    const waiter = waiting.get(message.type)
    if (waiter !== undefined) {
      waiting.delete(message.type)
      waiter.resolve(message)
    } else inbox.push(message)
  })
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      ended ??= new Error(
        `${job.scenario} child exited (${signal ?? `code ${String(code)}`}) before answering`,
      )
      settleAll(ended)
      resolve(code)
    })
  })
  return {
    child,
    exited,
    send: (message) => child.send(message),
    message(type, timeoutMs = 600_000) {
      const index = inbox.findIndex((m) => m.type === type)
      if (index !== -1) return Promise.resolve(inbox.splice(index, 1)[0])
      if (ended !== undefined) return Promise.reject(ended)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(type)
          child.kill('SIGKILL')
          reject(new Error(`${job.scenario} child: no '${type}' within ${timeoutMs} ms`))
        }, timeoutMs)
        waiting.set(type, {
          resolve: (m) => {
            clearTimeout(timer)
            resolve(m)
          },
          reject: (e) => {
            clearTimeout(timer)
            reject(e)
          },
        })
      })
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

/** Runs a job that only answers with a result; resolves with it. */
export async function runJob(job, options = {}) {
  const handle = startChild(job, options)
  try {
    const { result } = await handle.message('result', options.timeoutMs)
    await handle.exited
    return result
  } finally {
    handle.kill()
  }
}
