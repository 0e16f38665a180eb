/** A server, a pipeline folder and a local executor for orchestrator tests. For tests only. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnClient } from '../../client/index.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { PipelinesClient } from '../client.js'
import { LocalExecutor } from '../executors/local/local-executor.js'
import { parsePipelineText } from '../spec/load.js'
import { resolveParams } from '../spec/params.js'
import type { PipelineSpec } from '../spec/types.js'
import type { PipelineEvent } from '../orchestrator/events.js'
import { runPipeline, type OrchestratorOptions, type PipelineOutcome } from '../orchestrator/orchestrator.js'

export interface Harness {
  server: TestServer
  client: PipelinesClient
  sdk: CairnClient
  dir: string
  executor: LocalExecutor
  /** Moves the pipeline service's clock (heartbeats, lost-run sweeps) forward. */
  advance(ms: number): void
  file(name: string, text: string): string
  spec(yaml: string): PipelineSpec
  run(
    yaml: string | PipelineSpec,
    over?: Partial<OrchestratorOptions> & { given?: Record<string, string> },
  ): Promise<PipelineOutcome & { events: PipelineEvent[] }>
  close(): Promise<void>
}

export async function harness(): Promise<Harness> {
  let offset = 0
  const clock = { now: () => Date.now() + offset }
  const server = await startTestServer({}, { pipelines: { scheduler: false, clock } })
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pipe-'))
  const client = PipelinesClient.forUri(server.url)
  const executor = new LocalExecutor({
    maxConcurrent: 8,
    killGraceMs: 300,
    scratchDir: join(dir, '.scratch'),
  })
  const h: Harness = {
    server,
    client,
    sdk: new CairnClient({ trackingUri: server.url, handleExit: false }),
    dir,
    executor,
    advance: (ms) => {
      offset += ms
    },
    file: (name, text) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
    spec: (yaml) => parsePipelineText(yaml),
    run: async (yaml, over = {}) => {
      const spec = typeof yaml === 'string' ? parsePipelineText(yaml) : yaml
      const events: PipelineEvent[] = []
      const { given, ...rest } = over
      const out = await runPipeline({
        spec,
        params: resolveParams(spec, given ?? {}),
        workdir: dir,
        executor,
        client,
        heartbeatMs: 100,
        logFlushMs: 20,
        sleep: async () => {},
        onEvent: (e) => events.push(e),
        ...rest,
      })
      return { ...out, events }
    },
    close: async () => {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}
