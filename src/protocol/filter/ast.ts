/**
 * The search language's typed tree. Produced by parse.ts, consumed by the in-memory evaluator
 * (evaluate.ts, the reference) and by each store's SQL compiler.
 *
 * MLflow's language is `<identifier> <comparator> <constant>` joined by AND. Cairn adds OR and
 * parentheses; AND binds tighter than OR, as in SQL.
 */

/** What an identifier refers to, after MLflow's aliases (`metrics.`, `params.`, `attr.`...) are resolved. */
export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'

export type Literal =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'list'; values: string[] }

export interface Comparison {
  type: 'compare'
  entity: Entity
  /** Canonical key: attribute aliases resolved (`created` → `start_time`, `run name` → `run_name`). */
  key: string
  comparator: Comparator
  value: Literal
}

export interface And {
  type: 'and'
  items: FilterExpr[]
}

export interface Or {
  type: 'or'
  items: FilterExpr[]
}

export type FilterExpr = Comparison | And | Or

export interface OrderKey {
  entity: Entity
  key: string
  ascending: boolean
}
