/**
 * `pushcraft generate-vapid-keys`: a new VAPID key pair (ECDSA P-256, RFC 8292 §3.2) in raw
 * base64url, PEM, DER or JWK form, printed or written to a file readable by its owner only.
 *
 * @module
 */

import { open } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { exportVapidKeys, generateVapidKeys } from '@pushcraft/vapid'
import { EXIT, InputError, UsageError, type CliIo } from '../shared.js'

export const HELP: string = `Usage: pushcraft generate-vapid-keys [options]

Generates a VAPID key pair (ECDSA P-256, RFC 8292). The public key is the applicationServerKey
for pushManager.subscribe(); keep the private key secret.

Options:
  -f, --format <format>  raw (default): base64url public and private key (web-push's format)
                         json: the raw keys as {"publicKey", "privateKey"}
                         pem: PKCS #8 private key and SPKI public key, PEM
                         sec1-pem: SEC 1 "EC PRIVATE KEY" PEM and SPKI public key, PEM
                         der: PKCS #8 and SPKI DER, base64url (pywebpush's form)
                         jwk: private and public JWK as JSON
  -o, --out <file>       write the private key there (mode 0600, never overwritten) and print
                         only the public key
  -h, --help             show this help

Exit codes: 0 written, 1 usage error, 2 the --out file exists or cannot be written.

Examples:
  pushcraft generate-vapid-keys
  pushcraft generate-vapid-keys --format pem --out vapid-private.pem
  pushcraft send --vapid-key vapid-private.pem --subject mailto:ops@example.com …`

const FORMATS = ['raw', 'json', 'pem', 'sec1-pem', 'der', 'jwk'] as const
type Format = (typeof FORMATS)[number]

export async function generateVapidKeysCommand(
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      format: { type: 'string', short: 'f' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`)
    return EXIT.ok
  }
  const format = (values.format ?? 'raw') as Format
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `--format must be one of ${FORMATS.join(', ')}, got "${values.format ?? ''}"`,
    )
  }
  const keys = await generateVapidKeys({ extractable: true })
  const { privateText, publicText, full } = await render(keys, format)
  if (values.out === undefined) {
    io.stdout.write(full)
    return EXIT.ok
  }
  await writeSecret(values.out, privateText)
  io.stdout.write(`${publicText}\n`)
  io.stderr.write(
    `private key written to ${values.out} (mode 0600); the line above is the public key (applicationServerKey)\n`,
  )
  return EXIT.ok
}

async function render(
  keys: Awaited<ReturnType<typeof generateVapidKeys>>,
  format: Format,
): Promise<{ privateText: string; publicText: string; full: string }> {
  switch (format) {
    case 'raw': {
      const raw = await exportVapidKeys(keys, { format: 'raw' })
      return {
        privateText: `${raw.privateKey}\n`,
        publicText: raw.publicKey,
        full: `Public key (applicationServerKey):\n${raw.publicKey}\n\nPrivate key (keep it secret):\n${raw.privateKey}\n`,
      }
    }
    case 'json': {
      const raw = await exportVapidKeys(keys, { format: 'raw' })
      const json = `${JSON.stringify({ publicKey: raw.publicKey, privateKey: raw.privateKey }, null, 2)}\n`
      return { privateText: json, publicText: raw.publicKey, full: json }
    }
    case 'pem':
    case 'sec1-pem': {
      const pem = await exportVapidKeys(keys, {
        format: format === 'pem' ? 'pkcs8-pem' : 'sec1-pem',
      })
      const privateKey = ensureNewline(pem.privateKey)
      return {
        privateText: privateKey,
        publicText: keys.applicationServerKey,
        full: `${privateKey}${ensureNewline(pem.publicKey)}`,
      }
    }
    case 'der': {
      const der = await exportVapidKeys(keys, { format: 'der' })
      return {
        privateText: `${der.privateKey}\n`,
        publicText: keys.applicationServerKey,
        full: `Public key (SPKI DER, base64url):\n${der.publicKey}\n\nPrivate key (PKCS #8 DER, base64url; keep it secret):\n${der.privateKey}\n`,
      }
    }
    case 'jwk': {
      const jwk = await exportVapidKeys(keys, { format: 'jwk' })
      const json = `${JSON.stringify({ privateKey: jwk.privateKey, publicKey: jwk.publicKey }, null, 2)}\n`
      return { privateText: json, publicText: keys.applicationServerKey, full: json }
    }
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}

// 'wx': fail if the file exists (a key is never silently replaced); mode 0600 at creation, so
// the secret is never readable by others, not even for a moment.
async function writeSecret(path: string, text: string): Promise<void> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
    throw new InputError(
      code === 'EEXIST'
        ? `--out file "${path}" already exists; refusing to overwrite a key`
        : `cannot create --out file "${path}": ${code || String(error)}`,
      { cause: error },
    )
  }
  try {
    await handle.writeFile(text, 'utf8')
    await handle.chmod(0o600) // the umask can only narrow 0600; make the mode exact anyway
  } finally {
    await handle.close()
  }
}
