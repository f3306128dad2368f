/**
 * The web page: a fixed set of small files from `apps/server/public/`, read once at start-up and
 * served under `/app/` (the service worker's scope) with ETags. No directory lookups, so no path
 * traversal.
 *
 * @module
 */

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

import type { App } from '../app.js'

/** The files served, and their content types. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'admin.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
  'sw.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
  'manifest.webmanifest': 'application/manifest+json',
}

/**
 * Registers `/`, `/app/` and the page's files.
 *
 * @param app - The app.
 * @param publicDir - Where the files are (default: `apps/server/public/`).
 * @example
 *
 * ```ts
 * import { registerPageRoutes } from './pages.js'
 * declare const app: import('../app.js').App
 * await registerPageRoutes(app)
 * ```
 */
export async function registerPageRoutes(
  app: App,
  publicDir: URL = new URL('../../public/', import.meta.url),
): Promise<void> {
  const hide = { schema: { hide: true } }
  for (const [name, type] of Object.entries(FILES)) {
    const content = await readFile(new URL(name, publicDir))
    const etag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 22)}"`
    const paths = name === 'index.html' ? ['/app/', '/app/index.html'] : [`/app/${name}`]
    for (const path of paths) {
      app.get(path, hide, (request, reply) => {
        void reply
          .header('content-type', type)
          .header('etag', etag)
          // Revalidate every time: the service worker and the page must never be stale.
          .header('cache-control', 'no-cache')
        if (request.headers['if-none-match'] === etag) return reply.status(304).send()
        return reply.send(content)
      })
    }
  }
  app.get('/', hide, (_request, reply) => reply.redirect('/app/', 302))
  app.get('/app', hide, (_request, reply) => reply.redirect('/app/', 301))
  app.get('/admin', hide, (_request, reply) => reply.redirect('/app/admin.html', 302))
}
