/**
 * `{{ ref }}` templates in params, env, commands and fan-out items. A string that is exactly one
 * template keeps the referenced value's type; otherwise values are written into the text
 * (strings as they are, other values as JSON). In a shell command each filled-in value is
 * single-quoted, so a parameter can never inject shell syntax.
 */
import type { Value } from './types.js'

export type TemplatePart = { text: string } | { ref: string[] }

const REF = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/

export class TemplateError extends Error {
  override name = 'TemplateError'
}

export function parseTemplate(s: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let i = 0
  while (i < s.length) {
    const open = s.indexOf('{{', i)
    if (open === -1) {
      parts.push({ text: s.slice(i) })
      break
    }
    if (open > i) parts.push({ text: s.slice(i, open) })
    const close = s.indexOf('}}', open + 2)
    if (close === -1) throw new TemplateError(`unclosed '{{' at ${open + 1} in ${JSON.stringify(s)}`)
    const inner = s.slice(open + 2, close).trim()
    if (!REF.test(inner)) {
      throw new TemplateError(
        `'{{${s.slice(open + 2, close)}}}' is not a reference (expected e.g. {{params.lr}}, {{train.accuracy}}, {{item}})`,
      )
    }
    parts.push({ ref: inner.split('.') })
    i = close + 2
  }
  return parts
}

export function templateRefs(s: string): string[][] {
  return parseTemplate(s).flatMap((p) => ('ref' in p ? [p.ref] : []))
}

/** The reference when `s` is exactly one template (`"{{params.lr}}"`), else null. */
export function wholeRef(s: string): string[] | null {
  const parts = parseTemplate(s)
  return parts.length === 1 && 'ref' in parts[0]! ? parts[0].ref : null
}

export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`

export function valueText(v: Value): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

export function renderTemplate(
  s: string,
  lookup: (ref: string[]) => Value,
  opts: { shell?: boolean } = {},
): string {
  return parseTemplate(s)
    .map((p) => {
      if ('text' in p) return p.text
      const text = valueText(lookup(p.ref))
      return opts.shell ? shellQuote(text) : text
    })
    .join('')
}

/** A value with templates filled in; a whole-template string keeps the value's type. */
export function resolveValue(v: Value, lookup: (ref: string[]) => Value): Value {
  if (typeof v === 'string') {
    const ref = wholeRef(v)
    return ref ? lookup(ref) : renderTemplate(v, lookup)
  }
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, lookup))
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x, lookup)]))
  }
  return v
}

/** Every reference in a value (strings inside lists and objects too). */
export function valueRefs(v: Value): string[][] {
  if (typeof v === 'string') return templateRefs(v)
  if (Array.isArray(v)) return v.flatMap(valueRefs)
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(valueRefs)
  return []
}
