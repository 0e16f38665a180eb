/**
 * What the Kubernetes executor needs to know beyond the step: where (namespace, cluster), with
 * which identity (service account), what every pod gets (default image, secrets and config maps
 * as environment), how Cairn starts inside the image, and how long finished Jobs stay around.
 * Flags win over CAIRN_K8S_* environment variables, which win over the defaults here.
 */
import { CairnError } from '../../../protocol/errors.js'

export interface KubernetesSettings {
  /** Where Jobs are created; default: the kubeconfig context's namespace, else `default`. */
  namespace: string | null
  /** For steps that name no image. */
  defaultImage: string | null
  serviceAccount: string | null
  /** Secrets whose keys become environment variables of every step (`envFrom`). */
  secrets: string[]
  configMaps: string[]
  /**
   * Finished Jobs (and their pods) are deleted by the cluster this long after they end. 0 means
   * "as soon as the executor has read the result": the executor deletes the Job itself, and the
   * Job carries a short TTL only as a fallback, so the cluster cannot remove the pod before its
   * result is read.
   */
  ttlSecondsAfterFinished: number
  /**
   * The tracking URI as pods reach it (e.g. `http://cairn.ml.svc:5000`); the orchestrator's own
   * (often `http://127.0.0.1:5000`) is used when unset.
   */
  clusterTrackingUri: string | null
  /** How the step entrypoint starts in the image: a program and its arguments. */
  entrypoint: string[]
  /** The container's working folder; the image's WORKDIR when null. */
  workingDir: string | null
  /** Extended resource a GPU is requested as. */
  gpuResource: string
  /** Between two looks at a running Job and its pod. */
  pollMs: number
  /** Explicit kubeconfig file and context; the default loading rules when null. */
  kubeconfig: string | null
  context: string | null
}

/** `node node_modules/cairn/dist/…`: Cairn installed with npm in the image's WORKDIR. */
export const DEFAULT_ENTRYPOINT = [
  'node',
  'node_modules/cairn/dist/pipelines/executors/kubernetes/pod-entrypoint.js',
]

export const DEFAULT_TTL_SECONDS = 3600
/** The Job's TTL when the executor deletes it itself (ttl 0): enough to read the result first. */
export const FALLBACK_TTL_SECONDS = 300

export function defaultSettings(): KubernetesSettings {
  return {
    namespace: null,
    defaultImage: null,
    serviceAccount: null,
    secrets: [],
    configMaps: [],
    ttlSecondsAfterFinished: DEFAULT_TTL_SECONDS,
    clusterTrackingUri: null,
    entrypoint: DEFAULT_ENTRYPOINT,
    workingDir: null,
    gpuResource: 'nvidia.com/gpu',
    pollMs: 1000,
    kubeconfig: null,
    context: null,
  }
}

/** The flags the CLI offers (all optional); names as commander gives them. */
export interface KubernetesFlags {
  namespace?: string
  image?: string
  serviceAccount?: string
  envFromSecret?: string[]
  envFromConfigMap?: string[]
  ttl?: number
  clusterTrackingUri?: string
  kubeconfig?: string
  context?: string
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

function nonNegativeInt(name: string, v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0)
    throw new CairnError('INVALID_PARAMETER_VALUE', `${name} must be a whole number of seconds, got '${v}'`)
  return n
}

/** `node x.js --flag` or a JSON list `["node", "x.js"]`. */
export function parseEntrypoint(text: string): string[] {
  const t = text.trim()
  if (t.startsWith('[')) {
    const parsed = JSON.parse(t) as unknown
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string'))
      throw new CairnError('INVALID_PARAMETER_VALUE', 'CAIRN_K8S_ENTRYPOINT must be a JSON list of strings')
    return parsed
  }
  const parts = t.split(/\s+/).filter((p) => p !== '')
  if (parts.length === 0) throw new CairnError('INVALID_PARAMETER_VALUE', 'CAIRN_K8S_ENTRYPOINT is empty')
  return parts
}

/**
 * Settings from flags, then the environment:
 * CAIRN_K8S_NAMESPACE, CAIRN_K8S_IMAGE, CAIRN_K8S_SERVICE_ACCOUNT, CAIRN_K8S_SECRETS and
 * CAIRN_K8S_CONFIG_MAPS (comma-separated), CAIRN_K8S_TTL_SECONDS, CAIRN_K8S_TRACKING_URI,
 * CAIRN_K8S_ENTRYPOINT, CAIRN_K8S_WORKDIR, CAIRN_K8S_GPU_RESOURCE, CAIRN_K8S_CONTEXT; the
 * kubeconfig itself follows the usual rules (KUBECONFIG, ~/.kube/config, in-cluster).
 */
export function resolveSettings(
  flags: KubernetesFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): KubernetesSettings {
  const s = defaultSettings()
  const pick = (flag: string | undefined, name: string): string | null => {
    const v = flag ?? env[name]
    return v === undefined || v === '' ? null : v
  }
  s.namespace = pick(flags.namespace, 'CAIRN_K8S_NAMESPACE')
  s.defaultImage = pick(flags.image, 'CAIRN_K8S_IMAGE')
  s.serviceAccount = pick(flags.serviceAccount, 'CAIRN_K8S_SERVICE_ACCOUNT')
  s.secrets = flags.envFromSecret ?? list(env['CAIRN_K8S_SECRETS'])
  s.configMaps = flags.envFromConfigMap ?? list(env['CAIRN_K8S_CONFIG_MAPS'])
  const ttl = env['CAIRN_K8S_TTL_SECONDS']
  if (flags.ttl !== undefined) s.ttlSecondsAfterFinished = flags.ttl
  else if (ttl) s.ttlSecondsAfterFinished = nonNegativeInt('CAIRN_K8S_TTL_SECONDS', ttl)
  s.clusterTrackingUri = pick(flags.clusterTrackingUri, 'CAIRN_K8S_TRACKING_URI')
  const entrypoint = env['CAIRN_K8S_ENTRYPOINT']
  if (entrypoint) s.entrypoint = parseEntrypoint(entrypoint)
  s.workingDir = pick(undefined, 'CAIRN_K8S_WORKDIR')
  s.gpuResource = pick(undefined, 'CAIRN_K8S_GPU_RESOURCE') ?? s.gpuResource
  s.kubeconfig = flags.kubeconfig ?? null
  s.context = pick(flags.context, 'CAIRN_K8S_CONTEXT')
  return s
}
