/**
 * Prometheus metrics (prom-client) on a registry per app instance (no global state): sends by push
 * service and outcome, send latency, stored subscriptions, broadcasts in flight, in queue mode the
 * queues' job counts (the signal to scale workers on), plus the process defaults.
 *
 * @module
 */

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The outcome label of `pushcraft_push_sends_total`.
 *
 * - `delivered`: 2xx.
 * - `gone`: 404/410, the subscription was deleted.
 * - `resubscribe`: VAPID key mismatch, the subscription was marked.
 * - `rate_limited`: 429 (each attempt, retried ones included).
 * - `failed`: any other push service error or a network failure; the subscription is kept.
 * - `blocked`: refused by the SSRF guard at send time; nothing was sent.
 *
 * @example
 *
 * ```ts
 * import type { SendOutcomeLabel } from './metrics.js'
 * const outcome: SendOutcomeLabel = 'gone'
 * ```
 */
export type SendOutcomeLabel =
  'delivered' | 'gone' | 'resubscribe' | 'rate_limited' | 'failed' | 'blocked'

/**
 * The app's metrics.
 *
 * @example
 *
 * ```ts
 * import { createMetrics } from './metrics.js'
 * const metrics = createMetrics({ countSubscriptions: async () => 0 })
 * metrics.sends.inc({ service: 'fcm', outcome: 'delivered' })
 * ```
 */
export interface Metrics {
  readonly registry: Registry
  readonly sends: Counter<'service' | 'outcome'>
  readonly sendDuration: Histogram<'service'>
  readonly broadcastsInFlight: Gauge
  readonly subscriptions: Gauge
  /** Queue mode: `pushcraft_queue_jobs{queue,state}`, read from Redis at each scrape. */
  readonly queueJobs: Gauge<'queue' | 'state'> | undefined
}

/**
 * Creates the registry and the metrics.
 *
 * @param options - How to count the stored subscriptions (called on each scrape) and whether to
 *   add the process defaults (CPU, memory, event loop lag).
 * @returns The metrics.
 * @example
 *
 * ```ts
 * import { createMetrics } from './metrics.js'
 * const metrics = createMetrics({ countSubscriptions: async () => 42 })
 * console.log(await metrics.registry.metrics())
 * ```
 */
export function createMetrics(options: {
  countSubscriptions: () => Promise<number>
  defaults?: boolean
  /** Queue mode: the broadcasts not yet ended, read at each scrape (workers send them). */
  countBroadcastsInFlight?: () => Promise<number>
  /** Queue mode: job counts by queue and state, read at each scrape. */
  countQueueJobs?: () => Promise<Record<string, Readonly<Record<string, number>>>>
}): Metrics {
  const registry = new Registry()
  if (options.defaults !== false)
    collectDefaultMetrics({ register: registry, prefix: 'pushcraft_' })
  const sends = new Counter({
    name: 'pushcraft_push_sends_total',
    help: 'Push messages sent, by push service and outcome',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  })
  const sendDuration = new Histogram({
    name: 'pushcraft_push_send_duration_seconds',
    help: 'Latency of one request to a push service',
    labelNames: ['service'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const countBroadcasts = options.countBroadcastsInFlight
  const broadcastsInFlight = new Gauge({
    name: 'pushcraft_broadcasts_in_flight',
    help: 'Broadcasts being sent now',
    registers: [registry],
    ...(countBroadcasts === undefined
      ? {}
      : {
          async collect() {
            try {
              this.set(await countBroadcasts())
            } catch {
              // The database is down: keep the last value.
            }
          },
        }),
  })
  const countQueueJobs = options.countQueueJobs
  const queueJobs =
    countQueueJobs === undefined
      ? undefined
      : new Gauge({
          name: 'pushcraft_queue_jobs',
          help: 'Queue mode: jobs by queue (broadcast-plan, send-<service>) and state',
          labelNames: ['queue', 'state'] as const,
          registers: [registry],
          async collect() {
            try {
              for (const [queue, counts] of Object.entries(await countQueueJobs())) {
                for (const [state, value] of Object.entries(counts)) {
                  this.set({ queue, state }, value)
                }
              }
            } catch {
              // Redis is down: keep the last values.
            }
          },
        })
  const countSubscriptions = options.countSubscriptions
  const subscriptions = new Gauge({
    name: 'pushcraft_subscriptions',
    help: 'Stored push subscriptions',
    registers: [registry],
    async collect() {
      try {
        this.set(await countSubscriptions())
      } catch {
        // The database is down: keep the last value; /readyz reports the outage.
      }
    },
  })
  return { registry, sends, sendDuration, broadcastsInFlight, subscriptions, queueJobs }
}

interface ServiceChildren {
  readonly duration: { observe(value: number): void }
  readonly sends: Partial<Record<SendOutcomeLabel, { inc(): void }>>
}

/**
 * The per-request recording of `pushcraft_push_sends_total` and
 * `pushcraft_push_send_duration_seconds`, with the label children bound once per push service
 * (and outcome), so a send costs no label object, no label validation and no label hashing beyond
 * prom-client's own lookup.
 *
 * @example
 *
 * ```ts
 * import { SendMetrics, createMetrics } from './metrics.js'
 * const sends = new SendMetrics(createMetrics({ countSubscriptions: async () => 0 }))
 * sends.record('fcm', 'delivered', 0.042)
 * ```
 */
export class SendMetrics {
  readonly #metrics: Metrics
  readonly #services = new Map<string, ServiceChildren>()

  /** @param metrics - The app's metrics. */
  constructor(metrics: Metrics) {
    this.#metrics = metrics
  }

  /**
   * Counts one request (or one refused send) and observes its latency.
   *
   * @param service - The push service label.
   * @param outcome - The outcome label.
   * @param seconds - The request's latency, when a request was made.
   */
  record(service: string, outcome: SendOutcomeLabel, seconds?: number): void {
    let children = this.#services.get(service)
    if (children === undefined) {
      children = { duration: this.#metrics.sendDuration.labels({ service }), sends: {} }
      this.#services.set(service, children)
    }
    let counter = children.sends[outcome]
    if (counter === undefined) {
      counter = this.#metrics.sends.labels({ service, outcome })
      children.sends[outcome] = counter
    }
    counter.inc()
    if (seconds !== undefined) children.duration.observe(seconds)
  }
}
