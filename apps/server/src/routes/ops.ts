/**
 * Operations: liveness (`/healthz`), readiness (`/readyz`: the database answers and the process is
 * not shutting down) and Prometheus metrics (`/metrics`, admin token required: it reveals traffic).
 *
 * @module
 */

import { Type } from 'typebox'

import type { App, AppContext } from '../app.js'
import { assertAdmin } from '../auth.js'
import { ErrorBody } from '../schemas.js'

/**
 * Registers `/healthz`, `/readyz` and `/metrics`.
 *
 * @param app - The app.
 * @param ctx - Store, metrics and the shutdown state.
 * @example
 *
 * ```ts
 * import { registerOpsRoutes } from './ops.js'
 * declare const app: import('../app.js').App
 * declare const ctx: import('../app.js').AppContext
 * registerOpsRoutes(app, ctx)
 * ```
 */
export function registerOpsRoutes(app: App, ctx: AppContext): void {
  const Status = Type.Object({ status: Type.String(), reason: Type.Optional(Type.String()) })

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process answers',
        response: { 200: Status },
      },
    },
    () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: the database answers and the server is not shutting down',
        response: { 200: Status, 503: Status },
      },
    },
    async (request, reply) => {
      if (ctx.state.shuttingDown)
        return reply.status(503).send({ status: 'unavailable', reason: 'shutting down' })
      try {
        await ctx.store.ping()
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the database does not answer')
        return reply.status(503).send({ status: 'unavailable', reason: 'database unavailable' })
      }
      return { status: 'ok' }
    },
  )

  app.get(
    '/metrics',
    {
      onRequest: (request, _reply, done) => {
        try {
          assertAdmin(request.headers.authorization, ctx.config.admin.token)
          done()
        } catch (error) {
          done(error as Error)
        }
      },
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        security: [{ bearerAuth: [] }],
        produces: ['text/plain'],
        response: { 200: Type.String(), 401: ErrorBody },
      },
    },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics()
      return reply.header('content-type', ctx.metrics.registry.contentType).send(text)
    },
  )
}
