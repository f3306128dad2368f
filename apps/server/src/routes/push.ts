/**
 * The push API: the VAPID public key, subscribe/unsubscribe (RFC 8030 §4 subscriptions as the
 * Push API serializes them), a self-test for a subscriber, and the admin routes: the reference
 * app's send-test, broadcasts with a Server-Sent-Events progress stream, tags, and the listing.
 *
 * @module
 */

import { WebPushError, identifyPushService, validateSubscription } from '@pushcraft/webpush'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'

import type { App, AppContext } from '../app.js'
import { assertAdmin, safeEqual } from '../auth.js'
import { ApiError } from '../errors.js'
import {
  Broadcast,
  BroadcastBody,
  EndpointBody,
  ErrorBody,
  Outcome,
  SelfTestBody,
  SendTestResult,
  SubscriptionBody,
  SubscriptionItem,
  TagsBody,
} from '../schemas.js'
import { EndpointRejectedError, checkEndpoint } from '../ssrf.js'
import type { BroadcastRecord } from '../store/store.js'

/** The reference app's test notification body text (kept verbatim). */
const TEST_BODY = 'Test notification'
/** The reference app's test notification click target (kept verbatim). */
const TEST_URL = '/app/'
/** What fits in one push message once encrypted (RFC 8291 §4: 4096 − 86 − 17 octets). */
const MAX_PAYLOAD = 3993

function errors(...codes: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(codes.map((code) => [code, ErrorBody]))
}

function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

function toApiBroadcast(b: BroadcastRecord): Broadcast {
  return {
    id: b.id,
    status: b.status,
    total: b.total,
    delivered: b.delivered,
    failed: b.failed,
    removed: b.removed,
    resubscribe: b.resubscribe,
    retried: b.retried,
    pending: Math.max(0, b.total - b.delivered - b.failed - b.removed - b.resubscribe),
    error: b.error,
    createdAt: iso(b.createdAt),
    startedAt: iso(b.startedAt),
    finishedAt: iso(b.finishedAt),
    message: b.message,
    tags: b.tags === null ? null : [...b.tags],
    links: { self: `/api/push/broadcasts/${b.id}`, events: `/api/push/broadcasts/${b.id}/events` },
  }
}

function stripPadding(value: string): string {
  return value.replace(/=+$/, '')
}

/**
 * Registers the `/api/push/*` routes.
 *
 * @param app - The app.
 * @param ctx - Configuration, store, sender, broadcasts.
 * @example
 *
 * ```ts
 * import { registerPushRoutes } from './push.js'
 * declare const app: import('../app.js').App
 * declare const ctx: import('../app.js').AppContext
 * registerPushRoutes(app, ctx)
 * ```
 */
export function registerPushRoutes(app: App, ctx: AppContext): void {
  const { config, store, sender, broadcasts } = ctx
  const publicLimit = {
    rateLimit: { max: config.rateLimit.max, timeWindow: config.rateLimit.windowMs },
  }
  // Sends to a browser: stricter, so nobody can spam a subscriber through us.
  const selfTestLimit = {
    rateLimit: {
      max: Math.max(1, Math.ceil(config.rateLimit.max / 10)),
      timeWindow: config.rateLimit.windowMs,
    },
  }
  const adminLimit = {
    rateLimit: { max: config.rateLimit.max * 10, timeWindow: config.rateLimit.windowMs },
  }
  const admin = (
    request: FastifyRequest,
    _reply: FastifyReply,
    done: (error?: Error) => void,
  ): void => {
    try {
      assertAdmin(request.headers.authorization, config.admin.token)
      done()
    } catch (error) {
      done(error as Error)
    }
  }
  const security = [{ bearerAuth: [] }]
  // Read through a function: the flag changes while a handler awaits.
  const isShuttingDown = (): boolean => ctx.state.shuttingDown

  app.get(
    '/api/push/vapid-public-key',
    {
      config: publicLimit,
      schema: {
        tags: ['subscriptions'],
        summary: 'The VAPID public key for PushManager.subscribe({ applicationServerKey })',
        response: {
          200: Type.Object({
            publicKey: Type.String({
              description: 'base64url, 65-byte uncompressed P-256 point (RFC 8292 §3.2)',
            }),
            keyId: Type.String(),
            appName: Type.String(),
          }),
          ...errors(429),
        },
      },
    },
    () => ({
      publicKey: config.vapid.keys.applicationServerKey,
      keyId: config.vapid.keys.id,
      appName: config.appName,
    }),
  )

  app.post(
    '/api/push/subscriptions',
    {
      config: publicLimit,
      schema: {
        tags: ['subscriptions'],
        summary: 'Store (or update) a browser subscription; idempotent by endpoint',
        body: SubscriptionBody,
        response: {
          200: Type.Object({ created: Type.Literal(false) }),
          201: Type.Object({ created: Type.Literal(true) }),
          ...errors(400, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      let validated
      try {
        validated = validateSubscription(
          { endpoint: body.endpoint, expirationTime: body.expirationTime ?? null, keys: body.keys },
          { allowHttp: config.endpointPolicy.allowInsecure },
        )
      } catch (error) {
        if (error instanceof WebPushError) {
          throw new ApiError(400, 'ERR_INVALID_SUBSCRIPTION', error.message, {
            ...(error.field === undefined ? {} : { field: error.field }),
            ...(error.reason === undefined ? {} : { reason: error.reason }),
          })
        }
        throw error
      }
      if (
        body.applicationServerKey !== undefined &&
        stripPadding(body.applicationServerKey) !== config.vapid.keys.applicationServerKey
      ) {
        throw new ApiError(
          409,
          'ERR_VAPID_KEY_MISMATCH',
          'the subscription was made with another VAPID key: unsubscribe, then subscribe with GET /api/push/vapid-public-key',
        )
      }
      try {
        await checkEndpoint(validated.endpoint, config.endpointPolicy)
      } catch (error) {
        if (error instanceof EndpointRejectedError) {
          throw new ApiError(400, 'ERR_ENDPOINT_NOT_ALLOWED', error.message, {
            field: 'endpoint',
            reason: error.reason,
          })
        }
        throw error
      }
      const userAgent = request.headers['user-agent']?.slice(0, 256) ?? null
      const { created } = await store.upsertSubscription({
        endpoint: validated.endpoint,
        p256dh: validated.keys.p256dh,
        auth: validated.keys.auth,
        encoding: body.encoding ?? 'aes128gcm',
        vapidKeyId: config.vapid.keys.id,
        userAgent,
        expirationTime: validated.expirationTime,
        ...(body.tags === undefined ? {} : { tags: body.tags }),
      })
      request.log.info(
        { service: identifyPushService(validated.endpoint), created },
        'subscription stored',
      )
      return created
        ? reply.status(201).send({ created: true })
        : reply.status(200).send({ created: false })
    },
  )

  app.delete(
    '/api/push/subscriptions',
    {
      config: publicLimit,
      schema: {
        tags: ['subscriptions'],
        summary: 'Delete a subscription by endpoint (idempotent)',
        body: EndpointBody,
        response: { 200: Type.Object({ removed: Type.Boolean() }), ...errors(400, 415, 429) },
      },
    },
    async (request) => ({ removed: await store.deleteSubscription(request.body.endpoint) }),
  )

  app.post(
    '/api/push/self-test',
    {
      config: selfTestLimit,
      schema: {
        tags: ['subscriptions'],
        summary:
          'Send the test notification to one subscription; proves ownership with its auth secret',
        body: SelfTestBody,
        response: {
          200: Type.Object({
            sent: Type.Boolean(),
            outcome: Type.Union(
              [
                Type.Literal('delivered'),
                Type.Literal('gone'),
                Type.Literal('resubscribe'),
                Type.Literal('failed'),
                Type.Literal('blocked'),
              ],
              {
                description:
                  'gone: the push service says the subscription no longer exists; it was deleted',
              },
            ),
          }),
          ...errors(400, 404, 429),
        },
      },
    },
    async (request) => {
      const target = await store.findSubscription(request.body.endpoint)
      // One answer for "unknown" and "wrong secret": the route reveals nothing about endpoints.
      if (target === undefined || !safeEqual(stripPadding(request.body.auth), target.keys.auth)) {
        throw new ApiError(404, 'ERR_NOT_FOUND', 'subscription not found')
      }
      const since = Date.now()
      const payload = JSON.stringify({
        title: config.appName,
        body: TEST_BODY,
        data: { url: TEST_URL },
      })
      const report = await sender.deliver([[target]], { payload, since })
      const outcome: 'delivered' | 'gone' | 'resubscribe' | 'blocked' | 'failed' =
        report.delivered === 1
          ? 'delivered'
          : report.removed === 1
            ? 'gone'
            : report.resubscribe === 1
              ? 'resubscribe'
              : report.blocked === 1
                ? 'blocked'
                : 'failed'
      return { sent: outcome === 'delivered', outcome }
    },
  )

  app.post(
    '/api/push/send-test',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['sends'],
        summary: 'Send the test notification to every stored subscription; delete the gone ones',
        security,
        response: { 200: SendTestResult, ...errors(400, 401, 429) },
      },
    },
    async () => {
      const total = await store.countSubscriptions()
      if (total === 0) throw new ApiError(400, 'ERR_NO_SUBSCRIBERS', 'No subscribers yet')
      // The reference behaviour: exactly this payload, to every stored subscription.
      const payload = JSON.stringify({
        title: config.appName,
        body: TEST_BODY,
        data: { url: TEST_URL },
      })
      const report = await sender.deliver(store.iterateTargets({ includeResubscribe: true }), {
        payload,
        since: Date.now(),
        collectRemovedEndpoints: true,
      })
      return {
        sent: true as const,
        removed: [...report.removedEndpoints],
        delivered: report.delivered,
        failed: report.failed,
        resubscribe: report.resubscribe,
        total: report.completed,
      }
    },
  )

  app.post(
    '/api/push/broadcasts',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['sends'],
        summary: 'Start a broadcast; answers 202 with its id at once and sends in the background',
        security,
        body: BroadcastBody,
        response: { 202: Broadcast, ...errors(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      if (ctx.state.shuttingDown)
        throw new ApiError(503, 'ERR_SHUTTING_DOWN', 'the server is shutting down')
      const body = request.body
      const url = body.url ?? TEST_URL
      let message: unknown
      if (body.declarative === true) {
        // Declarative Web Push: `navigate` must be absolute; resolve paths against our origin.
        const origin = config.publicUrl ?? `${request.protocol}://${request.host}`
        message = {
          web_push: 8030,
          notification: {
            title: body.title,
            ...(body.body === undefined ? {} : { body: body.body }),
            navigate: new URL(url, origin).href,
            ...(body.icon === undefined ? {} : { icon: new URL(body.icon, origin).href }),
            ...(body.tag === undefined ? {} : { tag: body.tag }),
          },
        }
      } else {
        message = {
          title: body.title,
          ...(body.body === undefined ? {} : { body: body.body }),
          data: { url },
          ...(body.icon === undefined ? {} : { icon: body.icon }),
          ...(body.tag === undefined ? {} : { tag: body.tag }),
        }
      }
      if (Buffer.byteLength(JSON.stringify(message)) > MAX_PAYLOAD) {
        throw new ApiError(
          413,
          'ERR_PAYLOAD_TOO_LARGE',
          `the notification exceeds ${MAX_PAYLOAD} bytes as JSON (RFC 8291 §4)`,
        )
      }
      let broadcast: BroadcastRecord
      try {
        broadcast = await broadcasts.start({
          message,
          ...(body.ttl === undefined ? {} : { ttl: body.ttl }),
          ...(body.urgency === undefined ? {} : { urgency: body.urgency }),
          ...(body.topic === undefined ? {} : { topic: body.topic }),
          tags: body.tags ?? null,
        })
      } catch (error) {
        if (isShuttingDown()) {
          throw new ApiError(503, 'ERR_SHUTTING_DOWN', 'the server is shutting down')
        }
        throw error
      }
      request.log.info({ broadcast: broadcast.id, total: broadcast.total }, 'broadcast queued')
      void reply.header('location', `/api/push/broadcasts/${broadcast.id}`)
      return reply.status(202).send(toApiBroadcast(broadcast))
    },
  )

  const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) })

  app.get(
    '/api/push/broadcasts/:id',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['sends'],
        summary: 'A broadcast: status, counts, and its most recent send outcomes',
        security,
        params: IdParams,
        querystring: Type.Object({
          outcomes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20 })),
        }),
        response: {
          200: Type.Intersect([Broadcast, Type.Object({ outcomes: Type.Array(Outcome) })]),
          ...errors(400, 401, 404, 429),
        },
      },
    },
    async (request) => {
      const broadcast = await store.getBroadcast(request.params.id)
      if (broadcast === undefined) throw new ApiError(404, 'ERR_NOT_FOUND', 'broadcast not found')
      const outcomes = await store.listOutcomes(broadcast.id, request.query.outcomes ?? 20)
      return {
        ...toApiBroadcast(broadcast),
        outcomes: outcomes.map((o) => ({
          seq: o.seq,
          subscriptionId: o.subscriptionId,
          service: o.service,
          outcome: o.outcome,
          statusCode: o.statusCode,
          detail: o.detail,
          at: iso(o.createdAt),
        })),
      }
    },
  )

  app.get(
    '/api/push/broadcasts/:id/events',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['sends'],
        summary: 'Server-Sent Events: `progress` events with the broadcast, then `done`',
        security,
        params: IdParams,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An event stream (text/event-stream) of Broadcast objects',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...errors(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const broadcast = await store.getBroadcast(request.params.id)
      if (broadcast === undefined) throw new ApiError(404, 'ERR_NOT_FOUND', 'broadcast not found')
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      })
      const write = (event: string, data: unknown): void => {
        raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      }
      const finished =
        !broadcasts.isRunning(broadcast.id) &&
        broadcast.status !== 'queued' &&
        broadcast.status !== 'running'
      write('progress', toApiBroadcast(broadcast))
      if (finished) {
        write('done', toApiBroadcast(broadcast))
        raw.end()
        return
      }
      let closed = false
      const heartbeat = setInterval(() => {
        raw.write(': keep-alive\n\n')
      }, 15_000)
      const end = (): void => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        unlisten()
        ctx.streams.delete(end)
        raw.end()
      }
      const unlisten = broadcasts.listen(broadcast.id, (current, done) => {
        if (closed) return
        write(done ? 'done' : 'progress', toApiBroadcast(current))
        if (done) end()
      })
      ctx.streams.add(end)
      raw.on('close', end)
      // It may have finished between the read and the listen.
      if (!broadcasts.isRunning(broadcast.id)) {
        const latest = await store.getBroadcast(broadcast.id)
        if (latest !== undefined && latest.status !== 'queued' && latest.status !== 'running') {
          write('done', toApiBroadcast(latest))
          end()
        }
      }
    },
  )

  app.get(
    '/api/push/subscriptions',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['subscriptions'],
        summary: 'List subscriptions (admin), oldest first, with a cursor',
        security,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          after: Type.Optional(
            Type.Integer({ minimum: 0, description: 'The `next` cursor of the previous page' }),
          ),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(SubscriptionItem),
            next: Type.Union([Type.Integer(), Type.Null()]),
            total: Type.Integer(),
          }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (request) => {
      const page = await store.listSubscriptions({
        limit: request.query.limit ?? 50,
        ...(request.query.after === undefined ? {} : { after: request.query.after }),
      })
      return {
        items: page.items.map((s) => ({
          id: s.id,
          endpoint: s.endpoint,
          service: identifyPushService(s.endpoint),
          encoding: s.encoding,
          userAgent: s.userAgent,
          createdAt: iso(s.createdAt),
          updatedAt: iso(s.updatedAt),
          lastSuccessAt: iso(s.lastSuccessAt),
          lastFailureAt: iso(s.lastFailureAt),
          failureCount: s.failureCount,
          vapidKeyId: s.vapidKeyId,
          needsResubscribe: s.needsResubscribe,
          tags: [...s.tags],
        })),
        next: page.next,
        total: page.total,
      }
    },
  )

  app.put(
    '/api/push/subscriptions/tags',
    {
      onRequest: admin,
      config: adminLimit,
      schema: {
        tags: ['subscriptions'],
        summary: "Replace a subscription's tags (admin), e.g. user:42 for per-user sends",
        security,
        body: TagsBody,
        response: {
          200: Type.Object({ tags: Type.Array(Type.String()) }),
          ...errors(400, 401, 404, 429),
        },
      },
    },
    async (request) => {
      const updated = await store.setTags(request.body.endpoint, request.body.tags)
      if (!updated) throw new ApiError(404, 'ERR_NOT_FOUND', 'subscription not found')
      return { tags: [...new Set(request.body.tags)] }
    },
  )
}
