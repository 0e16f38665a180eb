/**
 * Run counts and last activity per experiment, from runs/search alone: the newest run gives the
 * last activity, and counting walks one-run pages by offset (doubling, then bisecting) up to a
 * cap, so an experiment with 100,000 runs costs about 40 tiny requests, never a full listing.
 */
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import { call, pageTokenAt } from './client.js'

export interface Activity {
  runs: number
  /** The count stopped at the cap. */
  more: boolean
  lastRun: number | null
}

const CAP = 1_000_000

async function probe(experimentId: string, offset: number): Promise<number | null> {
  const a = await call(TRACKING_API.searchRuns, {
    experiment_ids: [experimentId],
    max_results: 1,
    page_token: pageTokenAt(offset),
    order_by: ['attributes.start_time DESC'],
  })
  const run = a.runs?.[0]
  return run ? Number(run.info.start_time) : null
}

export async function countRuns(experimentId: string): Promise<Activity> {
  const lastRun = await probe(experimentId, 0)
  if (lastRun === null) return { runs: 0, more: false, lastRun: null }
  let lo = 1
  let hi = 2
  while (hi <= CAP && (await probe(experimentId, hi - 1)) !== null) {
    lo = hi
    hi *= 2
  }
  if (hi > CAP) return { runs: lo, more: true, lastRun }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if ((await probe(experimentId, mid - 1)) !== null) lo = mid
    else hi = mid
  }
  return { runs: lo, more: false, lastRun }
}

export async function experimentActivity(ids: string[]): Promise<Map<string, Activity>> {
  const out = new Map<string, Activity>()
  // A few at a time: the browser keeps six connections per host.
  const queue = [...ids]
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) out.set(id, await countRuns(id))
    }),
  )
  return out
}
