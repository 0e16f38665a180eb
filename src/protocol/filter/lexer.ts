/**
 * Tokens of the search language. Positions are 0-based character offsets into the source, used
 * by every error message.
 *
 * An identifier is one token: segments joined by dots with nothing between them
 * (`metrics.acc`, ``tags.`mlflow.note.content` ``, `params."learning rate"`). A segment is a word,
 * a backtick-quoted name or a double-quoted name; a lone double-quoted segment is also how MLflow
 * writes a string value (`params.x = "a"`), so the parser decides by position.
 *
 * Strings: '…' or "…"; the quote is escaped by doubling it (SQL) or with a backslash, and `\\`
 * is a backslash. Any other backslash is kept as is (Windows paths stay readable). MLflow keeps
 * escapes verbatim in the value; Cairn decodes them (listed in docs/search.md).
 */
import { invalidParameter } from '../errors.js'

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'LIKE' | 'ILIKE' | 'ASC' | 'DESC'
export type Operator = '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='

export interface Segment {
  value: string
  quote: '' | '`' | '"'
}

interface Span {
  /** Offset of the first character. */
  pos: number
  /** Offset just past the last character. */
  end: number
  /** The source text of the token. */
  text: string
}

export type Token = Span &
  (
    | { kind: 'ident'; segments: Segment[] }
    | { kind: 'keyword'; keyword: Keyword }
    | { kind: 'string'; value: string }
    | { kind: 'number'; value: number }
    | { kind: 'op'; op: Operator }
    | { kind: '(' | ')' | ',' | 'eof' }
  )

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ILIKE',
  'ASC',
  'DESC',
])
const OPERATORS: readonly Operator[] = ['<=', '>=', '!=', '<>', '==', '=', '<', '>']
const WORD_START = /[\p{L}_]/u
const WORD_REST = /[\p{L}\p{N}_]/u
const FIRST_WORD = /[\p{L}_][\p{L}\p{N}_]*/uy
const NEXT_WORD = /[\p{L}\p{N}_]+/uy
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y

/** The whole character (code point) at a UTF-16 offset. */
function charAt(s: string, i: number): string {
  return String.fromCodePoint(s.codePointAt(i)!)
}

export class Lexer {
  private i = 0

  constructor(readonly source: string) {}

  /** All tokens, ending with `eof`. */
  static tokenize(source: string): Token[] {
    const lexer = new Lexer(source)
    const out: Token[] = []
    for (;;) {
      const t = lexer.next()
      out.push(t)
      if (t.kind === 'eof') return out
    }
  }

  private span(pos: number): Span {
    return { pos, end: this.i, text: this.source.slice(pos, this.i) }
  }

  next(): Token {
    const s = this.source
    while (this.i < s.length && /\s/.test(s[this.i]!)) this.i++
    const pos = this.i
    if (pos >= s.length) return { kind: 'eof', pos, end: pos, text: '' }
    const c = s[pos]!
    if (c === '(' || c === ')' || c === ',') {
      this.i++
      return { kind: c, ...this.span(pos) }
    }
    if (c === "'") return { kind: 'string', value: this.quoted("'"), ...this.span(pos) }
    if (WORD_START.test(charAt(s, pos)) || c === '`' || c === '"') return this.identOrKeyword(pos)
    NUMBER.lastIndex = pos
    const num = NUMBER.exec(s)
    if (num) {
      this.i += num[0].length
      if (this.i < s.length && WORD_REST.test(charAt(s, this.i))) {
        throw invalidParameter(`Invalid number '${this.source.slice(pos, this.i + 1)}' at position ${pos}`)
      }
      return { kind: 'number', value: Number(num[0]), ...this.span(pos) }
    }
    const op = OPERATORS.find((o) => s.startsWith(o, pos))
    if (op) {
      this.i += op.length
      return { kind: 'op', op, ...this.span(pos) }
    }
    throw invalidParameter(`Unexpected character '${c}' at position ${pos}`)
  }

  private identOrKeyword(pos: number): Token {
    const segments: Segment[] = [this.segment(true)]
    while (this.source[this.i] === '.') {
      this.i++
      segments.push(this.segment(false))
    }
    const span = this.span(pos)
    const only = segments[0]!
    if (
      segments.length === 1 &&
      only.quote === '' &&
      /^[A-Za-z]+$/.test(only.value) &&
      KEYWORDS.has(only.value.toUpperCase())
    ) {
      return { kind: 'keyword', keyword: only.value.toUpperCase() as Keyword, ...span }
    }
    return { kind: 'ident', segments, ...span }
  }

  /** A word (the first one may not start with a digit), or a quoted name. */
  private segment(first: boolean): Segment {
    const s = this.source
    const c = s[this.i]
    if (c === '`' || c === '"') return { value: this.quoted(c), quote: c }
    const start = this.i
    const word = first ? FIRST_WORD : NEXT_WORD
    word.lastIndex = start
    const m = word.exec(s)
    if (!m) {
      throw invalidParameter(
        `Expected a name after '.' at position ${start}, found ${c === undefined ? 'the end of the text' : `'${c}'`}`,
      )
    }
    this.i += m[0].length
    return { value: m[0], quote: '' }
  }

  private quoted(quote: string): string {
    const s = this.source
    const start = this.i
    this.i++
    let value = ''
    while (this.i < s.length) {
      const c = s[this.i]!
      if (c === quote) {
        if (s[this.i + 1] === quote) {
          value += quote
          this.i += 2
          continue
        }
        this.i++
        return value
      }
      if (c === '\\' && quote !== '`' && (s[this.i + 1] === quote || s[this.i + 1] === '\\')) {
        value += s[this.i + 1]
        this.i += 2
        continue
      }
      value += c
      this.i++
    }
    throw invalidParameter(`Unterminated ${quote} quote starting at position ${start}`)
  }
}
