import type { V1Job, V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import type { StepTask } from '../../executor.js'
import { currentPod, finishedResult, jobEnd, parsePodResult, podProblem } from './job-status.js'

const task = (over: Partial<StepTask> = {}): StepTask => ({
  key: 's',
  step: 's',
  pipeline: 'p',
  pipelineRunId: 'r',
  attempt: 1,
  run: { kind: 'shell', script: 'true' },
  image: 'img:1',
  env: {},
  workdir: '/',
  resources: { cpu: null, memory: null, gpu: null },
  timeoutMs: 60_000,
  tracking: { uri: 'http://x', runId: 'run' },
  inputs: {},
  outputs: { artifacts: [], values: {} },
  params: {},
  ...over,
})

const job = (type: string, reason = '', message = ''): V1Job => ({
  status: { conditions: [{ type, status: 'True', reason, message }] },
})

const pod = (status: V1Pod['status'], name = 'p-abcde'): V1Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'step', image: 'img:1' }] },
  status,
})

const terminated = (t: Record<string, unknown>): V1Pod =>
  pod({
    phase: 'Failed',
    containerStatuses: [
      {
        name: 'step',
        image: 'img:1',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: t as never },
      },
    ],
  })

describe('reading a Job and its pod', () => {
  it('knows a Job has ended only from a True Complete or Failed condition', () => {
    expect(jobEnd({ status: { conditions: [{ type: 'FailureTarget', status: 'True' }] } })).toBeNull()
    expect(jobEnd({ status: { conditions: [{ type: 'Complete', status: 'False' }] } })).toBeNull()
    expect(jobEnd(job('Complete'))).toEqual({ kind: 'complete' })
    expect(jobEnd(job('Failed', 'BackoffLimitExceeded', 'limit'))).toEqual({
      kind: 'failed',
      reason: 'BackoffLimitExceeded',
      message: 'limit',
    })
  })

  it('takes the newest pod', () => {
    const older = { metadata: { name: 'a', creationTimestamp: new Date('2024-01-01T00:00:00Z') } }
    const newer = { metadata: { name: 'b', creationTimestamp: new Date('2024-01-01T00:00:05Z') } }
    expect(currentPod([older, newer])?.metadata?.name).toBe('b')
    expect(currentPod([])).toBeUndefined()
  })

  it('gives up on image pull back-off and missing config, and only notes an unschedulable pod', () => {
    const waiting = (reason: string, message: string) =>
      pod({
        containerStatuses: [
          {
            name: 'step',
            image: 'img:1',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason, message } },
          },
        ],
      })
    expect(podProblem(waiting('ErrImagePull', 'not found'))).toBeNull()
    expect(podProblem(waiting('ImagePullBackOff', 'Back-off pulling image "img:1"'))).toEqual({
      fatal: `image 'img:1' could not be pulled (ImagePullBackOff): Back-off pulling image "img:1"`,
    })
    expect(podProblem(waiting('CreateContainerConfigError', 'configmap "x" not found'))).toEqual({
      fatal: 'the container could not be created (CreateContainerConfigError): configmap "x" not found',
    })
    const pending = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available',
        },
      ],
    })
    expect(podProblem(pending)).toEqual({
      note: 'pod p-abcde cannot be scheduled yet: 0/3 nodes are available',
    })
  })

  it("reads the entrypoint's result from the termination message, and nothing else", () => {
    const ok = {
      status: 'succeeded',
      exitCode: 0,
      timedOut: false,
      message: '',
      outputs: { artifacts: {}, values: { n: 1 } },
    }
    expect(parsePodResult(JSON.stringify(ok))).toEqual(ok)
    expect(parsePodResult('{"resultArtifact":"cairn/result-attempt-1.json"}')).toEqual({
      resultArtifact: 'cairn/result-attempt-1.json',
    })
    expect(parsePodResult('{ "a log line": true }')).toBeNull()
    expect(parsePodResult('Traceback (most recent call last):')).toBeNull()
    expect(parsePodResult(undefined)).toBeNull()
  })
})

describe('a finished Job as a step result', () => {
  it('says how a container without a result ended: exit code, reason, last line of its log', () => {
    const r = finishedResult(
      task(),
      { kind: 'failed', reason: 'BackoffLimitExceeded', message: '' },
      terminated({ exitCode: 1, reason: 'Error', message: 'node:internal\nError: Cannot find module x' }),
      null,
    )
    expect(r).toMatchObject({
      status: 'failed',
      exitCode: 1,
      message: 'exited with code 1: Error: Cannot find module x',
    })
  })

  it('reports an evicted pod with its reason', () => {
    const evicted = pod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
    })
    const r = finishedResult(
      task(),
      { kind: 'failed', reason: 'BackoffLimitExceeded', message: '' },
      evicted,
      null,
    )
    expect(r.message).toBe('pod p-abcde Evicted: The node was low on resource: memory.')
  })

  it('fails a completed Job whose declared outputs have no result to come from', () => {
    const r = finishedResult(
      task({ outputs: { artifacts: ['model'], values: {} } }),
      { kind: 'complete' },
      terminated({ exitCode: 0, reason: 'Completed' }),
      null,
    )
    expect(r.status).toBe('failed')
    expect(r.message).toContain('result was not found')
    const plain = finishedResult(
      task(),
      { kind: 'complete' },
      terminated({ exitCode: 0, reason: 'Completed' }),
      null,
    )
    expect(plain.status).toBe('succeeded')
  })

  it('puts the deadline before what the entrypoint said when the Job ran out of time', () => {
    const said = {
      status: 'cancelled' as const,
      exitCode: 143,
      timedOut: false,
      message: 'cancelled while running',
      outputs: { artifacts: {}, values: {} },
    }
    const r = finishedResult(
      task({ timeoutMs: 90_000 }),
      {
        kind: 'failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
      terminated({ exitCode: 143, reason: 'Error' }),
      said,
    )
    expect(r).toMatchObject({ status: 'failed', timedOut: true, exitCode: 143 })
    expect(r.message).toBe("timed out after 1m30s (the Job's activeDeadlineSeconds passed)")
  })
})
