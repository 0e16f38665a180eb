/**
 * `cairn schedule add|list|pause|resume|delete|trigger|export`: pipelines run by `cairn server`'s
 * embedded scheduler. `add` stores the pipeline (validated) with its folder; the server runs it
 * there with the local executor, so the folder must be on the server's machine.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { stringify } from 'yaml'
import { PipelinesClient } from '../../pipelines/client.js'
import { loadPipelineFile } from '../../pipelines/spec/load.js'
import { parseParamArgs, resolveParams } from '../../pipelines/spec/params.js'
import { revalidateSpec, specToRaw } from '../../pipelines/spec/raw.js'
import type { WireSchedule } from '../../protocol/pipeline-wire.js'
import { cronJobManifests } from '../../server/schedule/cronjob.js'
import { renderTable } from '../format/table.js'
import { formatTime, jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface AddFlags extends TrackingFlags {
  cron: string
  name?: string
  timezone: string
  maxConcurrent: number
  catchup?: boolean
  param?: string[]
  experiment?: string
  workdir?: string
  backend: string
}

interface ExportFlags extends TrackingFlags {
  kubernetes?: boolean
  image: string
  namespace: string
  clusterTrackingUri?: string
  appDir: string
  serviceAccount?: string
  output?: string
}

function scheduleTable(
  list: WireSchedule[],
  flags: { style: ReturnType<typeof terminalOutput>['style'] },
): string {
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'PIPELINE' },
      { header: 'CRON' },
      { header: 'TIMEZONE' },
      { header: 'STATE' },
      { header: 'NEXT RUN' },
      { header: 'FIRED', align: 'right' },
      { header: 'SKIPPED', align: 'right' },
      { header: 'MAX', align: 'right' },
      { header: 'CATCHUP' },
    ],
    list.map((s) => [
      s.name,
      s.pipeline,
      s.cron,
      s.timezone,
      s.paused ? { text: 'paused', paint: flags.style.yellow } : { text: 'active', paint: flags.style.green },
      formatTime(s.next_fire_time),
      String(s.fired_count),
      String(s.skipped_count),
      String(s.max_concurrent),
      s.catchup ? 'yes' : 'no',
    ]),
    { style: flags.style },
  )
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program
    .command('schedule')
    .description("Run pipelines on a cron schedule from cairn server's scheduler")

  addTrackingOptions(
    schedule
      .command('add')
      .description('Schedule a pipeline file: the server runs it at each cron time')
      .argument('<pipeline>', 'pipeline file (YAML, JSON or JS/TS module)')
      .requiredOption(
        '--cron <expr>',
        'when, e.g. "0 6 * * 1-5" (minute hour day month weekday; 6 fields: seconds first)',
      )
      .option('--name <name>', "schedule name (default: the pipeline's name)")
      .option('--timezone <tz>', 'IANA time zone the cron is read in', 'UTC')
      .option('--max-concurrent <n>', 'most runs of this schedule at once', positiveInt, 1)
      .option('--catchup', 'after downtime, run every missed time (default: only the newest)')
      .option('--param <name=value>', 'pipeline parameter for every run (repeatable)', collect)
      .option('--experiment <name>', 'experiment to record runs in')
      .option('--workdir <dir>', "the pipeline's folder on the server's machine (default: the file's folder)")
      .addOption(
        new Option('--backend <name>', 'where steps run').choices(['local', 'kubernetes']).default('local'),
      ),
  ).action(async (file: string, flags: AddFlags) => {
    await withClient(flags, async (client) => {
      const loaded = await loadPipelineFile(file)
      const params = resolveParams(loaded.spec, parseParamArgs(flags.param ?? []))
      const s = await new PipelinesClient(client.http).createSchedule({
        name: flags.name ?? loaded.spec.name,
        spec: loaded.spec,
        params,
        workdir: flags.workdir ? resolve(flags.workdir) : loaded.workdir,
        cron: flags.cron,
        timezone: flags.timezone,
        maxConcurrent: flags.maxConcurrent,
        catchup: flags.catchup === true,
        backend: flags.backend,
        ...(flags.experiment ? { experimentName: flags.experiment } : {}),
      })
      if (flags.json) return void process.stdout.write(jsonText(s))
      process.stdout.write(
        `schedule ${s.name}: ${s.pipeline} at "${s.cron}" (${s.timezone}); next run ${formatTime(s.next_fire_time)}\n`,
      )
    })
  })

  addTrackingOptions(schedule.command('list').description('List schedules with their next run')).action(
    async (flags: TrackingFlags) => {
      await withClient(flags, async (client) => {
        const list = await new PipelinesClient(client.http).listSchedules()
        const out = terminalOutput()
        if (flags.json) return out.write(jsonText(list))
        if (list.length === 0)
          return out.note('No schedules. Add one with `cairn schedule add <file> --cron "0 6 * * *"`.')
        out.write(scheduleTable(list, out))
      })
    },
  )

  const simple = (
    name: string,
    description: string,
    act: (c: PipelinesClient, n: string) => Promise<string>,
  ): void => {
    addTrackingOptions(
      schedule.command(name).description(description).argument('<name>', 'schedule name'),
    ).action(async (n: string, flags: TrackingFlags) => {
      await withClient(flags, async (client) => {
        process.stdout.write(`${await act(new PipelinesClient(client.http), n)}\n`)
      })
    })
  }
  simple('pause', 'Stop firing (runs already going continue)', async (c, n) => {
    await c.pauseSchedule(n)
    return `schedule ${n} paused`
  })
  simple('resume', 'Fire again from now on (time spent paused is not caught up)', async (c, n) => {
    const s = await c.resumeSchedule(n)
    return `schedule ${n} resumed; next run ${formatTime(s.next_fire_time)}`
  })
  simple('delete', 'Delete a schedule (its past runs stay)', async (c, n) => {
    await c.deleteSchedule(n)
    return `schedule ${n} deleted`
  })
  simple(
    'trigger',
    'Run the scheduled pipeline now, on the server',
    async (c, n) => `started pipeline run ${await c.triggerSchedule(n)}`,
  )

  addTrackingOptions(
    schedule
      .command('export')
      .description(
        'Write a schedule as Kubernetes manifests (a batch/v1 CronJob and a ConfigMap with the pipeline)',
      )
      .argument('<name>', 'schedule name')
      .option('--kubernetes', 'Kubernetes manifests (the only format)')
      .requiredOption('--image <image>', 'image with cairn and the pipeline code')
      .option('--namespace <ns>', 'namespace', 'default')
      .option(
        '--cluster-tracking-uri <uri>',
        'where pods reach the tracking server (default: --tracking-uri)',
      )
      .option('--app-dir <dir>', 'folder in the image holding the pipeline code', '/app')
      .option('--service-account <name>', 'service account for the pod')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action(async (name: string, flags: ExportFlags) => {
    await withClient(flags, async (client) => {
      const s = await new PipelinesClient(client.http).getSchedule(name)
      const spec = revalidateSpec(s.spec)
      const docs = cronJobManifests(
        {
          name: s.name,
          pipeline: s.pipeline,
          spec,
          params: s.params,
          workdir: s.workdir,
          experimentName: s.experiment_name ?? null,
          cron: s.cron,
          timezone: s.timezone,
          maxConcurrent: s.max_concurrent,
          catchup: s.catchup,
          paused: s.paused,
          backend: s.backend,
          createdTime: s.created_time,
          updatedTime: s.updated_time,
          lastFireTime: s.last_fire_time,
          firedCount: s.fired_count,
          skippedCount: s.skipped_count,
          leaseOwner: null,
          leaseUntil: null,
        },
        {
          image: flags.image,
          namespace: flags.namespace,
          trackingUri: flags.clusterTrackingUri ?? client.trackingUri,
          workdir: flags.appDir,
          pipelineJson: JSON.stringify(specToRaw(spec)),
          ...(flags.serviceAccount ? { serviceAccountName: flags.serviceAccount } : {}),
        },
      )
      const text =
        `# Generated by cairn schedule export ${name}\n` + docs.map((d) => stringify(d)).join('---\n')
      if (flags.output) {
        writeFileSync(flags.output, text)
        process.stderr.write(`wrote ${flags.output}\n`)
      } else process.stdout.write(text)
    })
  })
}
