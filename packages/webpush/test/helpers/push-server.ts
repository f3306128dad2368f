// A tiny push service for tests on listen(0): HTTPS with a self-signed P-256 certificate made by
// the openssl CLI (or plain HTTP, or HTTP/2), scripted answers, and counters for concurrency
// assertions. Until @pushcraft/testing lands, the webpush transport tests use this.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificate {
  readonly key: string
  readonly cert: string
}

let cached: TestCertificate | undefined

/** A self-signed certificate for localhost/127.0.0.1 (generated once per test file). */
export function testCertificate(): TestCertificate {
  if (cached !== undefined) return cached
  const dir = mkdtempSync(join(tmpdir(), 'pushcraft-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    )
    cached = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
    return cached
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Uint8Array
  readonly httpVersion: string
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Milliseconds to wait before answering. */
  readonly delay?: number
}

export type Responder = (request: ReceivedRequest) => Reply | Promise<Reply>

export interface PushServer {
  readonly origin: string
  /** The certificate to trust (PEM), for TLS servers. */
  readonly ca: string
  readonly requests: ReceivedRequest[]
  /** Requests being handled right now, and the highest that number got. */
  readonly stats: { inFlight: number; maxInFlight: number; connections: number }
  /** Replace the answer. */
  respond(responder: Responder): void
  endpoint(path?: string): string
  close(): Promise<void>
}

export interface PushServerOptions {
  readonly protocol?: 'https' | 'http' | 'h2'
  readonly responder?: Responder
}

export async function startPushServer(options: PushServerOptions = {}): Promise<PushServer> {
  const protocol = options.protocol ?? 'https'
  let responder: Responder = options.responder ?? (() => ({ status: 201 }))
  const requests: ReceivedRequest[] = []
  const stats = { inFlight: 0, maxInFlight: 0, connections: 0 }
  const { key, cert } = protocol === 'http' ? { key: '', cert: '' } : testCertificate()

  const handle = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    stats.inFlight += 1
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        body: new Uint8Array(Buffer.concat(chunks)),
        httpVersion: req.httpVersion,
      }
      requests.push(received)
      void Promise.resolve(responder(received)).then(async (reply) => {
        if (reply.delay !== undefined) await new Promise((r) => setTimeout(r, reply.delay))
        stats.inFlight -= 1
        if (res.destroyed) return
        const body = reply.body ?? ''
        ;(res as ServerResponse).writeHead(reply.status, {
          'content-length': String(Buffer.byteLength(body)),
          ...reply.headers,
        })
        res.end(body)
      })
    })
  }

  const server =
    protocol === 'http'
      ? createHttpServer(handle)
      : protocol === 'https'
        ? createHttpsServer({ key, cert }, handle)
        : createSecureServer({ key, cert, allowHTTP1: true }, handle)
  server.on('connection', () => {
    stats.connections += 1
  })
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `${protocol === 'http' ? 'http' : 'https'}://${protocol === 'http' ? '127.0.0.1' : 'localhost'}:${port}`
  return {
    origin,
    ca: cert,
    requests,
    stats,
    respond(next) {
      responder = next
    },
    endpoint(path = '/push/abc') {
      return `${origin}${path}`
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
    },
  }
}
