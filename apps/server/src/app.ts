/**
 * Builds the Fastify application without listening (STYLE §3): plugins (CORS, rate limits,
 * OpenAPI + interactive docs), the error model, security headers, the routes, and the background
 * machinery (sender, broadcasts, metrics) with a shutdown that drains sends in flight. `main.ts`
 * reads the configuration and calls `listen`; tests call `inject()`.
 *
 * @module
 */

import { STATUS_CODES } from 'node:http'

import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

import { BroadcastManager, type BroadcastRunner } from './broadcasts.js'
import type { ServerConfig } from './config.js'
import { ApiError, type ApiErrorCode } from './errors.js'
import { createMetrics, type Metrics } from './metrics.js'
import { registerOpsRoutes } from './routes/ops.js'
import { registerPageRoutes } from './routes/pages.js'
import { registerPushRoutes } from './routes/push.js'
import { QueueBroadcasts } from './queue/producer.js'
import { Sender } from './sender.js'
import type { Store } from './store/store.js'

/**
 * The Fastify instance type of this app (TypeBox type provider).
 *
 * @example
 *
 * ```ts
 * import type { App } from './app.js'
 * const routes = (app: App): void => {
 *   app.get('/ping', () => 'pong')
 * }
 * ```
 */
export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * What the routes share.
 *
 * @example
 *
 * ```ts
 * import type { AppContext } from './app.js'
 * const ready = (ctx: AppContext): boolean => !ctx.state.shuttingDown
 * ```
 */
export interface AppContext {
  readonly config: ServerConfig
  readonly store: Store
  readonly sender: Sender
  /** In-process ({@link BroadcastManager}) or, with `REDIS_URL`, queue mode's producer. */
  readonly broadcasts: BroadcastRunner
  readonly metrics: Metrics
  /** Open Server-Sent-Events streams, ended on shutdown. */
  readonly streams: Set<() => void>
  readonly state: { shuttingDown: boolean }
}

/**
 * Options of {@link buildApp}.
 *
 * @example
 *
 * ```ts
 * import type { BuildAppOptions } from './app.js'
 * declare const options: BuildAppOptions
 * ```
 */
export interface BuildAppOptions {
  /** The validated configuration. */
  readonly config: ServerConfig
  /** An open, migrated store. The app does not close it. */
  readonly store: Store
  /**
   * Test-only TLS trust for push service connections (a local mock push service's CA).
   */
  readonly pushConnect?: { readonly ca?: string }
  /** Collect the process metrics (default true; tests turn it off). */
  readonly processMetrics?: boolean
}

/** Headers every response carries. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
}

/** The page's Content-Security-Policy: own scripts and styles only, nothing inline. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** API answers are data, never documents. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'"

/**
 * The pino paths that are redacted in every log line: credentials, push endpoints (capability
 * URLs) and subscription keys.
 *
 * @example
 *
 * ```ts
 * import { REDACT_PATHS } from './app.js'
 * console.log(REDACT_PATHS.includes('req.headers.authorization'))
 * ```
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'endpoint',
  '*.endpoint',
  'keys',
  '*.keys',
  '*.p256dh',
  '*.auth',
  'token',
  '*.token',
  '*.privateKey',
  'err.endpoint',
  'err.cause.endpoint',
]

function errorCodeFor(error: FastifyError): {
  statusCode: number
  code: ApiErrorCode
  message: string
} {
  if (error.validation !== undefined) {
    return { statusCode: 400, code: 'ERR_VALIDATION', message: error.message }
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        statusCode: 400,
        code: 'ERR_INVALID_JSON',
        message: 'the request body is not valid JSON',
      }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        statusCode: 413,
        code: 'ERR_BODY_TOO_LARGE',
        message: 'the request body is too large',
      }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        statusCode: 415,
        code: 'ERR_UNSUPPORTED_MEDIA_TYPE',
        message: 'send Content-Type: application/json',
      }
    default:
      break
  }
  if (error.name === 'SyntaxError' && error.statusCode === 400) {
    return {
      statusCode: 400,
      code: 'ERR_INVALID_JSON',
      message: 'the request body is not valid JSON',
    }
  }
  const status = error.statusCode ?? 500
  if (status === 404) return { statusCode: 404, code: 'ERR_NOT_FOUND', message: 'not found' }
  if (status >= 400 && status < 500)
    return { statusCode: status, code: 'ERR_VALIDATION', message: error.message }
  return { statusCode: 500, code: 'ERR_INTERNAL', message: 'internal error' }
}

/**
 * Builds the app: registers plugins and routes, wires the sender and the broadcast runner
 * (in-process, or queue mode's producer when `REDIS_URL` is set), and installs the shutdown hooks (SSE streams end, readiness turns 503, broadcasts drain up to
 * `SHUTDOWN_TIMEOUT_MS`, connections to push services close).
 *
 * @param options - Configuration and store.
 * @returns The ready (not listening) Fastify instance.
 * @throws {@link StartupError} `ERR_REDIS_UNAVAILABLE` in queue mode when Redis does not answer.
 * @example
 *
 * ```ts
 * import { buildApp } from './app.js'
 * import { loadConfig } from './config.js'
 * import { openStore } from './store/store.js'
 * const config = await loadConfig()
 * const app = await buildApp({ config, store: await openStore(config.database) })
 * const answer = await app.inject({ method: 'GET', url: '/healthz' })
 * ```
 */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config, store } = options
  const app: App = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Requests must not hang the process on shutdown; idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    ajv: {
      customOptions: {
        removeAdditional: true,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Queue mode: broadcasts are enqueued and worker processes send them (src/worker.ts).
  const queued =
    config.queue === undefined
      ? undefined
      : await QueueBroadcasts.open({ queue: config.queue, store, log: app.log })
  const metrics = createMetrics({
    countSubscriptions: () => store.countSubscriptions(),
    defaults: options.processMetrics !== false,
    ...(queued === undefined
      ? {}
      : {
          countBroadcastsInFlight: async () => (await store.listUnfinishedBroadcasts()).length,
          countQueueJobs: () => queued.jobCounts(),
        }),
  })
  const sender = new Sender({
    config,
    store,
    metrics,
    log: app.log,
    ...(options.pushConnect === undefined ? {} : { connect: options.pushConnect }),
  })
  const broadcasts: BroadcastRunner =
    queued ??
    new BroadcastManager({
      store,
      sender,
      metrics,
      log: app.log,
      outcomesPerBroadcast: config.outcomesPerBroadcast,
    })
  const ctx: AppContext = {
    config,
    store,
    sender,
    broadcasts,
    metrics,
    streams: new Set(),
    state: { shuttingDown: false },
  }

  // The API speaks JSON only: any other body is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain')

  // In-process mode, a broadcast left `running` died with its process. In queue mode other
  // processes are sending it: never touch it.
  if (queued === undefined) {
    const interrupted = await store.markInterrupted()
    if (interrupted > 0)
      app.log.warn(
        { broadcasts: interrupted },
        'marked broadcasts of a previous run as interrupted',
      )
  }

  // Errors: one body shape for every 4xx/5xx.
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const mapped =
      error instanceof ApiError
        ? { statusCode: error.statusCode, code: error.code, message: error.message }
        : errorCodeFor(error)
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed')
    const extra = error instanceof ApiError ? error.extra : {}
    if (error instanceof ApiError && error.statusCode === 429) {
      void reply.header('retry-after', extra.retryAfter ?? '60')
    }
    if (mapped.statusCode === 401)
      void reply.header('www-authenticate', 'Bearer realm="pushcraft admin"')
    return reply.status(mapped.statusCode).send({
      statusCode: mapped.statusCode,
      error: STATUS_CODES[mapped.statusCode] ?? 'Error',
      code: mapped.code,
      message: mapped.message,
      detail: mapped.message,
      ...extra,
    })
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]?.slice(0, 200) ?? ''
    const message = `route ${request.method} ${path} not found`
    return reply.status(404).send({
      statusCode: 404,
      error: 'Not Found',
      code: 'ERR_NOT_FOUND',
      message,
      detail: message,
    })
  })

  // Security headers; the strict CSP on pages, a deny-all CSP on data. The docs set their own.
  const hsts = config.publicUrl?.startsWith('https://') === true
  app.addHook('onSend', (request, reply, payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value)
    if (hsts) void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    const path = request.url
    if (!path.startsWith('/api/docs')) {
      const type = String(reply.getHeader('content-type') ?? '')
      void reply.header(
        'content-security-policy',
        type.startsWith('text/html') || path.startsWith('/app') ? PAGE_CSP : API_CSP,
      )
    }
    done(null, payload)
  })

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization'],
      maxAge: 600,
    })
  }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'ERR_RATE_LIMITED',
        `rate limit exceeded: ${context.max} requests per ${context.after}`,
        {
          retryAfter: String(Math.ceil(context.ttl / 1000)),
        },
      ),
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${config.appName} push API`,
        description:
          'Web Push subscriptions and sends (RFC 8030, RFC 8291, RFC 8292). Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'subscriptions', description: 'Browser subscriptions' },
        { name: 'sends', description: 'Test sends and broadcasts (admin)' },
        { name: 'ops', description: 'Health, readiness and metrics' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger())

  registerPushRoutes(app, ctx)
  registerOpsRoutes(app, ctx)
  await registerPageRoutes(app)

  // Shutdown: stop being ready, end SSE streams (they would keep the server open), let the
  // broadcasts finish (up to SHUTDOWN_TIMEOUT_MS), then close push service connections.
  app.addHook('preClose', (done) => {
    ctx.state.shuttingDown = true
    for (const end of ctx.streams) end()
    done()
  })
  app.addHook('onClose', async () => {
    await broadcasts.drain(config.shutdownTimeoutMs)
    await sender.close()
  })

  try {
    await app.ready()
  } catch (error) {
    await queued?.drain()
    throw error
  }
  return app
}
