/** Cairn's metric downsampling route (`/api/2.0/cairn/metrics/downsample`): one answer per chart. */
import { invalidParameter } from '../../../protocol/errors.js'
import {
  DOWNSAMPLE_LIMITS as LIMITS,
  METRIC_DOWNSAMPLE_API as API,
  type WireDownsampledSeries,
} from '../../../protocol/metric-downsample.js'
import { doubleToWire } from '../../../protocol/wire.js'
import type { DownsampledSeries } from '../../store/tracking-store.js'
import { defineRoute, type RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'

function seriesToWire(s: DownsampledSeries): WireDownsampledSeries {
  const b = s.buckets
  return {
    run_id: s.runId,
    start: s.start,
    end: s.end,
    count: s.count,
    x_start: b.map((x) => x.xStart),
    x_end: b.map((x) => x.xEnd),
    counts: b.map((x) => x.count),
    min: b.map((x) => doubleToWire(x.min)),
    max: b.map((x) => doubleToWire(x.max)),
    last: b.map((x) => doubleToWire(x.last)),
    last_x: b.map((x) => x.lastX),
  }
}

export function metricDownsampleRoutes({ store }: RouteDeps): RouteDef[] {
  return [
    defineRoute(API.downsampleMetric, async (msg) => {
      const runIds = [...new Set(msg.run_id)]
      if (runIds.length === 0)
        throw invalidParameter("Downsample request must specify at least one 'run_id'.")
      if (runIds.length > LIMITS.maxRuns) {
        throw invalidParameter(
          `Downsample request may specify at most ${LIMITS.maxRuns} run_ids; got ${runIds.length}.`,
        )
      }
      if (msg.metric_key === '') throw invalidParameter("Downsample request must specify a 'metric_key'.")
      const buckets = msg.buckets ?? LIMITS.defaultBuckets
      if (buckets < 1 || buckets > LIMITS.maxBuckets) {
        throw invalidParameter(`'buckets' must be between 1 and ${LIMITS.maxBuckets}; got ${buckets}.`)
      }
      if (msg.start !== undefined && msg.end !== undefined && msg.start > msg.end) {
        throw invalidParameter(`'start' (${msg.start}) must not be greater than 'end' (${msg.end}).`)
      }
      const series: WireDownsampledSeries[] = []
      for (const runId of runIds) {
        const s = await store.downsampleMetric({
          runId,
          metricKey: msg.metric_key,
          buckets,
          x: msg.x,
          ...(msg.start !== undefined ? { start: msg.start } : {}),
          ...(msg.end !== undefined ? { end: msg.end } : {}),
        })
        if (s) series.push(seriesToWire(s))
      }
      return { metric_key: msg.metric_key, x: msg.x, buckets, series }
    }),
  ]
}
