/**
 * Inline data validation (`cairn serve --validate flag|reject`): when a version is loaded, its
 * stored expectations (monitoring/expectations.yaml, else those its monitoring/profile.json
 * implies) are read fresh from where the version is stored and compiled into row checks; every
 * request's rows are then checked before the model runs. `reject` answers 400 naming the failed
 * expectations and rows; `flag` predicts anyway, marks the prediction-log record and counts.
 * A version without either file is served unchecked.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Counter, type Registry } from 'prom-client'
import { EXPECTATIONS_ARTIFACT, PROFILE_ARTIFACT } from '../../../monitoring/artifacts/model-artifacts.js'
import { parseProfile } from '../../../monitoring/profile/serialize.js'
import {
  inferExpectations,
  parseExpectations,
  type Expectations,
} from '../../../monitoring/validation/expectations.js'
import { CairnError } from '../../../protocol/errors.js'
import type { Logger } from '../../logging.js'
import type { ModelSource } from '../sources/model-source.js'
import type { LoadedModel, ModelInput } from '../types.js'
import {
  compileChecks,
  describeFailures,
  runChecks,
  type CompiledChecks,
  type InlineOutcome,
} from './inline-checks.js'

export const VALIDATION_MODES = ['off', 'flag', 'reject'] as const
export type ValidationMode = (typeof VALIDATION_MODES)[number]

export function parseValidationMode(flag: string, raw: string | undefined): ValidationMode {
  if (raw === undefined) return 'off'
  if ((VALIDATION_MODES as readonly string[]).includes(raw)) return raw as ValidationMode
  throw new Error(`${flag} must be one of ${VALIDATION_MODES.join(', ')}, got '${raw}'`)
}

export interface InlineValidationDeps {
  source: ModelSource
  registry: Registry
  log: Logger
}

function counter<L extends string>(
  registry: Registry,
  def: { name: string; help: string; labelNames: L[] },
): Counter<L> {
  // One registry may be shared by several serving engines (cairn server's /metrics).
  return (
    (registry.getSingleMetric(def.name) as Counter<L> | undefined) ??
    new Counter({ ...def, registers: [registry] })
  )
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT'

export class InlineValidation {
  private readonly checks = new WeakMap<LoadedModel, CompiledChecks | null>()
  private readonly failures: Counter<'model' | 'expectation' | 'column'>
  private readonly rows: Counter<'model' | 'result'>
  private readonly rowsByModel = new Map<string, { passed: Counter.Internal; failed: Counter.Internal }>()

  constructor(
    readonly mode: Exclude<ValidationMode, 'off'>,
    private readonly deps: InlineValidationDeps,
  ) {
    this.failures = counter(deps.registry, {
      name: 'cairn_serving_validation_failures_total',
      help: "Request rows breaking the served version's data expectations (--validate flag|reject), by expectation and column.",
      labelNames: ['model', 'expectation', 'column'],
    })
    this.rows = counter(deps.registry, {
      name: 'cairn_serving_validation_rows_total',
      help: 'Request rows checked against data expectations, by result (passed, failed).',
      labelNames: ['model', 'result'],
    })
  }

  /** A stored file of the version: fresh from its store when the source can read it, else from the fetched folder. */
  private async read(model: LoadedModel, dir: string, path: string): Promise<string | null> {
    const source = this.deps.source
    if (source.readFile) return source.readFile(model.origin, path)
    return readFile(join(dir, path), 'utf8').catch((err: unknown) => {
      if (isMissing(err)) return null
      throw err
    })
  }

  private async expectationsOf(model: LoadedModel, dir: string): Promise<Expectations | null> {
    const o = model.origin
    const what = `${o.name}${o.version ? ` version ${o.version}` : ''}`
    try {
      const text = await this.read(model, dir, EXPECTATIONS_ARTIFACT)
      if (text !== null) return parseExpectations(text, `${what} ${EXPECTATIONS_ARTIFACT}`)
      const profile = await this.read(model, dir, PROFILE_ARTIFACT)
      return profile === null ? null : inferExpectations(parseProfile(profile, `${what} ${PROFILE_ARTIFACT}`))
    } catch (err) {
      throw new CairnError(
        'INVALID_STATE',
        `--validate ${this.mode}: cannot read the data expectations of ${what}: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  /** Reads and compiles a newly loaded version's expectations; throws (the version is not served) when they cannot be read. */
  async attach(model: LoadedModel, dir: string): Promise<void> {
    const expectations = await this.expectationsOf(model, dir)
    const checks = expectations ? compileChecks(expectations) : null
    this.checks.set(model, checks)
    const o = model.origin
    this.deps.log.info(
      { model: o.name, version: o.version, mode: this.mode, columns: checks?.columns.length ?? 0 },
      checks ? 'inline validation on' : 'no stored data expectations: requests are not validated',
    )
  }

  private rowCounters(model: string): { passed: Counter.Internal; failed: Counter.Internal } {
    let c = this.rowsByModel.get(model)
    if (!c) {
      c = { passed: this.rows.labels(model, 'passed'), failed: this.rows.labels(model, 'failed') }
      this.rowsByModel.set(model, c)
    }
    return c
  }

  /**
   * Checks a request's rows for `model`: throws a 400 in `reject` mode, returns the outcome to
   * mark the log record with in `flag` mode; undefined when every row passes or nothing is checked.
   */
  check(model: LoadedModel, input: ModelInput): InlineOutcome | undefined {
    const checks = this.checks.get(model)
    if (!checks) return undefined
    const outcome = runChecks(checks, input)
    if (outcome === null) return undefined
    const name = model.origin.name
    const rows = this.rowCounters(name)
    rows.passed.inc(outcome.rows - outcome.failedRows)
    if (outcome.failedRows === 0) return undefined
    rows.failed.inc(outcome.failedRows)
    for (const f of outcome.failures) this.failures.labels(name, f.expectation, f.column).inc(f.count)
    if (this.mode === 'reject') {
      const v = model.origin.version
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Invalid input. ${outcome.failedRows} of ${outcome.rows} rows break the data expectations of model '${name}'${v ? ` version ${v}` : ''}: ${describeFailures(outcome)}.`,
      )
    }
    return outcome
  }
}

export const VALIDATE_HELP =
  "check each request's rows against the served version's stored data expectations: off (default), flag (predict, mark the prediction log, count), reject (answer 400)"
