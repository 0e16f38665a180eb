/**
 * Recursive-descent parser for the search language: MLflow's `<identifier> <comparator> <value>`
 * clauses joined by AND, plus Cairn's OR and parentheses (AND binds tighter than OR).
 *
 *   filter     := or EOF
 *   or         := and (OR and)*
 *   and        := primary (AND primary)*
 *   primary    := '(' or ')' | comparison
 *   comparison := identifier comparator value
 *   comparator := = | != | <> | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN
 *   value      := string | number | '(' string (',' string)* ')'
 *   order item := identifier [ASC | DESC] EOF
 *
 * Keywords are case-insensitive. Identifiers are resolved against the target's key table
 * (keys.ts) while parsing, so every error points at the token that caused it.
 */
import { invalidParameter, type CairnError } from '../errors.js'
import type { Comparator, Comparison, Entity, FilterExpr, Literal, OrderKey } from './ast.js'
import {
  describePrefixes,
  SEARCH_TARGETS,
  type KeySpec,
  type SearchTarget,
  type TargetSpec,
  type ValueKind,
} from './keys.js'
import { Lexer, type Token } from './lexer.js'

type IdentToken = Extract<Token, { kind: 'ident' }>

const ENTITY_NAMES: Record<Entity, string> = {
  metric: 'metric',
  param: 'param',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
}

function found(t: Token): string {
  if (t.kind === 'eof') return 'the end of the text'
  return t.kind === 'string' ? `the string ${t.text}` : `'${t.text}'`
}

function sortedList(keys: Iterable<string>): string {
  return [...keys].sort().join(', ')
}

interface ResolvedKey {
  entity: Entity
  key: string
}

class Parser {
  private readonly tokens: Token[]
  private i = 0

  constructor(
    private readonly spec: TargetSpec,
    private readonly what: 'filter' | 'order_by clause',
    private readonly source: string,
  ) {
    try {
      this.tokens = Lexer.tokenize(source)
    } catch (err) {
      throw this.wrap(err as CairnError)
    }
  }

  private wrap(err: CairnError): CairnError {
    return invalidParameter(`Invalid ${this.what} ${JSON.stringify(this.source)}: ${err.message}`)
  }

  fail(message: string): never {
    throw invalidParameter(`Invalid ${this.what} ${JSON.stringify(this.source)}: ${message}`)
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private take(): Token {
    const t = this.tokens[this.i]!
    if (t.kind !== 'eof') this.i++
    return t
  }

  private isKeyword(word: string): boolean {
    const t = this.peek()
    return t.kind === 'keyword' && t.keyword === word
  }

  parseFilter(): FilterExpr {
    const expr = this.or()
    const t = this.peek()
    if (t.kind !== 'eof')
      this.fail(`expected AND, OR or the end of the filter at position ${t.pos}, found ${found(t)}`)
    return expr
  }

  private or(): FilterExpr {
    const items = [this.and()]
    while (this.isKeyword('OR')) {
      this.take()
      items.push(this.and())
    }
    return flatten('or', items)
  }

  private and(): FilterExpr {
    const items = [this.primary()]
    while (this.isKeyword('AND')) {
      this.take()
      items.push(this.primary())
    }
    return flatten('and', items)
  }

  private primary(): FilterExpr {
    const t = this.peek()
    if (t.kind === '(') {
      this.take()
      const inner = this.or()
      const close = this.take()
      if (close.kind !== ')')
        this.fail(
          `expected ')' at position ${close.pos} to close '(' at position ${t.pos}, found ${found(close)}`,
        )
      return inner
    }
    return this.comparison()
  }

  private comparison(): Comparison {
    const t = this.take()
    if (t.kind !== 'ident')
      this.fail(`expected an identifier such as metrics.<key> at position ${t.pos}, found ${found(t)}`)
    const { entity, key } = this.resolve(t, 'filter')
    const keySpec = this.keySpec(entity, key)
    const { comparator, token } = this.comparator(t)
    if (!keySpec.comparators.includes(comparator)) {
      this.fail(
        `invalid comparator '${token.text}' at position ${token.pos} for ${ENTITY_NAMES[entity]} '${key}'. ` +
          `Valid comparators are: ${keySpec.comparators.join(', ')}`,
      )
    }
    const value = this.value(comparator, keySpec.kind, `${ENTITY_NAMES[entity]} '${key}'`)
    return { type: 'compare', entity, key, comparator, value }
  }

  private comparator(after: Token): { comparator: Comparator; token: Token } {
    const t = this.take()
    if (t.kind === 'op') {
      if (t.op === '==') this.fail(`invalid comparator '==' at position ${t.pos}; use '='`)
      return { comparator: t.op === '<>' ? '!=' : t.op, token: t }
    }
    if (t.kind === 'keyword') {
      if (t.keyword === 'LIKE' || t.keyword === 'ILIKE' || t.keyword === 'IN')
        return { comparator: t.keyword, token: t }
      if (t.keyword === 'NOT') {
        const n = this.take()
        if (n.kind === 'keyword' && n.keyword === 'IN') {
          return { comparator: 'NOT IN', token: { ...t, end: n.end, text: this.source.slice(t.pos, n.end) } }
        }
        this.fail(`expected IN after NOT at position ${n.pos}, found ${found(n)}`)
      }
    }
    this.fail(`expected a comparator after '${after.text}' at position ${t.pos}, found ${found(t)}`)
  }

  private value(comparator: Comparator, kind: ValueKind, subject: string): Literal {
    if (comparator === 'IN' || comparator === 'NOT IN') return this.list(comparator)
    const t = this.take()
    if (kind === 'number') {
      if (t.kind === 'number') return { kind: 'number', value: t.value }
      this.fail(`expected a number for ${subject} at position ${t.pos}, found ${found(t)}`)
    }
    const s = stringValue(t)
    if (s === undefined)
      this.fail(`expected a quoted string for ${subject} at position ${t.pos}, found ${found(t)}`)
    return { kind: 'string', value: s }
  }

  private list(comparator: Comparator): Literal {
    const open = this.take()
    if (open.kind !== '(')
      this.fail(`expected '(' after ${comparator} at position ${open.pos}, found ${found(open)}`)
    const values: string[] = []
    for (;;) {
      const t = this.take()
      const s = stringValue(t)
      if (s === undefined)
        this.fail(
          `expected a quoted string in the ${comparator} list at position ${t.pos}, found ${found(t)}`,
        )
      values.push(s)
      const sep = this.take()
      if (sep.kind === ')') return { kind: 'list', values }
      if (sep.kind !== ',')
        this.fail(`expected ',' or ')' in the ${comparator} list at position ${sep.pos}, found ${found(sep)}`)
    }
  }

  /** Entity and canonical key of an identifier; `purpose` selects the filter or order_by tables. */
  resolve(t: IdentToken, purpose: 'filter' | 'order'): ResolvedKey {
    const spec = this.spec
    const [first, ...rest] = t.segments
    let entity: Entity = 'attribute'
    let key = first!.value
    if (rest.length > 0) {
      const prefix = first!.value.toLowerCase()
      const named = spec.prefixes[prefix]
      if (named === undefined) {
        this.fail(
          `invalid entity type '${first!.value}' at position ${t.pos}. Valid entity types are: ${describePrefixes(spec)}`,
        )
      }
      entity = named
      key = rest.map((s) => s.value).join('.')
    }
    if (key === '') this.fail(`empty key at position ${t.pos}`)
    if (purpose === 'order' && !spec.orderEntities.includes(entity)) {
      this.fail(
        `invalid order_by entity '${ENTITY_NAMES[entity]}' at position ${t.pos}. ` +
          `order_by accepts: ${describePrefixes(spec, spec.orderEntities)}`,
      )
    }
    if (entity === 'attribute') {
      key = spec.aliases[key] ?? key
      const valid = purpose === 'filter' ? spec.attributes : spec.orderAttributes
      if (!(key in valid)) {
        // Aliases are listed once, in their lower-case spelling ("created", "run name").
        const aliases = Object.keys(spec.aliases).filter(
          (a) => a === a.toLowerCase() && spec.aliases[a]! in valid,
        )
        const names = [...Object.keys(valid), ...aliases]
        this.fail(`invalid attribute key '${key}' at position ${t.pos}. Valid keys are: ${sortedList(names)}`)
      }
    }
    if (entity === 'dataset' && !(key in spec.datasetKeys)) {
      this.fail(
        `invalid dataset key '${key}' at position ${t.pos}. Valid keys are: ${sortedList(Object.keys(spec.datasetKeys))}`,
      )
    }
    return { entity, key }
  }

  private keySpec(entity: Entity, key: string): KeySpec {
    const spec = this.spec
    const found =
      entity === 'attribute'
        ? spec.attributes[key]
        : entity === 'dataset'
          ? spec.datasetKeys[key]
          : spec.freeKeys[entity]
    // resolve() has already refused unknown attributes and dataset keys; free entities are per target.
    return found ?? this.fail(`${ENTITY_NAMES[entity]} keys cannot be searched here`)
  }

  parseOrderItem(): OrderKey {
    const t = this.take()
    if (t.kind !== 'ident') this.fail(`expected a key at position ${t.pos}, found ${found(t)}`)
    const { entity, key } = this.resolve(t, 'order')
    let ascending = true
    const dir = this.take()
    if (dir.kind === 'keyword' && (dir.keyword === 'ASC' || dir.keyword === 'DESC')) {
      ascending = dir.keyword === 'ASC'
      const end = this.take()
      if (end.kind !== 'eof')
        this.fail(`unexpected ${found(end)} at position ${end.pos} after ${dir.keyword}`)
    } else if (dir.kind !== 'eof') {
      this.fail(`invalid ordering key ${found(dir)} at position ${dir.pos}; expected ASC or DESC`)
    }
    return { entity, key, ascending }
  }
}

function stringValue(t: Token): string | undefined {
  if (t.kind === 'string') return t.value
  // MLflow takes a double-quoted token in value position as a string.
  if (t.kind === 'ident' && t.segments.length === 1 && t.segments[0]!.quote === '"')
    return t.segments[0]!.value
  return undefined
}

function flatten(type: 'and' | 'or', items: FilterExpr[]): FilterExpr {
  if (items.length === 1) return items[0]!
  return { type, items: items.flatMap((x) => (x.type === type ? x.items : [x])) }
}

/** The tree of a filter string; null for an empty or blank filter (everything matches). */
export function parseFilter(target: SearchTarget, text: string): FilterExpr | null {
  if (text.trim() === '') return null
  return new Parser(SEARCH_TARGETS[target], 'filter', text).parseFilter()
}

/** order_by items such as `metrics.rmse DESC` or `start_time`, each resolved against the target. */
export function parseOrderBy(target: SearchTarget, items: readonly string[]): OrderKey[] {
  const spec = SEARCH_TARGETS[target]
  const keys: OrderKey[] = []
  for (const item of items) {
    const parser = new Parser(spec, 'order_by clause', item)
    const key = parser.parseOrderItem()
    if (spec.uniqueOrderKeys && keys.some((k) => k.entity === key.entity && k.key === key.key)) {
      parser.fail(`order_by names ${ENTITY_NAMES[key.entity]} '${key.key}' more than once`)
    }
    keys.push(key)
  }
  return keys
}
