/**
 * The Kubernetes executor from settings: finds the cluster (kubeconfig or in-cluster), picks the
 * namespace (settings, else the context's, else `default`), and talks to it through client-node.
 */
import { ClientNodeApi } from './kube-api.js'
import { loadKubeConfig } from './kube-config.js'
import { KubernetesExecutor } from './kubernetes-executor.js'
import type { KubernetesSettings } from './options.js'

export function openKubernetesExecutor(
  settings: KubernetesSettings,
  env: NodeJS.ProcessEnv = process.env,
): KubernetesExecutor {
  const loaded = loadKubeConfig({ kubeconfig: settings.kubeconfig, context: settings.context }, env)
  return new KubernetesExecutor({
    api: new ClientNodeApi(loaded.kc),
    settings,
    namespace: settings.namespace ?? loaded.namespace ?? 'default',
  })
}
