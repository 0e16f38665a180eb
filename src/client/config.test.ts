import { describe, expect, it } from 'vitest'
import { CairnError } from '../protocol/errors.js'
import { authHeaders, envSelection, resolveTrackingUri } from './config.js'
import { backoffDelay, parseRetryAfter } from './retry.js'

describe('resolveTrackingUri', () => {
  it('prefers CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI, then 127.0.0.1:5000', () => {
    const both = { CAIRN_TRACKING_URI: 'http://cairn:1', MLFLOW_TRACKING_URI: 'http://mlflow:2' }
    expect(resolveTrackingUri(undefined, both)).toBe('http://cairn:1')
    expect(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'http://mlflow:2/' })).toBe('http://mlflow:2')
    expect(resolveTrackingUri(undefined, {})).toBe('http://127.0.0.1:5000')
    expect(resolveTrackingUri('https://x.example/prefix/', both)).toBe('https://x.example/prefix')
  })

  it('ignores empty variables', () => {
    expect(
      resolveTrackingUri(undefined, { CAIRN_TRACKING_URI: ' ', MLFLOW_TRACKING_URI: 'http://m:1' }),
    ).toBe('http://m:1')
  })

  it('refuses URIs that are not http(s) with a message naming the variables', () => {
    for (const uri of ['file:///tmp/mlruns', 'sqlite:///x.db', 'databricks', 'localhost:5000']) {
      let error: unknown
      try {
        resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: uri })
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(CairnError)
      expect((error as Error).message).toContain('http://')
      expect((error as Error).message).toContain('MLFLOW_TRACKING_URI')
    }
  })
})

describe('envSelection and authHeaders', () => {
  it('reads MLFLOW_RUN_ID, MLFLOW_EXPERIMENT_NAME and MLFLOW_EXPERIMENT_ID', () => {
    expect(
      envSelection({ MLFLOW_RUN_ID: 'r1', MLFLOW_EXPERIMENT_NAME: 'e', MLFLOW_EXPERIMENT_ID: '7' }),
    ).toEqual({
      runId: 'r1',
      experimentName: 'e',
      experimentId: '7',
    })
    expect(envSelection({})).toEqual({})
  })

  it('sends a bearer token, else basic credentials', () => {
    expect(authHeaders({ MLFLOW_TRACKING_TOKEN: 'tok' })).toEqual({ Authorization: 'Bearer tok' })
    expect(authHeaders({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' })).toEqual({
      Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    })
    expect(authHeaders({})).toEqual({})
  })
})

describe('backoff', () => {
  it('stays below an exponential ceiling capped at maxDelayMs', () => {
    const opts = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 }
    expect(backoffDelay(0, opts, null, () => 0.999)).toBeLessThan(100)
    expect(backoffDelay(3, opts, null, () => 0.999)).toBeLessThan(800)
    expect(backoffDelay(3, opts, null, () => 0.999)).toBeGreaterThan(700)
    expect(backoffDelay(10, opts, null, () => 0.999)).toBeLessThan(1000)
    expect(backoffDelay(10, opts, null, () => 0)).toBe(0)
  })

  it('waits at least as long as Retry-After asks, within maxDelayMs', () => {
    const opts = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 5000 }
    expect(backoffDelay(0, opts, 2000, () => 0)).toBe(2000)
    expect(backoffDelay(0, opts, 60_000, () => 0)).toBe(5000)
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000)
  })
})
