/**
 * What the stub API server checks before it stores a Job: the OpenAPI schema, through
 * kubernetes-models (`new Job(obj).validate()`), then the API server's own validation rules that
 * a schema cannot say (names, label syntax, required image, restart policy, resource quantities
 * and GPU limits, env var names). A failure is a 422 `Invalid` Status listing each field, worded
 * as the API server words it.
 */
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job'
import { badRequest, invalid, type StatusCause } from './stub-status.js'

const JOB_KIND = { kind: 'Job', group: 'batch' }
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/** A resource quantity's value (`500m` → 0.5, `2Gi` → 2147483648); null when it is not one. */
export function parseQuantity(q: string | number): number | null {
  if (typeof q === 'number') return q
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/.exec(q)
  if (!m) return null
  const n = Number(m[1])
  if (m[3] !== undefined) return n * 10 ** Number(m[3])
  return n * SUFFIX[m[2] ?? '']!
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image` */
const fieldPath = (pointer: string): string =>
  pointer
    .split('/')
    .filter((p) => p !== '')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('')

const required = (field: string, detail = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: `Required value${detail ? `: ${detail}` : ''}`,
  field,
})
const bad = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
})

function schemaCauses(obj: unknown): StatusCause[] {
  try {
    new Job(obj as IJob).validate()
    return []
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors ?? []
    const seen = new Set<string>()
    const out: StatusCause[] = []
    for (const e of errors) {
      const field = fieldPath(e.instancePath)
      if (seen.has(field)) continue
      seen.add(field)
      out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${e.message ?? 'invalid'}`, field })
    }
    if (out.length === 0) out.push({ reason: 'FieldValueInvalid', message: (err as Error).message })
    return out
  }
}

function labelCauses(field: string, labels: Record<string, string> | undefined): StatusCause[] {
  const out: StatusCause[] = []
  for (const [k, v] of Object.entries(labels ?? {})) {
    const [prefix, name] = k.includes('/')
      ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)]
      : ['', k]
    if ((prefix && !DNS_SUBDOMAIN.test(prefix)) || !LABEL_NAME.test(name) || name.length > 63)
      out.push(
        bad(
          field,
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      )
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      out.push(
        bad(
          `${field}`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      )
  }
  return out
}

function resourceCauses(field: string, res: Record<string, any> | undefined): StatusCause[] {
  const out: StatusCause[] = []
  const requests: Record<string, string> = res?.['requests'] ?? {}
  const limits: Record<string, string> = res?.['limits'] ?? {}
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name]
    const extended = name.includes('/') && !name.startsWith('kubernetes.io/')
    if (extended) {
      if (limit === undefined)
        out.push(bad(`${field}.limits`, name, 'Limit must be set for non overcommitable resources'))
      else if (parseQuantity(limit) !== parseQuantity(q))
        out.push(bad(`${field}.requests[${name}]`, q, `must be equal to ${name} limit of ${limit}`))
    } else if (limit !== undefined && (parseQuantity(q) ?? 0) > (parseQuantity(limit) ?? Infinity)) {
      out.push(bad(`${field}.requests`, q, `must be less than or equal to ${name} limit of ${limit}`))
    }
  }
  for (const [name, q] of Object.entries(limits)) {
    const n = parseQuantity(q)
    if (name.includes('/') && !name.startsWith('kubernetes.io/') && n !== null && !Number.isInteger(n))
      out.push(bad(`${field}.limits[${name}]`, q, 'must be an integer'))
  }
  return out
}

function containerCauses(field: string, c: Record<string, any>): StatusCause[] {
  const out: StatusCause[] = []
  if (!c['name']) out.push(required(`${field}.name`))
  else if (!DNS_LABEL.test(c['name']) || c['name'].length > 63)
    out.push(
      bad(
        `${field}.name`,
        c['name'],
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
      ),
    )
  if (!c['image'] || String(c['image']).trim() === '') out.push(required(`${field}.image`))
  ;(c['env'] ?? []).forEach((e: Record<string, any>, i: number) => {
    if (!e['name']) out.push(required(`${field}.env[${i}].name`))
    else if (!ENV_NAME.test(e['name']))
      out.push(
        bad(
          `${field}.env[${i}].name`,
          e['name'],
          "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        ),
      )
    if (e['value'] !== undefined && e['valueFrom'] !== undefined)
      out.push(bad(`${field}.env[${i}].valueFrom`, '', 'may not be specified when `value` is not empty'))
  })
  ;(c['envFrom'] ?? []).forEach((e: Record<string, any>, i: number) => {
    const ref = e['secretRef'] ?? e['configMapRef']
    if (!ref)
      out.push(bad(`${field}.envFrom[${i}]`, '', 'must specify one of: `configMapRef` or `secretRef`'))
    else if (!ref['name'])
      out.push(required(`${field}.envFrom[${i}].${e['secretRef'] ? 'secretRef' : 'configMapRef'}.name`))
  })
  out.push(...resourceCauses(`${field}.resources`, c['resources']))
  const policy = c['terminationMessagePolicy']
  if (policy !== undefined && policy !== 'File' && policy !== 'FallbackToLogsOnError')
    out.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${policy}": supported values: "File", "FallbackToLogsOnError"`,
      field: `${field}.terminationMessagePolicy`,
    })
  return out
}

/** Checks a Job sent to namespace `ns`; throws the Status the API server would answer. */
export function validateJob(body: unknown, ns: string): IJob {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    )
  const obj = body as Record<string, any>
  if (obj['apiVersion'] !== 'batch/v1' || obj['kind'] !== 'Job')
    throw badRequest(
      `the API version in the data (${obj['apiVersion']}) does not match the expected API version (batch/v1)`,
    )
  const meta = obj['metadata'] ?? {}
  if (meta['namespace'] !== undefined && meta['namespace'] !== ns)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  const name: string = meta['name'] ?? meta['generateName'] ?? ''
  const causes = schemaCauses(obj)
  if (!meta['name'] && !meta['generateName'])
    causes.push(required('metadata.name', 'name or generateName is required'))
  else if (meta['name'] && (!DNS_SUBDOMAIN.test(meta['name']) || meta['name'].length > 63))
    causes.push(
      bad(
        'metadata.name',
        meta['name'],
        'must be no more than 63 characters and a lowercase RFC 1123 subdomain',
      ),
    )
  causes.push(...labelCauses('metadata.labels', meta['labels']))
  const spec = obj['spec'] ?? {}
  for (const f of ['backoffLimit', 'ttlSecondsAfterFinished'])
    if (typeof spec[f] === 'number' && spec[f] < 0)
      causes.push(bad(`spec.${f}`, spec[f], 'must be greater than or equal to 0'))
  if (typeof spec['activeDeadlineSeconds'] === 'number' && spec['activeDeadlineSeconds'] <= 0)
    causes.push(bad('spec.activeDeadlineSeconds', spec['activeDeadlineSeconds'], 'must be greater than 0'))
  const tpl = spec['template'] ?? {}
  causes.push(...labelCauses('spec.template.metadata.labels', tpl['metadata']?.['labels']))
  const podSpec = tpl['spec'] ?? {}
  const rp = podSpec['restartPolicy']
  if (rp !== 'Never' && rp !== 'OnFailure')
    causes.push(
      rp === undefined
        ? required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"')
        : {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${rp}": supported values: "OnFailure", "Never"`,
            field: 'spec.template.spec.restartPolicy',
          },
    )
  const containers: Record<string, any>[] = podSpec['containers'] ?? []
  if (containers.length === 0) causes.push(required('spec.template.spec.containers'))
  containers.forEach((c, i) => causes.push(...containerCauses(`spec.template.spec.containers[${i}]`, c)))
  if (podSpec['serviceAccountName'] !== undefined && !DNS_SUBDOMAIN.test(podSpec['serviceAccountName']))
    causes.push(
      bad(
        'spec.template.spec.serviceAccountName',
        podSpec['serviceAccountName'],
        'a lowercase RFC 1123 subdomain',
      ),
    )
  if (causes.length > 0) throw invalid(JOB_KIND, name, causes)
  return obj as IJob
}
