import { describe, expect, it } from 'vitest'
import type { Value } from '../types.js'
import { evaluateExpr, typeOfExpr, type ExprType } from './evaluate.js'
import { exprRefs, parseExpr } from './parse.js'

const values: Record<string, Value> = {
  'evaluate.passed': true,
  'evaluate.auc': 0.82,
  'params.min_auc': 0.7,
  'params.region': 'eu',
  'split.names': ['a', 'b'],
  'item.size': 3,
}
const lookup = (path: string[]): Value => {
  const v = values[path.join('.')]
  if (v === undefined) throw new Error(`no ${path.join('.')}`)
  return v
}
const run = (src: string): Value => evaluateExpr(parseExpr(src), lookup)

describe('condition language', () => {
  it('evaluates comparisons, boolean logic and arithmetic with the usual precedence', () => {
    expect(run('evaluate.passed and evaluate.auc >= params.min_auc + 0.1')).toBe(true)
    expect(run('evaluate.auc > 0.9 or not evaluate.passed')).toBe(false)
    expect(run('1 + 2 * 3 == 7')).toBe(true)
    expect(run('(1 + 2) * 3 == 9 && !false')).toBe(true)
    expect(run('-item.size < 0')).toBe(true)
    expect(run('10 % 4 == 2')).toBe(true)
  })

  it('supports in / not in over lists, strings and literal lists', () => {
    expect(run("'a' in split.names")).toBe(true)
    expect(run("'c' not in split.names")).toBe(true)
    expect(run("params.region in ['eu', 'us']")).toBe(true)
    expect(run("'u' in params.region")).toBe(true)
    expect(run("'x' in params.region")).toBe(false)
  })

  it('compares lists and strings by value', () => {
    expect(run("split.names == ['a', 'b']")).toBe(true)
    expect(run('params.region != "eu"')).toBe(false)
  })

  it('short-circuits and/or so the right side is not evaluated', () => {
    expect(run('false and missing.value')).toBe(false)
    expect(run('true or missing.value')).toBe(true)
  })

  it('lists the references it uses', () => {
    expect(exprRefs(parseExpr('a.b > 1 and c.d in [e.f]'))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ])
  })

  it.each([
    ['evaluate.auc >', 'expected a value at 15, found the end'],
    ['evaluate.auc > 1 1', 'expected an operator or the end at 18'],
    ["'open", 'unterminated string'],
    ['a $ b', "unexpected character '$' at 3"],
    ['(a', "expected ')'"],
    ['and', 'expected a value at 1'],
  ])('refuses %j with a message naming the position', (src, message) => {
    expect(() => parseExpr(src)).toThrow(message)
  })

  it('type-checks against declared types before anything runs', () => {
    const types: Record<string, ExprType> = {
      'e.passed': 'bool',
      'e.auc': 'number',
      'p.name': 'string',
      'f.xs': 'list',
    }
    const typeOf = (p: string[]): ExprType => types[p.join('.')]!
    const t = (src: string): ExprType => typeOfExpr(parseExpr(src), typeOf)
    expect(t('e.passed and e.auc > 0.5')).toBe('bool')
    expect(t('e.auc * 2')).toBe('number')
    expect(() => t('e.passed > 0.5')).toThrow("'>' needs number or string, but e.passed is bool")
    expect(() => t('e.passed == 1')).toThrow('cannot compare e.passed (bool) with 1 (number)')
    expect(() => t('e.auc and e.passed')).toThrow("'and' needs bool, but e.auc is number")
    expect(() => t('p.name < 3')).toThrow('cannot order p.name (string) against 3 (number)')
    expect(() => t('1 in e.auc')).toThrow("'in' needs list or string or object")
    expect(t('e.auc == null')).toBe('bool')
  })

  it('fails at run time on values of the wrong type rather than guessing', () => {
    values['evaluate.flag'] = 'yes'
    expect(() => run('evaluate.flag and true')).toThrow("'and' needs bool, but evaluate.flag is string")
    expect(() => run('params.region > 1')).toThrow('cannot order')
  })
})
