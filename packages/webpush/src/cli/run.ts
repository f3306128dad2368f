/**
 * The `pushcraft` command line: parses the command, runs it, and maps every outcome to an exit
 * code (see {@link EXIT}). The process wiring lives in `main.ts`; this module takes its streams
 * as arguments so that it can run inside tests too.
 *
 * @module
 */

import { readFileSync } from 'node:fs'
import { EXIT, UsageError, describeFailure, type CliIo } from './shared.js'

interface Command {
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>
  readonly HELP: string
}

// Each command loads on demand, so `generate-vapid-keys` and `--help` start without undici.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  'generate-vapid-keys': async () => {
    const module = await import('./commands/generate-vapid-keys.js')
    return { run: module.generateVapidKeysCommand, HELP: module.HELP }
  },
  send: async () => {
    const module = await import('./commands/send.js')
    return { run: module.sendCommand, HELP: module.HELP }
  },
  'send-many': async () => {
    const module = await import('./commands/send-many.js')
    return { run: module.sendManyCommand, HELP: module.HELP }
  },
}

export const HELP: string = `Usage: pushcraft <command> [options]

Web Push from the command line (RFC 8030, RFC 8291, RFC 8292).

Commands:
  generate-vapid-keys   create a VAPID key pair (raw, JSON, PEM, DER or JWK)
  send                  encrypt and send one message (or --dry-run / --curl)
  send-many             send one message to every subscription of a JSON-lines file
  help <command>        show a command's options

Options:
  -h, --help            show this help
  -v, --version         print the version

Exit codes:
  0    success
  1    usage error (unknown command or option, missing or malformed option value)
  2    invalid input (subscription, VAPID key, payload too large, unreadable file)
  3    the push service refused the message (4xx other than 404/410, 429, 5xx)
  4    the subscription is gone (404/410): delete it
  5    the request did not complete (network failure, timeout)
  6    send-many: some messages failed
  70   internal error (a bug: please report it)
  130  interrupted

Environment:
  PUSHCRAFT_VAPID_KEY      default for --vapid-key
  PUSHCRAFT_VAPID_SUBJECT  default for --subject`

function version(): string {
  try {
    const json = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
    const parsed = JSON.parse(json) as { version?: unknown }
    return typeof parsed.version === 'string' ? parsed.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * Runs `pushcraft` with the arguments after the program name.
 *
 * @param argv - The arguments (`process.argv.slice(2)`).
 * @param io - Streams, environment and an interrupt signal.
 * @returns The exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help') {
    io.stdout.write(`${HELP}\n`)
    return command === undefined ? EXIT.usage : EXIT.ok
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${version()}\n`)
    return EXIT.ok
  }
  if (command === 'help') {
    const topic = rest[0]
    const load = topic === undefined ? undefined : COMMANDS[topic]
    io.stdout.write(`${load === undefined ? HELP : (await load()).HELP}\n`)
    return topic === undefined || load !== undefined ? EXIT.ok : EXIT.usage
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  try {
    if (entry === undefined) {
      throw new UsageError(`unknown command "${command}"`)
    }
    return await (await entry()).run(rest, io)
  } catch (error) {
    const { exitCode, message } = describeFailure(error)
    io.stderr.write(`pushcraft: ${message}\n`)
    if (exitCode === EXIT.usage) {
      io.stderr.write(
        entry === undefined
          ? `run 'pushcraft --help' for the commands\n`
          : `run 'pushcraft ${command} --help' for its options\n`,
      )
    }
    return exitCode
  }
}
