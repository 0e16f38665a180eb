/**
 * The daily retraining schedule: the pipeline on weekdays at 06:00 UTC (after the US close), run
 * by `cairn server`'s embedded scheduler from this folder. `cairn schedule add` stores it.
 */
import { HttpClient } from '../../src/client/http.js'
import { main as cairn } from '../../src/cli/main.js'
import { PipelinesClient } from '../../src/pipelines/client.js'

export const SCHEDULE = 'sp500-daily'
export const CRON = '0 6 * * 1-5'

/**
 * `cairn schedule add PIPELINE --name sp500-daily --cron "0 6 * * 1-5"`, replacing an older
 * schedule of that name so it runs what was just run (same parameters). Answers the next run time.
 */
export async function scheduleRetraining(
  pipelineFile: string,
  trackingUri: string,
  params: string[],
): Promise<string> {
  const pipelines = new PipelinesClient(new HttpClient({ trackingUri }))
  if ((await pipelines.listSchedules()).some((s) => s.name === SCHEDULE))
    await pipelines.deleteSchedule(SCHEDULE)
  const code = await cairn([
    ...[
      'node',
      'cairn',
      'schedule',
      'add',
      pipelineFile,
      '--name',
      SCHEDULE,
      '--cron',
      CRON,
      '--timezone',
      'UTC',
    ],
    ...['--tracking-uri', trackingUri, ...params.flatMap((p) => ['--param', p])],
  ])
  if (code !== 0) throw new Error(`cairn schedule add failed (exit ${code})`)
  const next = (await pipelines.getSchedule(SCHEDULE)).next_fire_time
  return next ? new Date(Number(next)).toISOString() : 'not scheduled'
}
