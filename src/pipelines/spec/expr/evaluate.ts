/**
 * Static types and evaluation of conditions. Types are checked when the spec is validated (from
 * the declared types of params and value outputs), so a condition comparing a boolean with a
 * number fails before anything runs; evaluation checks again on the actual values.
 */
import type { Value } from '../types.js'
import type { Expr } from './parse.js'

export type ExprType = 'string' | 'number' | 'bool' | 'list' | 'object' | 'null' | 'any'

export class ExprTypeError extends Error {
  override name = 'ExprTypeError'
}

const show = (e: Expr): string => {
  switch (e.kind) {
    case 'literal':
      return JSON.stringify(e.value)
    case 'ref':
      return e.path.join('.')
    default:
      return 'expression'
  }
}

const compatible = (a: ExprType, b: ExprType): boolean => a === 'any' || b === 'any' || a === b

/**
 * The type of an expression, given the type of each reference (`typeOf` throws for unknown
 * references). Throws ExprTypeError for operands that do not fit their operator.
 */
export function typeOfExpr(e: Expr, typeOf: (path: string[]) => ExprType): ExprType {
  const t = (x: Expr): ExprType => typeOfExpr(x, typeOf)
  const need = (x: Expr, want: ExprType[], what: string): ExprType => {
    const got = t(x)
    if (got !== 'any' && !want.includes(got)) {
      throw new ExprTypeError(`${what} needs ${want.join(' or ')}, but ${show(x)} is ${got}`)
    }
    return got
  }
  switch (e.kind) {
    case 'literal':
      return e.value === null ? 'null' : typeof e.value === 'boolean' ? 'bool' : (typeof e.value as ExprType)
    case 'ref':
      return typeOf(e.path)
    case 'list':
      e.items.forEach(t)
      return 'list'
    case 'not':
      need(e.operand, ['bool'], "'not'")
      return 'bool'
    case 'neg':
      need(e.operand, ['number'], "'-'")
      return 'number'
    case 'logic':
      need(e.left, ['bool'], `'${e.op}'`)
      need(e.right, ['bool'], `'${e.op}'`)
      return 'bool'
    case 'binary': {
      if (e.op === '==' || e.op === '!=') {
        const l = t(e.left)
        const r = t(e.right)
        if (!compatible(l, r) && l !== 'null' && r !== 'null') {
          throw new ExprTypeError(`cannot compare ${show(e.left)} (${l}) with ${show(e.right)} (${r})`)
        }
        return 'bool'
      }
      if (e.op === 'in' || e.op === 'not in') {
        const r = need(e.right, ['list', 'string', 'object'], `'${e.op}'`)
        if (r === 'string') need(e.left, ['string'], `'${e.op}' on a string`)
        else t(e.left)
        return 'bool'
      }
      if (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') {
        const l = need(e.left, ['number', 'string'], `'${e.op}'`)
        const r = need(e.right, ['number', 'string'], `'${e.op}'`)
        if (!compatible(l, r)) {
          throw new ExprTypeError(`cannot order ${show(e.left)} (${l}) against ${show(e.right)} (${r})`)
        }
        return 'bool'
      }
      need(e.left, ['number'], `'${e.op}'`)
      need(e.right, ['number'], `'${e.op}'`)
      return 'number'
    }
  }
}

export function typeOfValue(v: Value | undefined): ExprType {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'list'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'string') return 'string'
  return 'object'
}

function equal(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Evaluates an expression over actual values; throws ExprTypeError on a type problem. */
export function evaluateExpr(e: Expr, lookup: (path: string[]) => Value): Value {
  const ev = (x: Expr): Value => evaluateExpr(x, lookup)
  const typed = <T>(x: Expr, want: ExprType, what: string): T => {
    const v = ev(x)
    if (typeOfValue(v) !== want) {
      throw new ExprTypeError(
        `${what} needs ${want}, but ${show(x)} is ${typeOfValue(v)} (${JSON.stringify(v)})`,
      )
    }
    return v as T
  }
  switch (e.kind) {
    case 'literal':
      return e.value
    case 'ref':
      return lookup(e.path)
    case 'list':
      return e.items.map(ev)
    case 'not':
      return !typed<boolean>(e.operand, 'bool', "'not'")
    case 'neg':
      return -typed<number>(e.operand, 'number', "'-'")
    case 'logic': {
      const l = typed<boolean>(e.left, 'bool', `'${e.op}'`)
      if (e.op === 'and' && !l) return false
      if (e.op === 'or' && l) return true
      return typed<boolean>(e.right, 'bool', `'${e.op}'`)
    }
    case 'binary': {
      if (e.op === '==') return equal(ev(e.left), ev(e.right))
      if (e.op === '!=') return !equal(ev(e.left), ev(e.right))
      if (e.op === 'in' || e.op === 'not in') {
        const needle = ev(e.left)
        const hay = ev(e.right)
        let found: boolean
        if (Array.isArray(hay)) found = hay.some((x) => equal(x, needle))
        else if (typeof hay === 'string' && typeof needle === 'string') found = hay.includes(needle)
        else if (hay !== null && typeof hay === 'object' && typeof needle === 'string')
          found = Object.hasOwn(hay, needle)
        else throw new ExprTypeError(`'${e.op}' cannot look for ${show(e.left)} in ${show(e.right)}`)
        return e.op === 'in' ? found : !found
      }
      const l = ev(e.left)
      const r = ev(e.right)
      if (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') {
        const lt = typeOfValue(l)
        if ((lt !== 'number' && lt !== 'string') || lt !== typeOfValue(r)) {
          throw new ExprTypeError(`cannot order ${JSON.stringify(l)} against ${JSON.stringify(r)}`)
        }
        const a = l as number | string
        const b = r as number | string
        return e.op === '<' ? a < b : e.op === '<=' ? a <= b : e.op === '>' ? a > b : a >= b
      }
      if (typeof l !== 'number' || typeof r !== 'number') {
        throw new ExprTypeError(`'${e.op}' needs numbers, got ${JSON.stringify(l)} and ${JSON.stringify(r)}`)
      }
      switch (e.op) {
        case '+':
          return l + r
        case '-':
          return l - r
        case '*':
          return l * r
        case '/':
          return l / r
        default:
          return l % r
      }
    }
  }
}
