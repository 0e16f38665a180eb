/** `GET /metrics`: the serving metrics in Prometheus' text format. */
import type { RouteDef } from '../../http/route.js'
import { RawAnswer } from '../../http/route.js'
import { write } from '../http/answer.js'
import type { ServingContext } from '../serving-service.js'

export function metricsRoutes(ctx: ServingContext): RouteDef[] {
  return [
    {
      methods: ['GET'],
      paths: ['/metrics'],
      handler: async () => {
        const { contentType, body } = await ctx.metrics.text()
        return new RawAnswer(async (res) => write(res, 200, body, { 'Content-Type': contentType }))
      },
    },
  ]
}
