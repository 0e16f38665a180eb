/**
 * Serving metrics in Prometheus' text format (prom-client), one registry per serving instance
 * (never prom-client's global one, so tests and several instances never share counters). Every
 * series is labelled by the served model's name. Children of labelled metrics are cached so the
 * request path does no label hashing.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface RouteMetrics {
  /** Records one answered request (latency in seconds). */
  observe(status: number, seconds: number): void
}

export class ServingMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'model' | 'route' | 'status'>
  private readonly errors: Counter<'model' | 'route' | 'status'>
  private readonly latency: Histogram<'model' | 'route'>
  private readonly batchSize: Histogram<'model'>
  private readonly dropped: Counter<'model'>
  private readonly modelInfo: Gauge<'model' | 'version' | 'uri' | 'role' | 'flavor'>
  private readonly swaps: Counter<'model' | 'role' | 'result'>
  private readonly shadowSkipped: Counter<'model'>
  readonly logDropped: Counter
  private readonly routeCache = new Map<string, RouteMetrics>()

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.requests = new Counter({
      name: 'cairn_serving_requests_total',
      help: 'Requests answered, by model, route and HTTP status.',
      labelNames: ['model', 'route', 'status'],
      registers,
    })
    this.errors = new Counter({
      name: 'cairn_serving_errors_total',
      help: 'Requests answered with a 4xx or 5xx status, by model, route and status.',
      labelNames: ['model', 'route', 'status'],
      registers,
    })
    this.latency = new Histogram({
      name: 'cairn_serving_request_duration_seconds',
      help: 'Time from the request to its answer, by model and route.',
      labelNames: ['model', 'route'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    })
    this.batchSize = new Histogram({
      name: 'cairn_serving_batch_rows',
      help: 'Rows per model run (micro-batches of concurrent requests count once).',
      labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    })
    this.dropped = new Counter({
      name: 'cairn_serving_extra_columns_dropped_total',
      help: 'Request columns not in the signature, dropped before predicting (as MLflow does).',
      labelNames: ['model'],
      registers,
    })
    this.modelInfo = new Gauge({
      name: 'cairn_serving_model_info',
      help: 'The model version being served (1) per role: primary, canary or shadow.',
      labelNames: ['model', 'version', 'uri', 'role', 'flavor'],
      registers,
    })
    this.swaps = new Counter({
      name: 'cairn_serving_model_swaps_total',
      help: 'Model loads for serving, by result (success: now serving; failure: the previous version kept serving).',
      labelNames: ['model', 'role', 'result'],
      registers,
    })
    this.shadowSkipped = new Counter({
      name: 'cairn_serving_shadow_skipped_total',
      help: 'Requests not copied to the shadow model because too many shadow predictions were in flight.',
      labelNames: ['model'],
      registers,
    })
    this.logDropped = new Counter({
      name: 'cairn_serving_prediction_log_dropped_total',
      help: 'Prediction log entries dropped because the writer fell too far behind.',
      registers,
    })
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'cairn_' })
  }

  route(model: string, route: string): RouteMetrics {
    const key = `${model}\u0000${route}`
    let m = this.routeCache.get(key)
    if (m) return m
    const latency = this.latency.labels(model, route)
    const byStatus = new Map<number, () => void>()
    m = {
      observe: (status, seconds) => {
        latency.observe(seconds)
        let inc = byStatus.get(status)
        if (!inc) {
          const req = this.requests.labels(model, route, String(status))
          const err = status >= 400 ? this.errors.labels(model, route, String(status)) : null
          inc = () => {
            req.inc()
            err?.inc()
          }
          byStatus.set(status, inc)
        }
        inc()
      },
    }
    this.routeCache.set(key, m)
    return m
  }

  batchObserver(model: string): (rows: number) => void {
    const h = this.batchSize.labels(model)
    return (rows) => h.observe(rows)
  }

  droppedColumns(model: string, n: number): void {
    if (n > 0) this.dropped.labels(model).inc(n)
  }

  serving(
    labels: { model: string; version: string; uri: string; role: string; flavor: string },
    on: boolean,
  ): void {
    if (on) this.modelInfo.set(labels, 1)
    else this.modelInfo.remove(labels)
  }

  swap(model: string, role: string, result: 'success' | 'failure'): void {
    this.swaps.labels(model, role, result).inc()
  }

  skippedShadow(model: string): void {
    this.shadowSkipped.labels(model).inc()
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
