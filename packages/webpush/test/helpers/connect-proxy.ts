// An HTTP CONNECT proxy on listen(0) (RFC 9110 §9.3.6) for the PushClient `proxy` test. The
// @pushcraft/testing kit is a push service, not a proxy, so this one stays a local helper: it
// tunnels each CONNECT to the requested host:port and records the tunnel targets.
import { createServer } from 'node:http'
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net'

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for `PushClient({ proxy })`. */
  readonly url: string
  /** The `host:port` of every CONNECT request, in order. */
  readonly tunnels: readonly string[]
  close(): Promise<void>
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = []
  const sockets = new Set<Socket>()
  const proxy = createServer()
  proxy.on('connect', (request, socket: Socket, head) => {
    tunnels.push(request.url ?? '')
    sockets.add(socket)
    const [host, port] = (request.url ?? '').split(':')
    const upstream = netConnect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => {
        proxy.close(() => {
          resolve()
        })
      })
    },
  }
}
