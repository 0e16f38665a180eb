/**
 * Writes docs/api.md's route table from the routes a running server mounts, so the doc cannot
 * drift from the code: `npx tsx scripts/route-table.ts > docs/api-routes.md`
 * (src/server/http/route-table.test.ts fails when the file is stale).
 */
import { startTestServer } from '../src/server/test-support/test-server.js'
import { routeTableMarkdown } from '../src/server/http/route-table.js'

const s = await startTestServer()
try {
  process.stdout.write(routeTableMarkdown(s.app.router))
} finally {
  await s.close()
}
