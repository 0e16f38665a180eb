/** Spec errors: every problem found, each naming the step and the field it is in. */
import { CairnError } from '../../protocol/errors.js'

export interface SpecIssue {
  /** The step's name, or null for pipeline-level fields. */
  step: string | null
  /** Dotted path inside the step (or the pipeline): `inputs.model`, `retries.limit`. */
  field: string
  message: string
}

export function formatIssue(i: SpecIssue): string {
  return i.step === null
    ? `field '${i.field}': ${i.message}`
    : `step '${i.step}', field '${i.field}': ${i.message}`
}

export class PipelineSpecError extends CairnError {
  constructor(
    readonly pipeline: string,
    readonly issues: SpecIssue[],
  ) {
    const head = `Pipeline '${pipeline}' is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):`
    super('INVALID_PARAMETER_VALUE', [head, ...issues.map((i) => `  - ${formatIssue(i)}`)].join('\n'))
    this.name = 'PipelineSpecError'
  }
}

/** Collects issues while reading a spec. */
export class Issues {
  readonly list: SpecIssue[] = []
  add(step: string | null, field: string, message: string): void {
    this.list.push({ step, field, message })
  }
}

/** The closest name, for "did you mean" hints (edit distance ≤ 2). */
export function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null
  let bestD = 3
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  return best
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates)
  return c === null ? '' : ` (did you mean '${c}'?)`
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}
