#!/usr/bin/env node
/**
 * The `pushcraft` executable (the package's `bin`): wires the process's streams, environment and
 * SIGINT into {@link runCli} and exits with its code.
 *
 * @module
 */

import { runCli } from './run.js'

const controller = new AbortController()
process.once('SIGINT', () => {
  controller.abort(new DOMException('interrupted', 'AbortError'))
})

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
})
