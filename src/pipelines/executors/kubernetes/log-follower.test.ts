import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { ClientNodeApi, type KubeApi, type LogStream, type LogTarget } from './kube-api.js'
import { LogFollower, timestampKey } from './log-follower.js'
import { startStubKubernetes } from './test-support/stub-api-server.js'

/** A log API whose every connection serves the next scripted chunk and then ends. */
function scriptedApi(chunks: string[]): KubeApi & { since: (string | null)[] } {
  const since: (string | null)[] = []
  return {
    server: 'fake',
    since,
    createJob: () => Promise.reject(new Error('unused')),
    readJob: () => Promise.reject(new Error('unused')),
    deleteJob: () => Promise.reject(new Error('unused')),
    listPods: () => Promise.reject(new Error('unused')),
    followLog: (target: LogTarget, write: (c: string) => void): Promise<LogStream> => {
      since.push(target.sinceTime)
      write(chunks.shift() ?? '')
      return Promise.resolve({ done: Promise.resolve(), abort: () => {} })
    },
  }
}

const settle = () => new Promise((r) => setImmediate(r))

describe('following a container log', () => {
  it('reopens a broken stream from the last timestamp and delivers every line once, in order', async () => {
    const api = scriptedApi([
      '2024-05-01T10:00:00.100000000Z one\n2024-05-01T10:00:01.5Z two\n2024-05-01T10:00:01.5Z two again\n',
      // The second connection starts at 10:00:01 (whole seconds) and so repeats two lines.
      '2024-05-01T10:00:01.5Z two\n2024-05-01T10:00:01.5Z two again\n2024-05-01T10:00:02.000000001Z three\n',
      '2024-05-01T10:00:02.000000001Z three\n2024-05-01T10:00:03Z four',
    ])
    const lines: string[] = []
    const f = new LogFollower(api, { namespace: 'ns', pod: 'p', container: 'step' }, (l) => lines.push(l))
    await f.update({ started: true, terminated: false })
    await settle()
    await f.update({ started: true, terminated: false })
    await settle()
    expect(f.complete).toBe(false)
    await f.update({ started: true, terminated: true })
    await settle()
    expect(f.complete).toBe(true)
    expect(lines).toEqual(['one', 'two', 'two again', 'three', 'four'])
    expect(api.since).toEqual([null, '2024-05-01T10:00:01Z', '2024-05-01T10:00:02Z'])
    await f.update({ started: true, terminated: true })
    expect(api.since).toHaveLength(3)
  })

  it('orders RFC 3339 timestamps of any precision', () => {
    const a = timestampKey('2024-05-01T10:00:01.5Z x')!
    const b = timestampKey('2024-05-01T10:00:01.123456789Z x')!
    const c = timestampKey('2024-05-01T10:00:01+00:00 x')!
    expect(c.key < b.key && b.key < a.key).toBe(true)
    expect(a.length).toBe('2024-05-01T10:00:01.5Z '.length)
    expect(timestampKey('no timestamp')).toBeNull()
  })

  it('streams a running container through client-node and stops cleanly when aborted', async () => {
    const stub = await startStubKubernetes()
    const dir = mkdtempSync(join(tmpdir(), 'cairn-kc-'))
    try {
      const kc = new KubeConfig()
      kc.loadFromFile(stub.cluster.writeKubeconfig(join(dir, 'config'), stub.url, stub.token!))
      const api = new ClientNodeApi(kc)
      await api.createJob('default', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'talker' },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                { name: 'step', image: 'busybox:1', command: ['sh', '-c', 'echo hello; sleep 30'] },
              ],
            },
          },
        },
      })
      let pod = ''
      for (let i = 0; i < 400 && !pod; i++) {
        const [p] = await api.listPods('default', 'job-name=talker')
        if (p?.status?.containerStatuses?.[0]?.state?.running) pod = p.metadata!.name!
        else await new Promise((r) => setTimeout(r, 25))
      }
      let text = ''
      let resolveHello: () => void = () => {}
      const hello = new Promise<void>((r) => (resolveHello = r))
      const stream = await api.followLog(
        { namespace: 'default', pod, container: 'step', sinceTime: null },
        (c) => {
          text += c
          if (text.includes('hello')) resolveHello()
        },
      )
      await hello
      expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z hello\n$/)
      stream.abort()
      await stream.done
      await api.deleteJob('default', 'talker')
      expect(stub.requests.at(-1)).toMatchObject({
        method: 'DELETE',
        query: { propagationPolicy: 'Background' },
      })
    } finally {
      await stub.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
