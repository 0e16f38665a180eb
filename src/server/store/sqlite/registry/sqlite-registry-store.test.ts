import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeRegistrySearch } from '../../registry-search.contract.js'
import { describeRegistryStore, type OpenRegistryStore } from '../../registry-store.contract.js'
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
describeRegistrySearch('sqlite (memory)', inMemory)
