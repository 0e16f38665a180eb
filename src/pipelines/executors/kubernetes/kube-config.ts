/**
 * Finding the cluster as kubectl does: `--kubeconfig`, else $KUBECONFIG (a path list, merged),
 * else ~/.kube/config, else the in-cluster service account. client-node's `loadFromDefault`
 * falls back to `http://localhost:8080` when it finds nothing, which would turn "no
 * configuration" into a confusing connection error much later; here it is said at once.
 */
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { CairnError } from '../../../protocol/errors.js'

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

export interface LoadedKubeConfig {
  kc: KubeConfig
  /** The context's namespace (or the pod's, in cluster); null when it names none. */
  namespace: string | null
  /** Where it came from, for messages: a file, or `in-cluster`. */
  source: string
}

function noConfig(detail: string): CairnError {
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `No Kubernetes configuration found (${detail}). The kubernetes backend needs a kubeconfig: set KUBECONFIG, create ~/.kube/config, pass --kubeconfig FILE, or run inside a cluster.`,
  )
}

export function loadKubeConfig(
  opts: { kubeconfig?: string | null; context?: string | null } = {},
  env: NodeJS.ProcessEnv = process.env,
): LoadedKubeConfig {
  const kc = new KubeConfig()
  let source: string
  const home = env['HOME'] ?? homedir()
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig)) throw noConfig(`--kubeconfig ${opts.kubeconfig} does not exist`)
      kc.loadFromFile(opts.kubeconfig)
      source = opts.kubeconfig
    } else if (env['KUBECONFIG']) {
      const files = env['KUBECONFIG'].split(delimiter).filter((f) => f !== '')
      const present = files.filter((f) => existsSync(f))
      if (present.length === 0)
        throw noConfig(`KUBECONFIG names ${files.join(delimiter)}, which does not exist`)
      kc.loadFromFile(present[0]!)
      for (const f of present.slice(1)) {
        const more = new KubeConfig()
        more.loadFromFile(f)
        kc.mergeConfig(more)
      }
      source = present.join(delimiter)
    } else if (existsSync(join(home, '.kube', 'config'))) {
      source = join(home, '.kube', 'config')
      kc.loadFromFile(source)
    } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(join(SA_DIR, 'token'))) {
      kc.loadFromCluster()
      source = 'in-cluster'
    } else {
      throw noConfig(`no KUBECONFIG, no ${join(home, '.kube', 'config')}, not in a cluster`)
    }
  } catch (err) {
    if (err instanceof CairnError) throw err
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Could not read the Kubernetes configuration: ${(err as Error).message}`,
    )
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name)
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Kubernetes context '${opts.context}' is not in ${source} (contexts: ${known.join(', ') || 'none'})`,
      )
    }
    kc.setCurrentContext(opts.context)
  }
  if (!kc.getCurrentCluster()) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `The Kubernetes configuration ${source} has no current context with a cluster (set current-context or pass --context)`,
    )
  }
  let namespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? null
  if (!namespace && source === 'in-cluster' && existsSync(join(SA_DIR, 'namespace')))
    namespace = readFileSync(join(SA_DIR, 'namespace'), 'utf8').trim() || null
  return { kc, namespace, source }
}
