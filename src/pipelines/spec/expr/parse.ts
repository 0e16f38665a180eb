/**
 * The condition language of `when:`. Small and safe: literals, references, comparisons,
 * arithmetic, and/or/not, lists; no function calls, no member access beyond dotted names, no
 * eval. Example: `evaluate.passed and evaluate.auc >= params.min_auc + 0.01`.
 *
 *   or    := and (('or' | '||') and)*
 *   and   := not (('and' | '&&') not)*
 *   not   := ('not' | '!') not | cmp
 *   cmp   := sum (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in') sum)?
 *   sum   := prod (('+' | '-') prod)*
 *   prod  := unary (('*' | '/' | '%') unary)*
 *   unary := '-' unary | atom
 *   atom  := number | string | true | false | null | ref | '(' or ')' | '[' (or (',' or)*)? ']'
 *   ref   := name ('.' name)*
 */

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '%'

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'ref'; path: string[] }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'neg'; operand: Expr }
  | { kind: 'logic'; op: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }

export class ExprError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
    this.name = 'ExprError'
  }
}

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number }

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
]

function lex(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    const at = i
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(src.slice(i))!
      out.push({ t: 'num', v: Number(m[0]), at })
      i += m[0].length
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      let s = ''
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++
        s += src[j]
        j++
      }
      if (j >= src.length) throw new ExprError(`unterminated string starting at ${at + 1}`, at)
      out.push({ t: 'str', v: s, at })
      i = j + 1
      continue
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!
      out.push({ t: 'name', v: m[0], at })
      i += m[0].length
      continue
    }
    const op = OPS.find((o) => src.startsWith(o, i))
    if (!op) throw new ExprError(`unexpected character '${c}' at ${at + 1}`, at)
    out.push({ t: 'op', v: op, at })
    i += op.length
  }
  out.push({ t: 'end', at: src.length })
  return out
}

const isName = (t: Token | undefined, v: string): boolean => t?.t === 'name' && t.v === v

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null'])

class Parser {
  private i = 0
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!
  }
  private isOp(v: string): boolean {
    const t = this.peek()
    return t.t === 'op' && t.v === v
  }
  private isWord(v: string): boolean {
    const t = this.peek()
    return t.t === 'name' && t.v === v
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw this.unexpected(`'${v}'`)
    this.i++
  }
  private unexpected(wanted: string): ExprError {
    const t = this.peek()
    const got = t.t === 'end' ? 'the end' : `'${t.t === 'str' ? JSON.stringify(t.v) : String(t.v)}'`
    return new ExprError(`expected ${wanted} at ${t.at + 1}, found ${got}`, t.at)
  }

  parse(): Expr {
    const e = this.or()
    if (this.peek().t !== 'end') throw this.unexpected('an operator or the end')
    return e
  }

  private or(): Expr {
    let left = this.and()
    while (this.isWord('or') || this.isOp('||')) {
      this.i++
      left = { kind: 'logic', op: 'or', left, right: this.and() }
    }
    return left
  }
  private and(): Expr {
    let left = this.not()
    while (this.isWord('and') || this.isOp('&&')) {
      this.i++
      left = { kind: 'logic', op: 'and', left, right: this.not() }
    }
    return left
  }
  private not(): Expr {
    if (this.isWord('not') || this.isOp('!')) {
      this.i++
      return { kind: 'not', operand: this.not() }
    }
    return this.cmp()
  }
  private cmp(): Expr {
    const left = this.sum()
    const t = this.peek()
    let op: BinaryOp | null = null
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) op = t.v as BinaryOp
    else if (this.isWord('in')) op = 'in'
    else if (this.isWord('not') && isName(this.tokens[this.i + 1], 'in')) {
      this.i++
      op = 'not in'
    }
    if (op === null) return left
    this.i++
    return { kind: 'binary', op, left, right: this.sum() }
  }
  private sum(): Expr {
    let left = this.prod()
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.peek() as { v: string }).v as BinaryOp
      this.i++
      left = { kind: 'binary', op, left, right: this.prod() }
    }
    return left
  }
  private prod(): Expr {
    let left = this.unary()
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.peek() as { v: string }).v as BinaryOp
      this.i++
      left = { kind: 'binary', op, left, right: this.unary() }
    }
    return left
  }
  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++
      return { kind: 'neg', operand: this.unary() }
    }
    return this.atom()
  }
  private atom(): Expr {
    const t = this.peek()
    if (t.t === 'num' || t.t === 'str') {
      this.i++
      return { kind: 'literal', value: t.v }
    }
    if (t.t === 'op' && t.v === '(') {
      this.i++
      const e = this.or()
      this.expectOp(')')
      return e
    }
    if (t.t === 'op' && t.v === '[') {
      this.i++
      const items: Expr[] = []
      if (!this.isOp(']')) {
        items.push(this.or())
        while (this.isOp(',')) {
          this.i++
          items.push(this.or())
        }
      }
      this.expectOp(']')
      return { kind: 'list', items }
    }
    if (t.t === 'name') {
      if (t.v === 'true' || t.v === 'false') {
        this.i++
        return { kind: 'literal', value: t.v === 'true' }
      }
      if (t.v === 'null') {
        this.i++
        return { kind: 'literal', value: null }
      }
      if (KEYWORDS.has(t.v)) throw this.unexpected('a value')
      this.i++
      const path = [t.v]
      while (this.isOp('.')) {
        this.i++
        const n = this.peek()
        if (n.t !== 'name') throw this.unexpected('a name after "."')
        this.i++
        path.push(n.v)
      }
      return { kind: 'ref', path }
    }
    throw this.unexpected('a value')
  }
}

/** Parses a condition; throws ExprError naming the position (1-based) of the problem. */
export function parseExpr(src: string): Expr {
  return new Parser(lex(src)).parse()
}

/** Every reference in an expression, as dotted paths. */
export function exprRefs(e: Expr): string[][] {
  switch (e.kind) {
    case 'literal':
      return []
    case 'ref':
      return [e.path]
    case 'list':
      return e.items.flatMap(exprRefs)
    case 'not':
    case 'neg':
      return exprRefs(e.operand)
    case 'logic':
    case 'binary':
      return [...exprRefs(e.left), ...exprRefs(e.right)]
  }
}
