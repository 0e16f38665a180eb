/**
 * `cairn monitor profile MODEL_URI DATA [--target COL] [--prediction COL]`: profiles a dataset
 * (the model's training data) and stores the profile and the expectations it implies beside the
 * registered version (monitoring/profile.json, monitoring/expectations.yaml), on demand — what
 * `run.logModel(…, { trainingData })` does at registration.
 */
import { existsSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import {
  computeAndStoreProfile,
  EXPECTATIONS_ARTIFACT,
  PROFILE_ARTIFACT,
} from '../../monitoring/artifacts/model-artifacts.js'
import { readTable, type TableFormat } from '../../monitoring/table/read.js'
import { parseModelUri } from '../../protocol/model-uri.js'
import { jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface ProfileFlags extends TrackingFlags {
  target?: string
  prediction?: string[]
  categorical?: string[]
  format?: TableFormat
  maxRows?: number
  expectations: boolean
  overwriteExpectations?: boolean
}

const FORMATS: TableFormat[] = ['csv', 'tsv', 'jsonl', 'json', 'parquet']

function formatArg(value: string): TableFormat {
  if (!FORMATS.includes(value as TableFormat))
    throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`)
  return value as TableFormat
}

const usage = (cmd: Command, message: string): never =>
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'cairn.usage' })

/** Only registered versions carry monitoring files: `runs:/` and plain locations have no version to tag. */
function checkModelUri(uri: string, cmd: Command): void {
  let kind: string
  try {
    kind = parseModelUri(uri).kind
  } catch (err) {
    return usage(cmd, `${uri}: ${(err as Error).message}`)
  }
  if (kind === 'run' || kind === 'location' || !/^models:/i.test(uri))
    usage(
      cmd,
      `${uri}: give a registered model version (models:/name/3, models:/name@alias, models:/name/Production, models:/name/latest); register the model first`,
    )
}

export function registerMonitorProfile(monitor: Command): void {
  addTrackingOptions(
    monitor
      .command('profile')
      .summary("Profile a model's training data and store it with the version")
      .description(
        `Profile DATA (CSV, TSV, JSON Lines, JSON or Parquet: the model's training data) and store the profile (${PROFILE_ARTIFACT}) and the expectations it implies (${EXPECTATIONS_ARTIFACT}, kept when it already exists) beside the registered version MODEL_URI names. Drift checks use the profile as their reference; cairn validate and serving's --validate use the expectations.`,
      )
      .argument('<model-uri>', 'the registered version, e.g. models:/churn/3 or models:/churn@champion')
      .argument('<data>', 'the dataset to profile')
      .option('--target <column>', 'the ground-truth column (profiled, not required by the expectations)')
      .option('--prediction <column>', 'a column of model predictions (repeatable)', collect)
      .option(
        '--categorical <column>',
        'read this numeric column as categories, e.g. class labels (repeatable)',
        collect,
      )
      .option(
        '--format <format>',
        `data format (default: from the extension; ${FORMATS.join(', ')})`,
        formatArg,
      )
      .option('--max-rows <n>', 'refuse data with more rows than this (default 20,000,000)', positiveInt)
      .option('--no-expectations', 'store the profile only')
      .option('--overwrite-expectations', `replace an existing (possibly edited) ${EXPECTATIONS_ARTIFACT}`),
  ).action(async (uri: string, data: string, flags: ProfileFlags, cmd: Command) => {
    checkModelUri(uri, cmd)
    if (!existsSync(data)) usage(cmd, `no such file: ${data}`)
    const table = await readTable(data, {
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.maxRows ? { maxRows: flags.maxRows } : {}),
    })
    const names = new Set(table.columns.map((c) => c.name))
    const unknown = [flags.target, ...(flags.prediction ?? []), ...(flags.categorical ?? [])].filter(
      (c): c is string => c !== undefined && !names.has(c),
    )
    if (unknown.length > 0)
      usage(
        cmd,
        `${data} has no column ${unknown.map((c) => `'${c}'`).join(', ')} (columns: ${[...names].join(', ')})`,
      )
    await withClient(flags, async (client) => {
      const resolved = await client.registry.resolve(uri)
      if (!resolved.modelVersion) throw new Error(`${uri} does not name a registered model version`)
      const stored = await computeAndStoreProfile(client, resolved.modelVersion, table, {
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.prediction ? { prediction: flags.prediction } : {}),
        ...(flags.categorical ? { categorical: flags.categorical } : {}),
        source: { dataset: data },
        expectations: flags.expectations,
        ...(flags.overwriteExpectations ? { overwriteExpectations: true } : {}),
      })
      const out = terminalOutput()
      const mv = stored.modelVersion
      if (flags.json) {
        out.write(
          jsonText({
            model: mv.name,
            version: mv.version,
            location: stored.location,
            profile: stored.profile,
            expectations: stored.expectations,
            expectations_written: stored.expectationsWritten,
          }),
        )
        return
      }
      const p = stored.profile
      const lines = [
        `${uri} (${mv.name} version ${mv.version}): profiled ${p.rowCount} rows × ${p.columns.length} columns of ${data}`,
        `stored ${stored.location}/${PROFILE_ARTIFACT}`,
      ]
      if (stored.expectations) {
        const n = Object.keys(stored.expectations.columns).length
        lines.push(
          stored.expectationsWritten
            ? `stored ${stored.location}/${EXPECTATIONS_ARTIFACT} (inferred for ${n} columns; edit it to loosen or tighten them)`
            : `kept the existing ${EXPECTATIONS_ARTIFACT} (${n} columns; --overwrite-expectations replaces it)`,
        )
      }
      out.write(lines.join('\n') + '\n')
    })
  })
}
