/** Canary split and shadow mode, with the prediction log as the witness of what each model scored. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeLogisticModel } from '../test-support/model-fixtures.js'
import { startTestServe, type TestServe } from '../test-support/serve-harness.js'

interface LogLine {
  request_id: string
  role: string
  model_uri: string
  outputs?: { label: number[] }
  error?: string
}

function logLines(serve: TestServe, model: string): LogLine[] {
  const dir = join(serve.home, 'predictions', model)
  return readdirSync(dir)
    .filter((f) => f.startsWith('predictions-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogLine)
}

const ROW = { dataframe_split: { columns: ['f0'], data: [[1]] } }

describe('traffic: canary and shadow', () => {
  let tmp: string
  let primary: string
  let challenger: string
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-traffic-'))
    primary = await writeLogisticModel(join(tmp, 'champion'), [1], 0)
    challenger = await writeLogisticModel(join(tmp, 'challenger'), [-1], 0)
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('sends about --canary-percent of requests to the canary and says which model answered', async () => {
    const s = await startTestServe(primary, { name: 'm', canary: challenger, canaryPercent: '50' })
    try {
      const labels: number[] = []
      for (let i = 0; i < 200; i++)
        labels.push((await s.post('/invocations', ROW)).json.predictions[0].label as number)
      const toCanary = labels.filter((l) => l === 0).length
      expect(toCanary).toBeGreaterThan(40)
      expect(toCanary).toBeLessThan(160)
      const answered = await s.post('/predict', { f0: 1 })
      expect([primary, challenger]).toContain(answered.json.model_uri)
    } finally {
      await s.close()
    }
  })

  it('sends nothing to a 0% canary and everything to a 100% one', async () => {
    for (const [percent, label] of [
      ['0', 1],
      ['100', 0],
    ] as const) {
      const s = await startTestServe(primary, { name: 'm', canary: challenger, canaryPercent: percent })
      try {
        for (let i = 0; i < 20; i++)
          expect((await s.post('/invocations', ROW)).json.predictions[0].label).toBe(label)
      } finally {
        await s.close()
      }
    }
  })

  it('scores a copy of every request on the shadow, logs it under the same request id, and never returns it', async () => {
    const s = await startTestServe(primary, { name: 'm', shadow: challenger })
    try {
      for (let i = 0; i < 10; i++) {
        const r = await s.post('/invocations', ROW, { 'X-Request-Id': `req-${i}` })
        expect(r.json.predictions[0].label).toBe(1)
      }
      await s.stop()
      const lines = logLines(s, 'm')
      const primaries = lines.filter((l) => l.role === 'primary')
      const shadows = lines.filter((l) => l.role === 'shadow')
      expect(primaries.map((l) => l.request_id).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `req-${i}`).sort(),
      )
      expect(shadows.map((l) => l.request_id).sort()).toEqual(primaries.map((l) => l.request_id).sort())
      expect(shadows.every((l) => l.model_uri === challenger && l.outputs?.label[0] === 0)).toBe(true)
    } finally {
      await s.close()
    }
  })
})
