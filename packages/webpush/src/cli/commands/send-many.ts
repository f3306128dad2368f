/**
 * `pushcraft send-many`: sends one message to every subscription of a JSON-lines file, with
 * bounded concurrency, a progress line on stderr and one JSON line per result on stdout.
 *
 * @module
 */

import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import type { SendManyProgress, SendManyResult } from '../../bulk.js'
import { PushClient } from '../../client.js'
import { PushServiceError } from '../../response.js'
import type { PushSubscriptionJSON } from '../../subscription.js'
import {
  EXIT,
  InputError,
  MESSAGE_HELP,
  MESSAGE_OPTIONS,
  UsageError,
  clientOptions,
  messageOptions,
  messagePayload,
  readInteger,
  type CliIo,
} from '../shared.js'

export const HELP: string = `Usage: pushcraft send-many --subscriptions <file> [options]

Sends the same message to every subscription of a JSON-lines file (one PushSubscription JSON per
line; blank lines are skipped), streaming: the file is read as sending goes, so it can be large.

Input and output:
      --subscriptions <file>   the JSON-lines file ('-' for stdin)
      --concurrency <n>        messages in flight at most (default 64)
      --per-origin <n>         messages in flight per push service (default 16)
  -q, --quiet                  no progress line on stderr
  -h, --help                   show this help

Each result is one JSON line on stdout: {"line", "endpoint", "ok", "status" | "error"}; gone
subscriptions have "gone": true so you can delete them. A progress line goes to stderr.

${MESSAGE_HELP}

Exit codes:
  0  every message was accepted
  1  usage error
  2  invalid input: unreadable file, bad VAPID key, payload too large
  6  some messages failed (see the JSON lines; bad lines count as failures)
  130 interrupted (Ctrl-C): sends in flight were aborted`

interface Line {
  readonly line: number
  readonly subscription?: PushSubscriptionJSON
  readonly problem?: string
}

export async function sendManyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...MESSAGE_OPTIONS,
      subscriptions: { type: 'string' },
      concurrency: { type: 'string' },
      'per-origin': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`)
    return EXIT.ok
  }
  const file = values.subscriptions
  if (file === undefined) throw new UsageError('missing --subscriptions <file> (JSON lines)')
  if (file === '-' && values['payload-file'] === '-') {
    throw new UsageError('stdin cannot carry both the subscriptions and the payload')
  }
  const concurrency = readInteger(values.concurrency, 'concurrency', 1) ?? 64
  const perOrigin = readInteger(values['per-origin'], 'per-origin', 1) ?? Math.min(16, concurrency)
  const payload = await messagePayload(values, io)
  const options = await messageOptions(values, io, { cacheTokens: true })
  const input = await openLines(file, io)

  const progress = createProgress(io, values.quiet === true)
  let failed = 0
  let succeeded = 0
  // Lines that are not JSON never reach the sender: report them here, in file order.
  async function* subscriptions(): AsyncGenerator<
    Line & { readonly endpoint: string; readonly keys: PushSubscriptionJSON['keys'] }
  > {
    let number = 0
    for await (const text of input()) {
      number += 1
      const trimmed = text.trim()
      if (trimmed === '') continue
      let parsed: unknown
      try {
        parsed = JSON.parse(trimmed) as unknown
      } catch {
        failed += 1
        io.stdout.write(
          `${JSON.stringify({ line: number, ok: false, error: { code: 'ERR_CLI_INVALID_JSON', message: 'not valid JSON' } })}\n`,
        )
        continue
      }
      // The sender validates the rest (ERR_WEBPUSH_INVALID_SUBSCRIPTION becomes a result).
      yield { ...(parsed as PushSubscriptionJSON), line: number }
    }
  }

  const client = new PushClient({
    ...(await clientOptions(values)),
    connections: perOrigin,
  })
  try {
    const results = client.sendMany(subscriptions(), payload, {
      ...options,
      concurrency,
      concurrencyPerOrigin: perOrigin,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      onProgress: (counts) => {
        progress.update(counts, failed)
      },
    })
    for await (const item of results) {
      if (item.ok) succeeded += 1
      else failed += 1
      io.stdout.write(`${resultLine(item)}\n`)
    }
  } catch (error) {
    progress.done(succeeded, failed)
    throw error
  } finally {
    await client.close()
  }
  progress.done(succeeded, failed)
  return failed === 0 ? EXIT.ok : EXIT.partial
}

// Opens the input, but creates the line reader only when iteration starts: readline emits lines
// as soon as it exists, and lines emitted before its async iterator is taken would be lost.
async function openLines(file: string, io: CliIo): Promise<() => AsyncIterable<string>> {
  if (file === '-') {
    return () => createInterface({ input: io.stdin as unknown as Readable, crlfDelay: Infinity })
  }
  const stream = createReadStream(file)
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => {
      resolve()
    })
    stream.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new InputError(`cannot read subscriptions file "${file}": ${error.code ?? error.message}`, {
          cause: error,
        }),
      )
    })
  })
  return () => createInterface({ input: stream, crlfDelay: Infinity })
}

function resultLine(
  item: SendManyResult<PushSubscriptionJSON & { readonly line: number }>,
): string {
  const endpoint =
    typeof item.subscription.endpoint === 'string' ? item.subscription.endpoint : null
  if (item.ok) {
    return JSON.stringify({
      line: item.subscription.line,
      endpoint,
      ok: true,
      status: item.result.status,
      ...(item.result.messageId === undefined ? {} : { messageId: item.result.messageId }),
    })
  }
  const error = item.error
  return JSON.stringify({
    line: item.subscription.line,
    endpoint,
    ok: false,
    ...(error instanceof PushServiceError ? { gone: error.isGone, status: error.statusCode } : {}),
    error: {
      code: error.code,
      ...(error instanceof PushServiceError ? { kind: error.kind } : {}),
      message: error.message,
    },
  })
}

function createProgress(
  io: CliIo,
  quiet: boolean,
): {
  update(counts: SendManyProgress, invalidLines: number): void
  done(ok: number, failed: number): void
} {
  const tty = io.stderr.isTTY === true
  let last = 0
  let shown = 0
  const line = (counts: SendManyProgress, invalidLines: number): string =>
    `sent ${counts.completed + invalidLines} · ok ${counts.succeeded} · failed ${counts.failed + invalidLines}` +
    ` (gone ${counts.gone}) · in flight ${counts.inFlight}`
  return {
    update(counts, invalidLines) {
      if (quiet) return
      const now = Date.now()
      if (tty) {
        if (now - last < 100) return
        last = now
        io.stderr.write(`\r${line(counts, invalidLines)}\u001b[K`)
        shown += 1
      } else if (counts.completed % 1000 === 0 || now - last >= 2000) {
        last = now
        io.stderr.write(`${line(counts, invalidLines)}\n`)
      }
    },
    done(ok, failed) {
      if (quiet) return
      if (tty && shown > 0) io.stderr.write('\r\u001b[K')
      io.stderr.write(`done: ${ok + failed} messages, ${ok} ok, ${failed} failed\n`)
    },
  }
}
