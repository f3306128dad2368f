/**
 * `pushcraft send`: encrypts and sends one push message, or prints the request (`--dry-run`) or a
 * runnable curl command (`--curl`) instead.
 *
 * @module
 */

import { mkdtemp, open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { encode as encodeBase64Url } from 'jose/base64url'
import { PushClient } from '../../client.js'
import { buildPushRequest, toCurl, type PushRequest } from '../../request.js'
import type { PushResult } from '../../response.js'
import type { PushSubscriptionJSON } from '../../subscription.js'
import {
  EXIT,
  MESSAGE_HELP,
  MESSAGE_OPTIONS,
  UsageError,
  clientOptions,
  messageOptions,
  messagePayload,
  parseJson,
  readSource,
  type CliIo,
} from '../shared.js'

export const HELP: string = `Usage: pushcraft send [options]

Encrypts a message for one subscription (RFC 8291) and posts it to its push service (RFC 8030).

Subscription:
  -s, --subscription <file>  PushSubscription JSON ({"endpoint", "keys": {"p256dh", "auth"}});
                             '-' or omitted: read it from stdin
Output:
      --dry-run              build the request and print it (method, URL, headers, body size);
                             send nothing
      --json                 with --dry-run: print the request as JSON (body in base64url)
      --curl                 print a curl command that sends the request; the encrypted body
                             goes to --body-file
      --body-file <file>     where --curl writes the body (default: a new temporary file)
  -h, --help                 show this help

${MESSAGE_HELP}

On success the result is printed as JSON: {"status", "ttl", "messageId", "location", …}.

Exit codes:
  0  the push service accepted the message (or --dry-run/--curl printed it)
  1  usage error (unknown option, missing --vapid-key/--subject, malformed option value)
  2  invalid input: malformed subscription or missing keys, bad VAPID key, payload too large
     (more than 3993 bytes for aes128gcm), unreadable file
  3  the push service refused the message (400, 401/403, 413, 429, 5xx; reason on stderr)
  4  the subscription is gone (404/410): delete it
  5  the request did not complete (network failure, timeout)

Examples:
  pushcraft send -s subscription.json -p 'Hello' --vapid-key vapid.pem --subject mailto:ops@example.com
  cat subscription.json | pushcraft send -p '{"title":"Hi"}' --ttl 60 --urgency high --dry-run
  pushcraft send -s sub.json -p hi --vapid-key "$KEY" --subject https://example.com --curl`

export async function sendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...MESSAGE_OPTIONS,
      subscription: { type: 'string', short: 's' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      curl: { type: 'boolean' },
      'body-file': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`)
    return EXIT.ok
  }
  if (values['dry-run'] === true && values.curl === true) {
    throw new UsageError('--dry-run and --curl exclude each other')
  }
  if (values.json === true && values['dry-run'] !== true) {
    throw new UsageError('--json goes with --dry-run (a sent message always prints JSON)')
  }
  const source = values.subscription ?? '-'
  if (source === '-' && io.stdin.isTTY === true) {
    throw new UsageError('no subscription: pass --subscription <file>, or pipe the JSON on stdin')
  }
  if (source === '-' && values['payload-file'] === '-') {
    throw new UsageError('stdin cannot carry both the subscription and the payload')
  }
  const subscription = parseJson(await readSource(source, io, 'subscription'), 'the subscription')
  const payload = await messagePayload(values, io)
  const options = await messageOptions(values, io)

  if (values['dry-run'] === true || values.curl === true) {
    // Validation and the 4096-byte budget are checked here, exactly as for a real send.
    const request = await buildPushRequest(subscription as PushSubscriptionJSON, payload, options)
    if (values.curl === true) await printCurl(request, values['body-file'], io)
    else
      io.stdout.write(values.json === true ? `${requestJson(request)}\n` : describeRequest(request))
    return EXIT.ok
  }

  const client = new PushClient(await clientOptions(values))
  try {
    const result = await client.send(subscription as PushSubscriptionJSON, payload, {
      ...options,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    })
    io.stdout.write(`${resultJson(result)}\n`)
    return EXIT.ok
  } finally {
    await client.close()
  }
}

function describeRequest(request: PushRequest): string {
  const lines = [`${request.method} ${request.url}`]
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`)
  lines.push('')
  lines.push(
    request.body === null
      ? '(no body: a message without payload)'
      : `(${request.body.byteLength}-byte encrypted body)`,
  )
  return `${lines.join('\n')}\n`
}

function requestJson(request: PushRequest): string {
  return JSON.stringify(
    {
      method: request.method,
      url: request.url,
      headers: request.headers,
      bodyLength: request.body?.byteLength ?? 0,
      body: request.body === null ? null : encodeBase64Url(request.body),
    },
    null,
    2,
  )
}

async function printCurl(
  request: PushRequest,
  bodyFile: string | undefined,
  io: CliIo,
): Promise<void> {
  let path = bodyFile
  if (request.body !== null && path === undefined) {
    path = join(await mkdtemp(join(tmpdir(), 'pushcraft-')), 'body.bin')
  }
  const curl = toCurl(request, path === undefined ? {} : { bodyFile: path })
  if (curl.body !== null && curl.bodyFile !== null) {
    const handle = await open(curl.bodyFile, 'w', 0o600)
    try {
      await handle.writeFile(curl.body)
    } finally {
      await handle.close()
    }
    io.stderr.write(`encrypted body (${curl.body.byteLength} bytes) written to ${curl.bodyFile}\n`)
  }
  io.stdout.write(`${curl.command}\n`)
}

function resultJson(result: PushResult): string {
  return JSON.stringify({
    status: result.status,
    service: result.service,
    ...(result.ttl === undefined ? {} : { ttl: result.ttl }),
    ...(result.messageId === undefined ? {} : { messageId: result.messageId }),
    ...(result.location === undefined ? {} : { location: result.location }),
    ...(result.topic === undefined ? {} : { topic: result.topic }),
    attempts: result.attempts,
  })
}
