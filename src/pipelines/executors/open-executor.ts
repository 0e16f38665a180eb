/**
 * Executors by backend name, the one place that knows them all. The Kubernetes executor (and
 * client-node, slow to load) is imported only when asked for.
 */
import { CairnError } from '../../protocol/errors.js'
import type { StepExecutor } from '../executor.js'
import type { KubernetesSettings } from './kubernetes/options.js'
import { LocalExecutor, type LocalExecutorOptions } from './local/local-executor.js'

export const BACKENDS = ['local', 'kubernetes'] as const
export type BackendName = (typeof BACKENDS)[number]

export interface OpenExecutorOptions {
  local?: LocalExecutorOptions
  /** Settings of the kubernetes backend (default: from CAIRN_K8S_* variables). */
  kubernetes?: KubernetesSettings
}

export function isBackend(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name)
}

export async function openExecutor(name: string, opts: OpenExecutorOptions = {}): Promise<StepExecutor> {
  if (name === 'local') return new LocalExecutor(opts.local)
  if (name === 'kubernetes') {
    const [{ openKubernetesExecutor }, { resolveSettings }] = await Promise.all([
      import('./kubernetes/open.js'),
      import('./kubernetes/options.js'),
    ])
    return openKubernetesExecutor(opts.kubernetes ?? resolveSettings())
  }
  throw new CairnError('INVALID_PARAMETER_VALUE', `Unknown backend '${name}'; known: ${BACKENDS.join(', ')}.`)
}
