/**
 * What the `pushcraft` commands share: the IO they talk through, exit codes, errors, and the
 * options that describe a message (TTL, Urgency, Topic, encoding, VAPID, transport).
 *
 * @module
 */

import { readFile, stat } from 'node:fs/promises'
import { rootCertificates } from 'node:tls'
import { VapidTokenCache, importVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import type { PushClientOptions } from '../client.js'
import { WebPushError } from '../errors.js'
import type { PaddingStrategy } from '../padding.js'
import type { PushRequestOptions } from '../request.js'
import { PushServiceError } from '../response.js'

/** The streams and environment a command runs with (the process's, or a test's). */
export interface CliIo {
  readonly stdin: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean }
  readonly stdout: { write(chunk: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborted on SIGINT: bulk sends stop. */
  readonly signal?: AbortSignal
}

/**
 * Exit codes, one per outcome (documented in the README and in `pushcraft --help`).
 */
export const EXIT = {
  /** Done: the push service accepted the message(s), or nothing had to be sent. */
  ok: 0,
  /** Bad command line: unknown command or option, missing or malformed option value. */
  usage: 1,
  /** Bad input data: subscription, VAPID key, payload too large, unreadable file. */
  invalidInput: 2,
  /** The push service answered with an error (4xx other than 404/410, 429, 5xx). */
  rejected: 3,
  /** The subscription is gone (404/410): delete it. */
  gone: 4,
  /** The request did not complete: network failure, timeout. */
  network: 5,
  /** send-many: at least one message failed (see the JSON lines on stdout). */
  partial: 6,
  /** Interrupted (SIGINT). */
  interrupted: 130,
  /** A bug: an error nobody expected. */
  internal: 70,
} as const

/** A command-line problem: exit code 1, with a hint to the command's help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Unusable input data (a file, JSON, a key): exit code 2. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'InputError'
  }
}

function isVapidError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_VAPID_')
  )
}

/** Maps an error to its exit code and the line printed on stderr. */
export function describeFailure(error: unknown): {
  readonly exitCode: number
  readonly message: string
} {
  if (error instanceof UsageError) return { exitCode: EXIT.usage, message: error.message }
  if (error instanceof InputError) return { exitCode: EXIT.invalidInput, message: error.message }
  if (error instanceof PushServiceError) {
    const reason = error.reason === undefined ? '' : `: ${error.reason}`
    const retry =
      error.retryAfter === undefined ? '' : ` (retry after ${Math.ceil(error.retryAfter / 1000)} s)`
    return {
      exitCode: error.isGone ? EXIT.gone : EXIT.rejected,
      message: `push service answered ${error.statusCode} (${error.kind})${reason}${retry}`,
    }
  }
  if (error instanceof WebPushError) {
    const field = error.field === undefined ? '' : ` [${error.field}]`
    if (error.code === 'ERR_WEBPUSH_REQUEST_FAILED') {
      return { exitCode: EXIT.network, message: `${error.message} (${error.code})` }
    }
    return { exitCode: EXIT.invalidInput, message: `${error.message}${field} (${error.code})` }
  }
  if (isVapidError(error)) {
    return {
      exitCode: EXIT.invalidInput,
      message: `invalid VAPID key: ${error.message} (${error.code})`,
    }
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { exitCode: EXIT.interrupted, message: 'interrupted' }
  }
  // parseArgs errors (ERR_PARSE_ARGS_*) and option values the library refuses (e.g. --ttl for a
  // service that caps it): both are about the command line.
  if (error instanceof TypeError || error instanceof RangeError) {
    return { exitCode: EXIT.usage, message: error.message }
  }
  return {
    exitCode: EXIT.internal,
    message: `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  }
}

/** Reads a whole stream (stdin) as bytes. */
export async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    chunks.push(bytes)
    size += bytes.byteLength
  }
  const result = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    result.set(chunk, offset)
    offset += chunk.byteLength
  }
  return result
}

/** Reads a file named on the command line, or stdin for `-`. */
export async function readSource(path: string, io: CliIo, what: string): Promise<Uint8Array> {
  if (path === '-') return readAll(io.stdin)
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    throw new InputError(`cannot read ${what} file "${path}": ${codeOf(error)}`, { cause: error })
  }
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code)
  return error instanceof Error ? error.message : String(error)
}

/** Parses JSON input, naming what it is on failure (exit code 2). */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  const text = new TextDecoder().decode(bytes).trim()
  if (text === '') throw new InputError(`${what} is empty`)
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new InputError(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}

// The options every sending command takes (parseArgs configuration).
export const MESSAGE_OPTIONS = {
  payload: { type: 'string', short: 'p' },
  'payload-file': { type: 'string' },
  ttl: { type: 'string' },
  urgency: { type: 'string' },
  topic: { type: 'string' },
  encoding: { type: 'string' },
  padding: { type: 'string' },
  header: { type: 'string', multiple: true },
  'vapid-key': { type: 'string' },
  'vapid-public-key': { type: 'string' },
  subject: { type: 'string' },
  'vapid-scheme': { type: 'string' },
  'no-vapid': { type: 'boolean' },
  'allow-http': { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  ca: { type: 'string' },
  proxy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export const MESSAGE_HELP = `Message options:
  -p, --payload <text>         the payload (UTF-8); omit for a message without payload
      --payload-file <file>    read the payload bytes from a file ('-' for stdin)
      --ttl <seconds>          TTL header (default 2419200, 4 weeks; 0 = deliver now or drop)
      --urgency <value>        very-low | low | normal | high
      --topic <topic>          Topic header (≤ 32 base64url characters)
      --encoding <coding>      aes128gcm (default) | aesgcm
      --padding <strategy>     none (default) | max | <bucket size in bytes>
      --header <'Name: value'> an extra request header (repeatable)
VAPID (RFC 8292):
      --vapid-key <key>        private key: a PEM file, PEM text, DER base64, raw base64url,
                               a JWK or a 'generate-vapid-keys --format json' file
                               (default: $PUSHCRAFT_VAPID_KEY)
      --vapid-public-key <k>   the public key, checked against the private key (optional)
      --subject <uri>          mailto: or https: contact (default: $PUSHCRAFT_VAPID_SUBJECT)
      --vapid-scheme <scheme>  vapid (RFC 8292, default) | webpush (legacy)
      --no-vapid               send without VAPID (Apple and FCM refuse such messages)
Transport:
      --timeout <ms>           give up an attempt after this many milliseconds (default 30000)
      --retries <n>            retry 429/5xx/network failures up to n times (default 0)
      --ca <file>              trust this CA certificate (PEM) as well, e.g. a test push service
      --proxy <url>            send through this HTTP(S) proxy
      --allow-http             accept http: endpoints (local test push services only)`

export interface MessageValues {
  readonly payload?: string
  readonly 'payload-file'?: string
  readonly ttl?: string
  readonly urgency?: string
  readonly topic?: string
  readonly encoding?: string
  readonly padding?: string
  readonly header?: string[]
  readonly 'vapid-key'?: string
  readonly 'vapid-public-key'?: string
  readonly subject?: string
  readonly 'vapid-scheme'?: string
  readonly 'no-vapid'?: boolean
  readonly 'allow-http'?: boolean
  readonly timeout?: string
  readonly retries?: string
  readonly ca?: string
  readonly proxy?: string
}

function integerOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--${name} must be a whole number, got "${value}"`)
  }
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${name} must be at least ${min}, got "${value}"`)
  }
  return number
}

/** `--<name>` as a whole number of at least `min`. */
export function readInteger(
  value: string | undefined,
  name: string,
  min: number,
): number | undefined {
  return integerOption(value, name, min)
}

async function loadVapidKeys(value: string, publicKey: string | undefined): Promise<VapidKeys> {
  let text = value
  if (!value.trimStart().startsWith('-----BEGIN') && !value.trimStart().startsWith('{')) {
    const isFile = await stat(value).then(
      (info) => info.isFile(),
      () => false,
    )
    if (isFile) {
      try {
        text = await readFile(value, 'utf8')
      } catch (error) {
        throw new InputError(`cannot read VAPID key file "${value}": ${codeOf(error)}`, {
          cause: error,
        })
      }
    }
  }
  text = text.trim()
  if (text === '') throw new InputError('the VAPID key is empty')
  if (text.startsWith('{')) {
    const parsed = parseJson(new TextEncoder().encode(text), 'the VAPID key')
    if (typeof parsed !== 'object' || parsed === null)
      throw new InputError('the VAPID key JSON is not an object')
    const record = parsed as Record<string, unknown>
    if ('privateKey' in record) {
      // `generate-vapid-keys --format json|jwk` output: { privateKey, publicKey }.
      return importVapidKeys({
        privateKey: record.privateKey as string | JsonWebKey,
        ...(record.publicKey === undefined
          ? {}
          : { publicKey: record.publicKey as string | JsonWebKey }),
      })
    }
    return importVapidKeys(record)
  }
  return importVapidKeys(publicKey === undefined ? text : { privateKey: text, publicKey })
}

function parseHeaders(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (values === undefined || values.length === 0) return undefined
  const headers: Record<string, string> = {}
  for (const value of values) {
    const colon = value.indexOf(':')
    if (colon <= 0) throw new UsageError(`--header must look like 'Name: value', got "${value}"`)
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim()
  }
  return headers
}

function parsePadding(value: string | undefined): PaddingStrategy | undefined {
  if (value === undefined) return undefined
  if (value === 'none' || value === 'max') return value
  const bucket = integerOption(value, 'padding', 1)
  if (bucket === undefined) return undefined
  return { bucket }
}

/** The request options (`buildPushRequest`) a command line describes. */
export async function messageOptions(
  values: MessageValues,
  io: CliIo,
  options: { readonly cacheTokens?: boolean } = {},
): Promise<PushRequestOptions> {
  const ttl = integerOption(values.ttl, 'ttl', 0)
  const encoding = values.encoding
  if (encoding !== undefined && encoding !== 'aes128gcm' && encoding !== 'aesgcm') {
    throw new UsageError(`--encoding must be aes128gcm or aesgcm, got "${encoding}"`)
  }
  const scheme = values['vapid-scheme']
  if (scheme !== undefined && scheme !== 'vapid' && scheme !== 'webpush') {
    throw new UsageError(`--vapid-scheme must be vapid or webpush, got "${scheme}"`)
  }
  const keyValue = values['vapid-key'] ?? io.env.PUSHCRAFT_VAPID_KEY
  let vapid: PushRequestOptions['vapid']
  if (values['no-vapid'] === true) {
    if (values['vapid-key'] !== undefined) {
      throw new UsageError('--no-vapid and --vapid-key exclude each other')
    }
  } else {
    if (keyValue === undefined || keyValue === '') {
      throw new UsageError(
        'missing VAPID key: pass --vapid-key <file|key> (or set PUSHCRAFT_VAPID_KEY), or --no-vapid',
      )
    }
    const subject = values.subject ?? io.env.PUSHCRAFT_VAPID_SUBJECT
    if (subject === undefined || subject === '') {
      throw new UsageError(
        'missing VAPID subject: pass --subject mailto:you@example.com (or set PUSHCRAFT_VAPID_SUBJECT)',
      )
    }
    const keys = await loadVapidKeys(keyValue, values['vapid-public-key'])
    vapid = {
      keys,
      subject,
      ...(options.cacheTokens === true ? { cache: new VapidTokenCache() } : {}),
    }
  }
  const headers = parseHeaders(values.header)
  const padding = parsePadding(values.padding)
  return {
    ...(vapid === undefined ? {} : { vapid }),
    ...(scheme === undefined ? {} : { vapidScheme: scheme }),
    ...(ttl === undefined ? {} : { ttl }),
    ...(values.urgency === undefined
      ? {}
      : { urgency: values.urgency as PushRequestOptions['urgency'] & string }),
    ...(values.topic === undefined ? {} : { topic: values.topic }),
    ...(encoding === undefined ? {} : { contentEncoding: encoding }),
    ...(padding === undefined ? {} : { padding }),
    ...(headers === undefined ? {} : { headers }),
    ...(values['allow-http'] === true ? { allowHttp: true } : {}),
  }
}

/** The payload a command line describes: `--payload` text, `--payload-file` bytes, or none. */
export async function messagePayload(
  values: MessageValues,
  io: CliIo,
): Promise<string | Uint8Array | null> {
  if (values.payload !== undefined && values['payload-file'] !== undefined) {
    throw new UsageError('--payload and --payload-file exclude each other')
  }
  if (values.payload !== undefined) return values.payload
  const file = values['payload-file']
  if (file !== undefined) return readSource(file, io, 'payload')
  return null
}

/** The `PushClient` options (transport) a command line describes. */
export async function clientOptions(values: MessageValues): Promise<PushClientOptions> {
  const timeout = integerOption(values.timeout, 'timeout', 1)
  const retries = integerOption(values.retries, 'retries', 0)
  let ca: string[] | undefined
  if (values.ca !== undefined) {
    try {
      // `ca` replaces Node's trust store in TLS options, so keep the public roots next to it.
      ca = [...rootCertificates, await readFile(values.ca, 'utf8')]
    } catch (error) {
      throw new InputError(`cannot read CA file "${values.ca}": ${codeOf(error)}`, { cause: error })
    }
  }
  if (values.proxy !== undefined) {
    try {
      new URL(values.proxy)
    } catch {
      throw new UsageError(`--proxy must be a URL, got "${values.proxy}"`)
    }
  }
  return {
    timeout: timeout ?? 30_000,
    ...(retries === undefined || retries === 0 ? {} : { retry: { maxAttempts: retries + 1 } }),
    ...(ca === undefined ? {} : { connect: { ca } }),
    ...(values.proxy === undefined ? {} : { proxy: values.proxy }),
  }
}
