/**
 * SQL built from fragments: every interpolated value becomes a bound `?` parameter, so search
 * input never reaches the SQL text. Only `raw()` inserts text, and it is used for fixed column
 * names and operators taken from constant tables, never for input.
 */
export class Fragment {
  constructor(
    readonly sql: string,
    readonly params: readonly unknown[],
  ) {}
}

export type SqlValue = string | number | bigint | null

/** sql`a.value > ${v}` → { sql: 'a.value > ?', params: [v] }; nested fragments are inlined. */
export function sql(strings: TemplateStringsArray, ...values: (Fragment | SqlValue)[]): Fragment {
  let text = strings[0]!
  const params: unknown[] = []
  values.forEach((v, i) => {
    if (v instanceof Fragment) {
      text += v.sql
      params.push(...v.params)
    } else {
      text += '?'
      params.push(v)
    }
    text += strings[i + 1]!
  })
  return new Fragment(text, params)
}

/** Trusted text: fixed identifiers and operators only. */
export function raw(text: string): Fragment {
  return new Fragment(text, [])
}

export function joinSql(parts: readonly Fragment[], separator: string): Fragment {
  return new Fragment(
    parts.map((p) => p.sql).join(separator),
    parts.flatMap((p) => p.params),
  )
}

export const TRUE = raw('1')
export const FALSE = raw('0')
