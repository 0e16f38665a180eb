import { describe, expect, it } from 'vitest'
import { CronJob } from 'kubernetes-models/batch/v1/CronJob'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { ScheduleRecord } from '../../protocol/pipeline-entities.js'
import { cronJobManifests, k8sName, kubernetesCron } from './cronjob.js'

const schedule: ScheduleRecord = {
  name: 'SP500_daily',
  pipeline: 'sp500',
  spec: {},
  params: { threshold: 0.3, tickers: ['A', 'B'] },
  workdir: '/src',
  experimentName: 'sp500',
  cron: '0 6 * * 1-5',
  timezone: 'America/New_York',
  maxConcurrent: 1,
  catchup: false,
  paused: false,
  backend: 'local',
  createdTime: 0,
  updatedTime: 0,
  lastFireTime: 0,
  firedCount: 0,
  skippedCount: 0,
  leaseOwner: null,
  leaseUntil: null,
}

const opts = {
  image: 'ghcr.io/acme/sp500:1.0',
  namespace: 'ml',
  trackingUri: 'http://cairn.ml.svc:5000',
  workdir: '/app/examples/sp500',
  pipelineJson: '{"name":"sp500"}',
}

describe('CronJob export', () => {
  it('writes a ConfigMap and a batch/v1 CronJob that validate against the Kubernetes schemas', () => {
    const [cm, cj] = cronJobManifests(schedule, opts)
    expect(() => new ConfigMap(cm as never).validate()).not.toThrow()
    expect(() => new CronJob(cj as never).validate()).not.toThrow()
  })

  it('maps cron, time zone, max-concurrent, pause and params onto the CronJob', () => {
    const cj = cronJobManifests({ ...schedule, paused: true }, opts)[1] as any
    expect(cj.metadata.name).toBe('cairn-sp500-daily')
    expect(cj.spec).toMatchObject({
      schedule: '0 6 * * 1-5',
      timeZone: 'America/New_York',
      concurrencyPolicy: 'Forbid',
      suspend: true,
    })
    const container = cj.spec.jobTemplate.spec.template.spec.containers[0]
    expect(container.command).toEqual([
      'cairn',
      'pipeline',
      'run',
      '/etc/cairn/pipeline.json',
      '--workdir',
      '/app/examples/sp500',
      '--backend',
      'local',
      '--experiment',
      'sp500',
      '--param',
      'threshold=0.3',
      '--param',
      'tickers=["A","B"]',
    ])
    expect(container.env).toContainEqual({ name: 'CAIRN_TRACKING_URI', value: 'http://cairn.ml.svc:5000' })
    const many = cronJobManifests({ ...schedule, maxConcurrent: 3, catchup: true }, opts)[1] as any
    expect(many.spec.concurrencyPolicy).toBe('Allow')
    expect(many.metadata.annotations['cairn.dev/catchup']).toBe('true')
  })

  it('refuses what a CronJob cannot express, and names objects the way Kubernetes allows', () => {
    expect(kubernetesCron('0 0 6 * * *')).toBe('0 6 * * *')
    expect(() => kubernetesCron('30 0 6 * * *')).toThrow('Kubernetes CronJobs have minute precision')
    expect(k8sName('--Weird Name!!--')).toBe('weird-name')
    expect(() =>
      new CronJob({ ...(cronJobManifests(schedule, opts)[1] as any), spec: { schedule: 5 } }).validate(),
    ).toThrow()
  })
})
