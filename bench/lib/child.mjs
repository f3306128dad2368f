// Entry point of every measuring child process: `node lib/child.mjs '<job JSON>'`. It imports the
// scenario module named by the job, runs it, and sends `{ type: 'result', result }` (or
// `{ type: 'error', message }`) to the orchestrator over IPC.

import { peakRss } from './measure.mjs'

const job = JSON.parse(process.argv[2] ?? '{}')

try {
  const scenario = await import(`./scenarios/${job.scenario}.mjs`)
  const result = await scenario.run(job)
  process.send?.({ type: 'result', result: { ...result, peakRssBytes: peakRss() } })
} catch (error) {
  process.send?.({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  })
  process.exitCode = 1
} finally {
  process.disconnect?.()
}
