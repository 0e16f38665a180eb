import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { RunStatus } from '../protocol/entities.js'
import { ExitHooks, type ExitAware } from './exit-hooks.js'

/** Just enough of `process` for the hooks: events, pid and kill. */
function fakeProcess() {
  const proc = new EventEmitter() as EventEmitter & {
    pid: number
    kills: string[]
    kill(pid: number, s: string): void
  }
  proc.pid = 4242
  proc.kills = []
  proc.kill = (_pid, signal) => {
    proc.kills.push(signal)
  }
  return proc
}

function fakeRun(log: RunStatus[]): ExitAware {
  return {
    finishOnExit: async (status) => {
      log.push(status)
    },
  }
}

const settle = () => new Promise((r) => setImmediate(r))

describe('ExitHooks', () => {
  it('listens only while a run is open', () => {
    const proc = fakeProcess()
    const hooks = new ExitHooks(1000, proc as unknown as NodeJS.Process)
    const run = fakeRun([])
    hooks.add(run)
    expect(proc.listenerCount('SIGTERM')).toBe(1)
    expect(proc.listenerCount('beforeExit')).toBe(1)
    hooks.delete(run)
    expect(proc.listenerCount('SIGTERM')).toBe(0)
    expect(proc.listenerCount('SIGINT')).toBe(0)
    expect(proc.listenerCount('beforeExit')).toBe(0)
  })

  it('ends open runs FINISHED on beforeExit', async () => {
    const proc = fakeProcess()
    const log: RunStatus[] = []
    const hooks = new ExitHooks(1000, proc as unknown as NodeJS.Process)
    hooks.add(fakeRun(log))
    hooks.add(fakeRun(log))
    proc.emit('beforeExit', 0)
    await settle()
    expect(log).toEqual(['FINISHED', 'FINISHED'])
    expect(proc.listenerCount('beforeExit')).toBe(0)
    expect(proc.kills).toEqual([])
  })

  it('ends open runs KILLED on SIGTERM, then raises the signal again', async () => {
    const proc = fakeProcess()
    const log: RunStatus[] = []
    const hooks = new ExitHooks(1000, proc as unknown as NodeJS.Process)
    hooks.add(fakeRun(log))
    proc.emit('SIGTERM', 'SIGTERM')
    await settle()
    expect(log).toEqual(['KILLED'])
    expect(proc.kills).toEqual(['SIGTERM'])
  })

  it('leaves the decision to the program when it has its own signal listener', async () => {
    const proc = fakeProcess()
    const log: RunStatus[] = []
    const hooks = new ExitHooks(1000, proc as unknown as NodeJS.Process)
    proc.on('SIGINT', () => {})
    hooks.add(fakeRun(log))
    proc.emit('SIGINT', 'SIGINT')
    await settle()
    expect(log).toEqual(['KILLED'])
    expect(proc.kills).toEqual([])
  })

  it('re-raises at once on a second signal while still finishing', async () => {
    const proc = fakeProcess()
    const hooks = new ExitHooks(1000, proc as unknown as NodeJS.Process)
    hooks.add({ finishOnExit: () => new Promise<void>(() => {}) })
    proc.emit('SIGINT', 'SIGINT')
    proc.emit('SIGINT', 'SIGINT')
    expect(proc.kills).toEqual(['SIGINT'])
  })
})
