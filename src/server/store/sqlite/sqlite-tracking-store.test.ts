import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeTrackingStore } from '../tracking-store.contract.js'
import { SqliteTrackingStore } from './sqlite-tracking-store.js'

describeTrackingStore('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-store-'))
  const store = new SqliteTrackingStore({
    path: join(dir, 'cairn.db'),
    defaultArtifactRoot: 'mlflow-artifacts:',
  })
  return {
    store,
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
