import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { startTestServer } from '../test-support/test-server.js'
import { routeTableMarkdown } from './route-table.js'

describe('docs/api-routes.md', () => {
  it('lists exactly the routes the server mounts (regenerate with scripts/route-table.ts)', async () => {
    const s = await startTestServer()
    try {
      const doc = readFileSync(new URL('../../../docs/api-routes.md', import.meta.url), 'utf8')
      expect(doc).toBe(routeTableMarkdown(s.app.router))
    } finally {
      await s.close()
    }
  })
})
