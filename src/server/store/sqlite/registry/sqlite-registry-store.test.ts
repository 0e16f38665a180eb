import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRegistryAliases } from '../../registry-alias.contract.js'
import { describeRegistrySearch } from '../../registry-search.contract.js'
import { describeRegistryStore, type OpenRegistryStore } from '../../registry-store.contract.js'
import { migrate, openSqlite } from '../db.js'
import { SQLITE_MIGRATIONS } from '../migrations.js'
import { openSqliteStores } from '../open-sqlite-stores.js'

const onDisk: OpenRegistryStore = async ({ clock }) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-registry-'))
  const { tracking, registry } = openSqliteStores({
    path: join(dir, 'cairn.db'),
    defaultArtifactRoot: 'mlflow-artifacts:',
    ...(clock ? { registryClock: clock } : {}),
  })
  return {
    registry,
    cleanup: async () => {
      await registry.close()
      await tracking.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// In memory for the property tests: each case opens a fresh database, and a file costs a
// checkpointer thread and an fsync per open for nothing these tests look at.
const inMemory: OpenRegistryStore = async ({ clock }) => {
  const { tracking, registry } = openSqliteStores({
    path: ':memory:',
    defaultArtifactRoot: 'mlflow-artifacts:',
    ...(clock ? { registryClock: clock } : {}),
  })
  return {
    registry,
    cleanup: async () => {
      await registry.close()
      await tracking.close()
    },
  }
}

describeRegistryStore('sqlite (file)', onDisk)
describeRegistryAliases('sqlite (file)', onDisk)
describeRegistrySearch('sqlite (memory)', inMemory)

describe('the registry in the tracking database', () => {
  it('adds its tables to a database made before the registry existed, keeping what it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-registry-migrate-'))
    try {
      const path = join(dir, 'cairn.db')
      const old = openSqlite({ path, migrations: SQLITE_MIGRATIONS.filter((m) => m.version === 1) })
      expect(old.pragma('user_version', { simple: true })).toBe(1)
      old.prepare("INSERT INTO experiments VALUES (7, 'kept', 'x', 'active', 1, 1)").run()
      old.close()
      const { tracking, registry } = openSqliteStores({ path, defaultArtifactRoot: 'mlflow-artifacts:' })
      expect(tracking.database.pragma('user_version', { simple: true })).toBe(
        Math.max(...SQLITE_MIGRATIONS.map((m) => m.version)),
      )
      expect((await tracking.getExperiment('7')).name).toBe('kept')
      await registry.createRegisteredModel({ name: 'm', description: '', tags: [] })
      await registry.close()
      await tracking.close()
      const reopened = openSqlite({ path, migrations: SQLITE_MIGRATIONS })
      migrate(reopened, SQLITE_MIGRATIONS)
      expect(reopened.prepare('SELECT name FROM registered_models').pluck().all()).toEqual(['m'])
      reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
