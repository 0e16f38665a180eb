/**
 * Replays MLflow 2.10.2's recorded answers (test/golden/fixtures) against one Cairn server, in
 * scenario order, one test per case. Each case must match MLflow, or match the documented
 * difference in differences.ts (listed for people in docs/mlflow-differences.md).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { DIFFERENCES, differenceKey, expectationFor } from './differences.js'
import { Replayer } from './replay.js'
import { loadTranscript, REPLAYED_FILES } from './transcript.js'

describe('MLflow golden transcripts, replayed against Cairn', () => {
  let server: TestServer
  let replayer: Replayer

  beforeAll(async () => {
    server = await startTestServer()
    replayer = new Replayer(server.url, randomBytes(4).toString('hex'))
  })
  afterAll(async () => {
    await server.close()
  })

  for (const file of REPLAYED_FILES) {
    for (const c of loadTranscript(file).cases) {
      const { expectation, difference } = expectationFor(file, c)
      it(`${file}: ${c.name}`, async () => {
        const problems = await replayer.replay(c, expectation)
        const what = difference
          ? `matches the documented difference (${difference.reason})`
          : 'matches MLflow'
        expect(problems, what).toEqual([])
        for (const follow of difference?.followUps?.(c) ?? []) {
          expect(await replayer.replay(follow.request, follow.expect), `follow-up: ${follow.why}`).toEqual([])
        }
      })
    }
  }
})

describe('the table of documented differences', () => {
  it('names only cases that exist in the transcripts', () => {
    const known = new Set(
      REPLAYED_FILES.flatMap((f) => loadTranscript(f).cases.map((c) => differenceKey(f, c.name))),
    )
    expect(Object.keys(DIFFERENCES).filter((k) => !known.has(k))).toEqual([])
  })

  it('gives every difference a reason', () => {
    expect(
      Object.entries(DIFFERENCES)
        .filter(([, d]) => d.reason.trim() === '')
        .map(([k]) => k),
    ).toEqual([])
  })
})
