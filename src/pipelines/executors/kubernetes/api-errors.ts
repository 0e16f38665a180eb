/**
 * Kubernetes API failures in words a user can act on. The API answers errors with a `Status`
 * object (`message`, `reason`, `code`); client-node wraps it in an ApiException whose own message
 * is a dump of HTTP headers, so the Status is dug out and said plainly, with the cluster and a hint
 * for the usual causes (missing namespace, RBAC, credentials).
 */
import { CairnError, type ErrorCode } from '../../../protocol/errors.js'

export interface ApiStatus {
  code: number
  reason: string
  message: string
}

/** client-node drops the body of some answers (a 401 always): their HTTP phrase stands in. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The Status of a failed call, or null when the error did not come from the API server. */
export function apiStatus(err: unknown): ApiStatus | null {
  if (typeof err !== 'object' || err === null || !('code' in err)) return null
  const code = err.code
  if (typeof code !== 'number') return null
  let body = (err as { body?: unknown }).body
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown
    } catch {
      // Not JSON: a proxy's HTML page, say; the code still speaks.
    }
  }
  const status = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  return {
    code,
    reason: typeof status['reason'] === 'string' ? status['reason'] : '',
    message:
      typeof status['message'] === 'string'
        ? status['message']
        : typeof body === 'string' && body.trim() !== ''
          ? body.trim().slice(0, 300)
          : (PHRASES[code] ?? 'no message'),
  }
}

const CODES: Record<number, ErrorCode> = {
  400: 'INVALID_PARAMETER_VALUE',
  401: 'CUSTOMER_UNAUTHORIZED',
  403: 'PERMISSION_DENIED',
  404: 'RESOURCE_DOES_NOT_EXIST',
  409: 'RESOURCE_ALREADY_EXISTS',
  422: 'INVALID_PARAMETER_VALUE',
  429: 'REQUEST_LIMIT_EXCEEDED',
}

function hint(s: ApiStatus, ctx: { namespace: string; action: string }): string {
  if (s.code === 401) return ' Check the credentials of the kubeconfig context (token expired?).'
  if (s.code === 403)
    return ` The identity Cairn uses may not ${ctx.action} in namespace '${ctx.namespace}': grant it a Role (jobs: create, get, delete; pods, pods/log: get, list).`
  if (s.code === 404 && /^namespaces? "/.test(s.message))
    return ` Create the namespace, or choose another with --namespace or CAIRN_K8S_NAMESPACE.`
  return ''
}

/** An error of the executor itself (it cannot do its work), as a CairnError. */
export function kubernetesError(
  err: unknown,
  ctx: { server: string; namespace: string; action: string },
): CairnError {
  if (err instanceof CairnError) return err
  const s = apiStatus(err)
  if (s === null) {
    const message = (err as Error)?.message ?? String(err)
    if (message.startsWith('HTTP protocol is not allowed'))
      return new CairnError(
        'INVALID_PARAMETER_VALUE',
        `The Kubernetes API server ${ctx.server} is plain http: client-node talks to it only when the kubeconfig's cluster sets insecure-skip-tls-verify: true (or use https).`,
      )
    return new CairnError(
      'TEMPORARILY_UNAVAILABLE',
      `Kubernetes API at ${ctx.server} could not be reached to ${ctx.action}: ${message}`,
    )
  }
  const code = CODES[s.code] ?? (s.code >= 500 ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR')
  const reason = s.reason ? `${s.reason}, ` : ''
  return new CairnError(
    code,
    `Kubernetes API (${ctx.server}) refused to ${ctx.action}: ${s.message} (${reason}HTTP ${s.code}).${hint(s, ctx)}`,
  )
}

/** Worth another try: the server or the network had a moment, not a refusal. */
export function isTransient(err: unknown): boolean {
  const s = apiStatus(err)
  if (s === null) return true
  return s.code >= 500 || s.code === 429
}
