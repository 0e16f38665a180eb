/**
 * Flags of the kubernetes backend, shared by `pipeline run`, `pipeline resume` and `job submit`.
 * Each has a CAIRN_K8S_* variable (pipelines/executors/kubernetes/options.ts); the cluster itself
 * comes from the kubeconfig (KUBECONFIG, ~/.kube/config) or the pod's service account.
 */
import { InvalidArgumentError, type Command } from 'commander'
import {
  resolveSettings,
  type KubernetesFlags,
  type KubernetesSettings,
} from '../../pipelines/executors/kubernetes/options.js'
import { collect } from './tracking-options.js'

function seconds(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`expected a whole number of seconds, got '${value}'`)
  return n
}

/** Adds the kubernetes flags; `image` adds `--image` as the default image of steps that name none. */
export function addKubernetesOptions(cmd: Command, opts: { image: boolean }): Command {
  if (opts.image)
    cmd.option('--image <image>', 'kubernetes: image of steps that name none ($CAIRN_K8S_IMAGE)')
  return cmd
    .option('--namespace <ns>', "kubernetes: namespace of the step Jobs (default: the kubeconfig context's)")
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubernetes: kubeconfig context (default: its current context)')
    .option('--service-account <name>', 'kubernetes: service account the step pods run as')
    .option(
      '--env-from-secret <name>',
      'kubernetes: secret whose keys become env vars of every step (repeatable)',
      collect,
    )
    .option(
      '--env-from-config-map <name>',
      'kubernetes: config map whose keys become env vars (repeatable)',
      collect,
    )
    .option(
      '--ttl <seconds>',
      'kubernetes: delete finished Jobs after this long (default 3600; 0: once read)',
      seconds,
    )
    .option('--cluster-tracking-uri <uri>', 'kubernetes: the tracking server URI as pods reach it')
}

/** The kubernetes settings from the flags (and CAIRN_K8S_*), or undefined for another backend. */
export function kubernetesSettings(
  backend: string,
  flags: KubernetesFlags,
  env: NodeJS.ProcessEnv = process.env,
): KubernetesSettings | undefined {
  return backend === 'kubernetes' ? resolveSettings(flags, env) : undefined
}
