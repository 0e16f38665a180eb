/**
 * Replays MLflow 2.10.2's scoring-server exchanges (fixtures/scoring.json) against `cairn serve`
 * of the golden scoring model (fixtures/scoring-model, MLflow's onnx layout), one test per case.
 * Each case must match MLflow, or the documented difference in scoring-differences.ts (listed for
 * people in docs/mlflow-differences.md, "Scoring server").
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServe, type TestServe } from '../../src/server/serving/test-support/serve-harness.js'
import { Bindings } from './bindings.js'
import { compareAnswer } from './compare.js'
import { send } from './replay.js'
import { SCORING_DIFFERENCES, scoringExpectation } from './scoring-differences.js'
import { loadScoring, scoringRequest } from './scoring-replay.js'

const MODEL = fileURLToPath(new URL('./fixtures/scoring-model', import.meta.url))

describe('MLflow scoring-server transcripts, replayed against cairn serve', () => {
  let serve: TestServe
  let bindings: Bindings

  beforeAll(async () => {
    serve = await startTestServe(MODEL)
    bindings = new Bindings({ suffix: 'x', user: 'golden-user', baseUrl: serve.url })
  })
  afterAll(async () => {
    await serve.close()
  })

  for (const c of loadScoring().cases) {
    const { expectation, difference } = scoringExpectation(c)
    it(c.name, async () => {
      const answer = await send(serve.url, scoringRequest(c))
      const what = difference ? `matches the documented difference (${difference.reason})` : 'matches MLflow'
      expect(compareAnswer(expectation, answer, bindings), what).toEqual([])
    })
  }
})

describe('the table of scoring differences', () => {
  it('names only cases that exist in the transcript, each with a reason', () => {
    const known = new Set(loadScoring().cases.map((c) => c.name))
    expect(Object.keys(SCORING_DIFFERENCES).filter((k) => !known.has(k))).toEqual([])
    expect(Object.values(SCORING_DIFFERENCES).filter((d) => d.reason.trim() === '')).toEqual([])
  })

  it('covers 103 recorded exchanges', () => {
    expect(loadScoring().cases).toHaveLength(103)
  })
})
