/**
 * Executors by backend name, the one place that knows them all. `kubernetes` is not built yet:
 * asking for it is a clear error until its executor lands here.
 */
import { CairnError } from '../../protocol/errors.js'
import type { StepExecutor } from '../executor.js'
import { LocalExecutor, type LocalExecutorOptions } from './local/local-executor.js'

export const BACKENDS = ['local', 'kubernetes'] as const
export type BackendName = (typeof BACKENDS)[number]

export interface OpenExecutorOptions {
  local?: LocalExecutorOptions
}

export function isBackend(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name)
}

export async function openExecutor(name: string, opts: OpenExecutorOptions = {}): Promise<StepExecutor> {
  if (name === 'local') return new LocalExecutor(opts.local)
  if (name === 'kubernetes') {
    throw new CairnError(
      'NOT_IMPLEMENTED',
      'The kubernetes backend is not available yet in this Cairn; use --backend local (the default). Pipelines you write now run unchanged on Kubernetes once it lands.',
    )
  }
  throw new CairnError('INVALID_PARAMETER_VALUE', `Unknown backend '${name}'; known: ${BACKENDS.join(', ')}.`)
}
