import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveServeConfig } from './config.js'

const env = { CAIRN_HOME: '/tmp/cairn-home-x' }

describe('cairn serve configuration', () => {
  it('defaults: 127.0.0.1:8080, batching on, prediction log and cache under CAIRN_HOME, 10 s polling', () => {
    const c = resolveServeConfig('models:/m@champion', {}, env)
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, cacheDir: join('/tmp/cairn-home-x', 'models') })
    expect(c.trackingUri).toBe('http://127.0.0.1:5000')
    expect(c.serving.pollIntervalMs).toBe(10_000)
    expect(c.serving.batching).toEqual({ enabled: true, maxBatchSize: 1024, maxWaitMs: 2 })
    expect(c.serving.predictionLog).toMatchObject({
      enabled: true,
      dir: join('/tmp/cairn-home-x', 'predictions'),
    })
    expect(c.serving.deployments).toEqual([{ uri: 'models:/m@champion' }])
  })

  it('reads the tracking URI from CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI, then the flag', () => {
    expect(
      resolveServeConfig('models:/m/1', {}, { ...env, MLFLOW_TRACKING_URI: 'http://h:1' }).trackingUri,
    ).toBe('http://h:1')
    expect(
      resolveServeConfig(
        'models:/m/1',
        {},
        { ...env, MLFLOW_TRACKING_URI: 'http://h:1', CAIRN_TRACKING_URI: 'http://c:2' },
      ).trackingUri,
    ).toBe('http://c:2')
    expect(
      resolveServeConfig(
        'models:/m/1',
        { trackingUri: 'http://f:3' },
        { ...env, CAIRN_TRACKING_URI: 'http://c:2' },
      ).trackingUri,
    ).toBe('http://f:3')
  })

  it('turns traffic flags into the deployment, and relative folders into absolute paths', () => {
    const c = resolveServeConfig(
      './model',
      {
        canary: 'models:/m@challenger',
        canaryPercent: '25',
        shadow: 'models:/m@shadow',
        labels: 'DOWN, UP',
        threshold: '0.6',
        name: 'sp',
      },
      env,
    )
    expect(c.serving.deployments[0]).toEqual({
      uri: resolve('./model'),
      name: 'sp',
      canary: { uri: 'models:/m@challenger', percent: 25 },
      shadow: 'models:/m@shadow',
      labels: ['DOWN', 'UP'],
      threshold: 0.6,
    })
  })

  it('refuses bad values, naming the flag', () => {
    expect(() => resolveServeConfig('m', { port: 'x' }, env)).toThrow(/--port/)
    expect(() => resolveServeConfig('m', { canaryPercent: '5' }, env)).toThrow(
      /--canary-percent needs --canary/,
    )
    expect(() => resolveServeConfig('m', { canary: 'a', canaryPercent: '101' }, env)).toThrow(/0-100/)
    expect(() => resolveServeConfig('m', { labels: 'UP' }, env)).toThrow(/--labels/)
    expect(() => resolveServeConfig('m', { maxBatchSize: '0' }, env)).toThrow(/--max-batch-size/)
    expect(() => resolveServeConfig('m', { pollInterval: '-1' }, env)).toThrow(/--poll-interval/)
  })

  it('--no-batching and --no-prediction-log turn those off', () => {
    const c = resolveServeConfig('m', { batching: false, predictionLog: false }, env)
    expect(c.serving.batching.enabled).toBe(false)
    expect(c.serving.predictionLog.enabled).toBe(false)
  })
})
