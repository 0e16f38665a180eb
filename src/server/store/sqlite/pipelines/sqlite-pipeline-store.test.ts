import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describePipelineStore,
  runInput,
  scheduleInput,
  type OpenPipelineStore,
} from '../../pipeline-store.contract.js'
import { openSqliteStores } from '../open-sqlite-stores.js'

const onDisk: OpenPipelineStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pipelines-'))
  const { tracking, registry, pipelines, schedules } = openSqliteStores({
    path: join(dir, 'cairn.db'),
    defaultArtifactRoot: 'mlflow-artifacts:',
  })
  return {
    pipelines,
    schedules,
    cleanup: async () => {
      await registry.close()
      await tracking.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

describePipelineStore('sqlite (file)', onDisk)

describe('pipeline tables shared by two connections to one file', () => {
  it('lets only one of two processes claim a fire time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-pipelines-'))
    const path = join(dir, 'cairn.db')
    const a = openSqliteStores({ path, defaultArtifactRoot: 'mlflow-artifacts:' })
    const b = openSqliteStores({ path, defaultArtifactRoot: 'mlflow-artifacts:' })
    try {
      await a.schedules.createSchedule(scheduleInput())
      expect(await a.schedules.acquireLease('nightly', 'replica-a', 1000, 60_000)).toBe(true)
      expect(await b.schedules.acquireLease('nightly', 'replica-b', 1000, 60_000)).toBe(false)
      const claim = { name: 'nightly', expected: 1000, fireTime: 2000, now: 2000, fired: true, skipped: 0 }
      expect(await b.schedules.claimFire({ ...claim, owner: 'replica-b' })).toBe(false)
      expect(await a.schedules.claimFire({ ...claim, owner: 'replica-a' })).toBe(true)
      expect(await a.schedules.claimFire({ ...claim, owner: 'replica-a' })).toBe(false)
      await a.pipelines.createRun(runInput())
      expect((await b.pipelines.getRun('r1')).pipeline).toBe('demo')
    } finally {
      await a.tracking.close()
      await b.tracking.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
