/** `cairn pipeline runs`, `show` and `logs`: reading pipeline runs from the tracking server. */
import { Option, type Command } from 'commander'
import { PipelinesClient } from '../../pipelines/client.js'
import {
  PIPELINE_RUN_STATUSES,
  type PipelineRunRecord,
  type PipelineRunStatus,
  type StepRecord,
  type StepStatus,
} from '../../protocol/pipeline-entities.js'
import type { Style } from '../format/style.js'
import { renderTable, type Cell } from '../format/table.js'
import { formatDuration, formatTime, jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

const paint = (style: Style, status: string): Cell => ({
  text: status,
  paint:
    status === 'succeeded'
      ? style.green
      : status === 'failed'
        ? style.red
        : status === 'running'
          ? style.cyan
          : status === 'cancelled'
            ? style.yellow
            : style.dim,
})

const duration = (start: number | null, end: number | null, now: number): string =>
  start === null ? '-' : formatDuration((end ?? now) - start)

/** Fan-out items shown under their step before the rest are summed up. */
const ITEMS_SHOWN = 10

export function stepRows(steps: StepRecord[], style: Style, all: boolean): Cell[][] {
  const now = Date.now()
  const rows: Cell[][] = []
  const row = (s: StepRecord, label: string): Cell[] => [
    label,
    paint(style, s.status),
    s.attempts > 1 ? String(s.attempts) : s.attempts === 1 ? '1' : '-',
    duration(s.startTime, s.endTime, now),
    s.cacheHit ? (s.message.includes('(resume)') ? 'reused' : 'hit') : s.cacheKey ? 'miss' : '-',
    s.exitCode === null ? '-' : String(s.exitCode),
    s.runId ?? '-',
    s.message,
  ]
  const items = new Map<string, StepRecord[]>()
  for (const s of steps) if (s.itemIndex !== null) items.set(s.step, [...(items.get(s.step) ?? []), s])
  for (const s of steps) {
    if (s.itemIndex !== null) continue
    rows.push(row(s, s.stepKey))
    const list = items.get(s.step) ?? []
    const shown = all ? list : list.slice(0, ITEMS_SHOWN)
    for (const i of shown) rows.push(row(i, `  ${i.stepKey}`))
    if (shown.length < list.length) {
      const rest = list.slice(shown.length)
      const counts = new Map<StepStatus, number>()
      for (const r of rest) counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
      const text = [...counts].map(([k, n]) => `${n} ${k}`).join(', ')
      rows.push([
        style.dim(`  … ${rest.length} more items`),
        text,
        '',
        '',
        '',
        '',
        '',
        'show them with --all',
      ])
    }
  }
  return rows
}

function runsTable(runs: PipelineRunRecord[], style: Style, maxCellWidth: number | undefined): string {
  const now = Date.now()
  return renderTable(
    [
      { header: 'RUN ID' },
      { header: 'PIPELINE' },
      { header: 'STATUS' },
      { header: 'STARTED' },
      { header: 'DURATION', align: 'right' },
      { header: 'TRIGGER' },
      { header: 'MESSAGE' },
    ],
    runs.map((r) => [
      r.runId,
      r.pipeline,
      paint(style, r.status),
      formatTime(r.startTime),
      duration(r.startTime, r.endTime, now),
      r.scheduleName
        ? `schedule ${r.scheduleName}`
        : r.resumedFrom
          ? `resume ${r.resumedFrom.slice(0, 8)}`
          : (r.orchestrator.split(':')[0] ?? ''),
      r.message,
    ]),
    { style, ...(maxCellWidth !== undefined ? { maxCellWidth } : {}) },
  )
}

interface RunsFlags extends TrackingFlags {
  pipeline?: string
  status?: PipelineRunStatus
  schedule?: string
  maxResults: number
}

interface ShowFlags extends TrackingFlags {
  all?: boolean
}

interface LogsFlags extends TrackingFlags {
  follow?: boolean
  interval: number
}

export function registerPipelineInspect(pipeline: Command): void {
  addTrackingOptions(
    pipeline
      .command('runs')
      .description('List pipeline runs, newest first')
      .option('--pipeline <name>', 'only runs of this pipeline')
      .addOption(
        new Option('--status <status>', 'only runs in this state').choices([...PIPELINE_RUN_STATUSES]),
      )
      .option('--schedule <name>', 'only runs started by this schedule')
      .option('--max-results <n>', 'show at most n runs', positiveInt, 50),
  ).action(async (flags: RunsFlags) => {
    await withClient(flags, async (client) => {
      const page = await new PipelinesClient(client.http).searchRuns({
        ...(flags.pipeline ? { pipeline: flags.pipeline } : {}),
        ...(flags.status ? { status: flags.status } : {}),
        ...(flags.schedule ? { scheduleName: flags.schedule } : {}),
        maxResults: flags.maxResults,
      })
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText(page))
      if (page.runs.length === 0)
        return out.note('No pipeline runs yet. Start one with `cairn pipeline run <file>`.')
      out.write(runsTable(page.runs, out.style, out.maxCellWidth))
    })
  })

  addTrackingOptions(
    pipeline
      .command('show')
      .description('A pipeline run and its steps: status, attempts, duration, cache, exit code')
      .argument('<run-id>', 'the pipeline run')
      .option('--all', 'list every item of fan-outs'),
  ).action(async (runId: string, flags: ShowFlags) => {
    await withClient(flags, async (client) => {
      const { run, steps } = await new PipelinesClient(client.http).getRun(runId)
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText({ run, steps }))
      const s = out.style
      const params = Object.entries(run.params).map(
        ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
      )
      out.write(
        [
          `${s.bold('pipeline')}  ${run.pipeline}`,
          `${s.bold('run')}       ${run.runId}`,
          `${s.bold('status')}    ${(paint(s, run.status) as { paint: (x: string) => string }).paint(run.status)}${run.message ? `  ${run.message}` : ''}`,
          `${s.bold('started')}   ${formatTime(run.startTime)}  (${duration(run.startTime, run.endTime, Date.now())})`,
          `${s.bold('params')}    ${params.join('  ') || '-'}`,
          `${s.bold('by')}        ${run.orchestrator}  backend ${run.backend}${run.useCache ? '' : '  (cache off)'}`,
          ...(run.scheduleName ? [`${s.bold('schedule')}  ${run.scheduleName}`] : []),
          ...(run.resumedFrom ? [`${s.bold('resumes')}   ${run.resumedFrom}`] : []),
          '',
          '',
        ].join('\n'),
      )
      out.write(
        renderTable(
          [
            { header: 'STEP' },
            { header: 'STATUS' },
            { header: 'ATTEMPTS', align: 'right' },
            { header: 'DURATION', align: 'right' },
            { header: 'CACHE' },
            { header: 'EXIT', align: 'right' },
            { header: 'STEP RUN' },
            { header: 'MESSAGE' },
          ],
          stepRows(steps, s, flags.all === true),
          {
            style: s,
            ...(out.maxCellWidth !== undefined ? { maxCellWidth: Math.max(out.maxCellWidth, 60) } : {}),
          },
        ),
      )
    })
  })

  addTrackingOptions(
    pipeline
      .command('logs')
      .description("A pipeline run's step output: one step (or a fan-out's items), or every step in order")
      .argument('<run-id>', 'the pipeline run')
      .argument('[step]', 'a step (train), a fan-out item (fit[3]) or a fan-out step (fit: all its items)')
      .option('-f, --follow', 'keep printing new output until the run ends')
      .option('--interval <ms>', 'how often --follow asks for more', positiveInt, 500),
  ).action(async (runId: string, step: string | undefined, flags: LogsFlags) => {
    await withClient(flags, async (client) => {
      await printLogs(new PipelinesClient(client.http), {
        runId,
        step,
        follow: flags.follow === true,
        intervalMs: flags.interval,
      })
    })
  })
}

const ENDED = new Set(['succeeded', 'failed', 'skipped', 'cancelled'])

/**
 * Prints logs from the server's live log record. With several steps each line is prefixed with
 * its step; with --follow it polls until the run ended and every step's log is drained.
 */
export async function printLogs(
  client: PipelinesClient,
  o: {
    runId: string
    step: string | undefined
    follow: boolean
    intervalMs: number
    write?: (s: string) => void
  },
): Promise<void> {
  const write = o.write ?? ((s: string): void => void process.stdout.write(s))
  const offsets = new Map<string, number>()
  const partial = new Map<string, string>()
  for (;;) {
    const { run, steps } = await client.getRun(o.runId)
    const chosen = steps.filter((s) =>
      o.step === undefined
        ? s.itemIndex !== null || !steps.some((x) => x.step === s.step && x.itemIndex !== null)
        : s.stepKey === o.step || (s.step === o.step && s.itemIndex !== null),
    )
    if (o.step !== undefined && chosen.length === 0) {
      const known = [...new Set(steps.map((s) => s.step))].join(', ')
      throw new Error(`pipeline run ${o.runId} has no step '${o.step}'; its steps: ${known || '(none yet)'}`)
    }
    const prefix = chosen.length > 1 || o.step === undefined
    let drained = true
    for (const s of chosen) {
      if (s.cacheHit && !offsets.has(s.stepKey)) {
        offsets.set(s.stepKey, 0)
        write(
          `${prefix ? `[${s.stepKey}] ` : ''}(${s.message || 'from the cache'}; its output is in that run's logs/step.log)\n`,
        )
        continue
      }
      if (s.cacheHit) continue
      let offset = offsets.get(s.stepKey) ?? 0
      if (offset >= s.logBytes && ENDED.has(s.status)) continue
      for (;;) {
        const slice = await client.readLogs(o.runId, s.stepKey, offset)
        if (slice.text === '') break
        offset = slice.nextOffset
        if (!prefix) write(slice.text)
        else {
          const text = (partial.get(s.stepKey) ?? '') + slice.text
          const cut = text.lastIndexOf('\n') + 1
          partial.set(s.stepKey, text.slice(cut))
          for (const line of text.slice(0, cut).split('\n').slice(0, -1)) write(`[${s.stepKey}] ${line}\n`)
        }
      }
      offsets.set(s.stepKey, offset)
      if (!ENDED.has(s.status)) drained = false
    }
    if (!o.follow || (run.status !== 'running' && drained)) break
    await new Promise((r) => setTimeout(r, o.intervalMs))
  }
  for (const [key, rest] of partial) if (rest !== '') write(`[${key}] ${rest}\n`)
}
