/**
 * `cairn validate DATA --against models:/m@champion | PROFILE.json | EXPECTATIONS.yaml [--json]`:
 * checks a dataset against a model's data expectations (or those a profile implies). Exit code 0
 * when every expectation holds, 1 when one fails (a CI gate), 2 for usage errors.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { parseModelUri } from '../../protocol/model-uri.js'
import {
  EXPECTATIONS_ARTIFACT,
  loadMonitoringArtifacts,
  PROFILE_ARTIFACT,
} from '../../monitoring/artifacts/model-artifacts.js'
import { parseProfile } from '../../monitoring/profile/serialize.js'
import { readTable, type TableFormat } from '../../monitoring/table/read.js'
import {
  inferExpectations,
  parseExpectations,
  type Expectations,
} from '../../monitoring/validation/expectations.js'
import {
  validate,
  type ExpectationResult,
  type ValidationResult,
} from '../../monitoring/validation/validate.js'
import { renderTable, type Row } from '../format/table.js'
import { jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface ValidateFlags extends TrackingFlags {
  against: string
  format?: TableFormat
  maxRows?: number
}

const FORMATS: TableFormat[] = ['csv', 'tsv', 'jsonl', 'json', 'parquet']

function formatArg(value: string): TableFormat {
  if (!FORMATS.includes(value as TableFormat))
    throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`)
  return value as TableFormat
}

const usage = (cmd: Command, message: string): never =>
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'cairn.usage' })

interface Against {
  expectations: Expectations
  /** Where they came from, for the report. */
  source: string
}

async function expectationsFromFile(path: string, cmd: Command): Promise<Against> {
  if (!existsSync(path))
    return usage(
      cmd,
      `--against ${path}: no such file (give a models:/ URI, a profile .json or an expectations .yaml)`,
    )
  const text = await readFile(path, 'utf8')
  const ext = extname(path).toLowerCase()
  if (ext === '.yaml' || ext === '.yml') return { expectations: parseExpectations(text, path), source: path }
  if (ext === '.json') {
    const doc = JSON.parse(text) as { format?: unknown }
    if (doc.format === 'cairn.expectations')
      return { expectations: parseExpectations(doc, path), source: path }
    return {
      expectations: inferExpectations(parseProfile(doc, path)),
      source: `${path} (expectations inferred from the profile)`,
    }
  }
  return usage(cmd, `--against ${path}: expected a .json profile or a .yaml expectations file`)
}

async function expectationsFromModel(uri: string, flags: ValidateFlags): Promise<Against> {
  let out: Against | undefined
  await withClient(flags, async (client) => {
    const found = await loadMonitoringArtifacts(client, uri)
    const version = found.modelVersion ? ` (version ${found.modelVersion.version})` : ''
    if (found.expectations)
      out = { expectations: found.expectations, source: `${uri}${version} ${EXPECTATIONS_ARTIFACT}` }
    else if (found.profile) {
      out = {
        expectations: inferExpectations(found.profile),
        source: `${uri}${version} ${PROFILE_ARTIFACT} (expectations inferred)`,
      }
    } else {
      throw new Error(
        `${uri}${version} has neither ${EXPECTATIONS_ARTIFACT} nor ${PROFILE_ARTIFACT} in ${found.location}; store them with computeAndStoreProfile (docs/monitoring.md)`,
      )
    }
  })
  return out!
}

function examplesText(r: ExpectationResult): string {
  if (!r.examples?.length) return ''
  return ` (e.g. ${r.examples.map((e) => `row ${e.row}: ${e.value === null ? 'missing' : JSON.stringify(e.value)}`).join(', ')})`
}

function report(result: ValidationResult, ctx: { data: string; source: string }): string {
  const out = terminalOutput()
  const s = out.style
  const failed = result.results.filter((r) => !r.success)
  const head = result.success
    ? s.green(`passed: all ${result.passed} expectations hold on ${result.rows} rows`)
    : s.red(`FAILED: ${result.failed} of ${result.results.length} expectations failed on ${result.rows} rows`)
  const lines = [`${ctx.data} against ${ctx.source}`, head]
  if (failed.length > 0) {
    const rows: Row[] = failed.map((r) => [
      r.column ?? '(table)',
      r.expectation,
      { text: String(r.failingRows), paint: s.red },
      r.message + examplesText(r),
    ])
    lines.push(
      '',
      renderTable(
        [
          { header: 'column' },
          { header: 'expectation' },
          { header: 'rows', align: 'right' },
          { header: 'detail' },
        ],
        rows,
        { style: s, ...(out.maxCellWidth ? { maxCellWidth: 96 } : {}) },
      ),
    )
  }
  return lines.join('\n') + '\n'
}

export function registerValidateCommand(program: Command): void {
  addTrackingOptions(
    program
      .command('validate')
      .summary("Check a dataset against a model's data expectations")
      .description(
        `Validate DATA (CSV, TSV, JSON Lines, JSON or Parquet) against the expectations stored with a model version (${EXPECTATIONS_ARTIFACT}, or those inferred from ${PROFILE_ARTIFACT}), a profile .json, or an expectations .yaml. Exits 0 when every expectation holds, 1 when one fails, 2 on usage errors.`,
      )
      .argument('<data>', 'the dataset to check')
      .requiredOption(
        '--against <source>',
        'models:/name@alias | models:/name/version | runs:/id/path | profile.json | expectations.yaml',
      )
      .option(
        '--format <format>',
        `data format (default: from the extension; ${FORMATS.join(', ')})`,
        formatArg,
      )
      .option('--max-rows <n>', 'refuse data with more rows than this (default 20,000,000)', positiveInt),
  ).action(async (data: string, flags: ValidateFlags, cmd: Command) => {
    if (!existsSync(data)) usage(cmd, `no such file: ${data}`)
    let isModel = false
    try {
      isModel = /^(models|runs):/i.test(flags.against) && parseModelUri(flags.against).kind !== 'location'
    } catch (err) {
      usage(cmd, `--against ${flags.against}: ${(err as Error).message}`)
    }
    const against = isModel
      ? await expectationsFromModel(flags.against, flags)
      : await expectationsFromFile(flags.against, cmd)
    const table = await readTable(data, {
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.maxRows ? { maxRows: flags.maxRows } : {}),
    })
    const result = validate(table, against.expectations)
    const out = terminalOutput()
    out.write(
      flags.json
        ? jsonText({ data, against: against.source, ...result })
        : report(result, { data, source: against.source }),
    )
    if (!result.success) process.exitCode = 1
  })
}
