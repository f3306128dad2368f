// The timing harness every scenario uses, and the few statistics the report needs.
//
// A measurement is a number of operations done in a wall-clock window: msgs/s is ops / wall time,
// CPU per message is process.cpuUsage() (user + system, every thread of the process, so WebCrypto
// work in libuv's thread pool counts) / ops, and latencies are per operation, start to finish.

import { performance } from 'node:perf_hooks'

/** Wall time in milliseconds (monotonic). */
export const now = () => performance.now()

/** User + system CPU time of this process since `start` (a process.cpuUsage() value), in µs. */
export function cpuSince(start) {
  const { user, system } = process.cpuUsage(start)
  return user + system
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024
}

/**
 * Runs `op` repeatedly for `durationMs`.
 *
 * Synchronous operations (`sync: true`) run in a tight loop. Asynchronous ones run in `lanes`
 * concurrent loops, so up to `lanes` operations are in flight: WebCrypto work then spreads over
 * libuv's thread pool the way it does in a server sending many messages.
 *
 * @returns {Promise<{ops: number, wallMs: number, cpuUs: number, latencies: Float64Array}>}
 */
export async function timed({ op, sync = false, lanes = 1, durationMs }) {
  const latencies = []
  const cpu = process.cpuUsage()
  const start = now()
  const deadline = start + durationMs
  let ops = 0
  if (sync) {
    for (;;) {
      const t0 = now()
      op(ops)
      const t1 = now()
      latencies.push(t1 - t0)
      ops += 1
      if (t1 >= deadline) break
    }
  } else {
    let stop = false
    const lane = async () => {
      while (!stop) {
        const t0 = now()
        await op(ops)
        const t1 = now()
        latencies.push(t1 - t0)
        ops += 1
        if (t1 >= deadline) stop = true
      }
    }
    await Promise.all(Array.from({ length: lanes }, lane))
  }
  const wallMs = now() - start
  return { ops, wallMs, cpuUs: cpuSince(cpu), latencies: Float64Array.from(latencies) }
}

/** Summarises one measured run: msgs/s, CPU µs per message, p50/p99 latency in ms. */
export function summarize({ ops, wallMs, cpuUs, latencies }) {
  const sorted = Float64Array.from(latencies).sort()
  return {
    ops,
    wallMs,
    msgsPerSec: ops / (wallMs / 1000),
    cpuUsPerMsg: cpuUs / ops,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  }
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return sorted[rank]
}

/** Median of numbers (NaN-free input); NaN when empty. */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
