/** /health and /version, answered as MLflow answers them (bare text). */
import type { RouteDef } from '../route.js'
import { RawAnswer } from '../route.js'
import type { RouteDeps } from './deps.js'

function text(body: string): RawAnswer {
  return new RawAnswer(async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  })
}

export function healthRoutes({ version }: RouteDeps): RouteDef[] {
  return [
    { methods: ['GET'], paths: ['/health'], handler: async () => text('OK') },
    { methods: ['GET'], paths: ['/version'], handler: async () => text(version) },
  ]
}
