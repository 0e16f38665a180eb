/**
 * A monitoring core for tests of monitors' orchestration: the real readers and drift, with small
 * quality metrics (accuracy, mae) and a validation that checks the reference's columns are present.
 * For tests only; the statistics themselves are tested with the core.
 */
import { readTable } from '../../table/read.js'
import { columnNames } from '../../table/table.js'
import type { MonitoringCore } from '../evaluate.js'

export function testCore(overrides: Partial<MonitoringCore> = {}): MonitoringCore {
  return {
    readTable: (path) => readTable(path),
    loadReference: async () => null,
    quality: (metrics, l) => {
      const out: Record<string, { value: number | null; explanation?: string }> = {}
      const n = l.truth.length
      for (const m of metrics) {
        if (n === 0) out[m] = { value: null, explanation: 'no rows' }
        else if (m === 'accuracy')
          out[m] = { value: l.truth.filter((t, i) => String(t) === String(l.predicted[i])).length / n }
        else if (m === 'mae')
          out[m] = {
            value:
              l.truth.reduce<number>((s, t, i) => s + Math.abs(Number(t) - Number(l.predicted[i])), 0) / n,
          }
        else out[m] = { value: null, explanation: `${m} is not in the test core` }
      }
      return out
    },
    validate: async (current, reference, check) => {
      const have = new Set(columnNames(current))
      const results = (reference?.columns ?? []).map((c) => ({
        expectation: 'column present',
        column: c,
        passed: have.has(c),
        message: have.has(c) ? 'present' : 'missing from the current data',
      }))
      const failures = results.filter((r) => !r.passed).length
      return { passed: failures <= check.maxFailures, failures, maxFailures: check.maxFailures, results }
    },
    ...overrides,
  }
}
