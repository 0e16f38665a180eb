/**
 * Label selectors as the API server reads `?labelSelector=`: comma-separated requirements, each
 * `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)` or `key notin (a,b)`.
 * A selector it cannot read is a 400, as on a real cluster.
 */
import { badRequest } from './stub-status.js'

type Requirement =
  { op: 'exists' | 'notExists'; key: string } | { op: 'in' | 'notin'; key: string; values: string[] }

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function parseRequirement(text: string, whole: string): Requirement {
  const bad = (): never => {
    throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`)
  }
  const checkKey = (key: string): string => {
    if (!KEY.test(key)) throw badRequest(`invalid label key "${key}" in selector "${whole}"`)
    return key
  }
  const checkValue = (v: string): string => {
    if (!VALUE.test(v) || v.length > 63) throw badRequest(`invalid label value: "${v}"`)
    return v
  }
  if (text.startsWith('!')) return { op: 'notExists', key: checkKey(text.slice(1).trim()) }
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text)
  if (set) {
    const values = set[3]!.split(',').map((v) => checkValue(v.trim()))
    return { op: set[2] as 'in' | 'notin', key: checkKey(set[1]!), values }
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text)
  if (eq) {
    const values = [checkValue(eq[3]!)]
    return { op: eq[2] === '!=' ? 'notin' : 'in', key: checkKey(eq[1]!), values }
  }
  if (/^[^\s=!()]+$/.test(text)) return { op: 'exists', key: checkKey(text) }
  return bad()
}

export function parseLabelSelector(text: string | null): LabelSelector {
  if (text === null || text.trim() === '') return () => true
  const reqs = splitTopLevel(text).map((r) => parseRequirement(r, text))
  return (labels = {}) =>
    reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key)
      switch (r.op) {
        case 'exists':
          return has
        case 'notExists':
          return !has
        case 'in':
          return has && r.values.includes(labels[r.key]!)
        case 'notin':
          return !has || !r.values.includes(labels[r.key]!)
      }
    })
}
