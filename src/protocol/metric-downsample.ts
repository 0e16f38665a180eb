/**
 * Cairn's metric downsampling endpoint (`GET /api/2.0/cairn/metrics/downsample`): a history cut
 * into equal-width buckets along steps or time, each bucket keeping its point count, min, max and
 * last value, so a chart of a million points draws a band (min–max) and a line (last) from a few
 * hundred buckets without losing a spike. MLflow's get-history-bulk-interval samples points
 * instead and can miss them.
 */
import { endpoint } from './endpoint.js'
import { enumOf, optionalInt32, optionalInt64, repeated, schema, string } from './fields.js'

export const DOWNSAMPLE_AXES = ['step', 'time'] as const
export type DownsampleAxis = (typeof DOWNSAMPLE_AXES)[number]

export const DOWNSAMPLE_LIMITS = {
  defaultBuckets: 500,
  maxBuckets: 5000,
  maxRuns: 100,
} as const

type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity'

/**
 * One run's buckets as parallel arrays (index i is bucket i; empty buckets are left out).
 * Bucket i of n over [start, end] holds the points whose x satisfies
 * `floor((x - start) * n / (end - start + 1)) = i`; `x_start`/`x_end` are its inclusive bounds.
 * `min`/`max` ignore NaN points (NaN when every point is NaN); `last` is the point with the
 * greatest x (then step or time, then value), `last_x` its x.
 */
export interface WireDownsampledSeries {
  run_id: string
  /** The x range bucketed: as asked, else the run's first and last x. */
  start: number
  end: number
  /** Points in [start, end]. */
  count: number
  x_start: number[]
  x_end: number[]
  counts: number[]
  min: WireDouble[]
  max: WireDouble[]
  last: WireDouble[]
  last_x: number[]
}

export interface WireDownsampleAnswer {
  metric_key: string
  x: DownsampleAxis
  buckets: number
  /** One per run that has the metric, in the order asked; runs without it are left out. */
  series: WireDownsampledSeries[]
}

export const METRIC_DOWNSAMPLE_API = {
  downsampleMetric: endpoint<WireDownsampleAnswer>()(
    'downsampleMetric',
    { methods: ['GET'], path: '/cairn/metrics/downsample' },
    schema({
      run_id: repeated(string()),
      metric_key: string({ required: true }),
      buckets: optionalInt32(),
      x: enumOf(DOWNSAMPLE_AXES, { fallback: 'step' }),
      start: optionalInt64(),
      end: optionalInt64(),
    }),
  ),
} as const
