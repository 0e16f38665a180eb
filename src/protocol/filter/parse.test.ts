import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CairnError } from '../errors.js'
import type { Comparison, FilterExpr } from './ast.js'
import { formatFilter, formatOrderKey } from './format.js'
import { parseSearchFilter, parseSearchOrderBy, type SearchTarget } from './index.js'

const cmp = (
  entity: Comparison['entity'],
  key: string,
  comparator: Comparison['comparator'],
  value: Comparison['value'],
): Comparison => ({
  type: 'compare',
  entity,
  key,
  comparator,
  value,
})
const str = (value: string) => ({ kind: 'string' as const, value })
const num = (value: number) => ({ kind: 'number' as const, value })

function parseError(target: SearchTarget, text: string): CairnError {
  try {
    parseSearchFilter(target, text)
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE')
    expect((err as CairnError).status).toBe(400)
    return err as CairnError
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`)
}

function orderError(target: SearchTarget, items: string[]): CairnError {
  try {
    parseSearchOrderBy(target, items)
  } catch (err) {
    expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE')
    return err as CairnError
  }
  throw new Error(`expected ${JSON.stringify(items)} to be refused`)
}

describe('parseSearchFilter: identifiers', () => {
  it.each([
    ['metric.acc > 1', 'metric'],
    ['metrics.acc > 1', 'metric'],
    ["param.lr = 'x'", 'param'],
    ["params.lr = 'x'", 'param'],
    ["parameter.lr = 'x'", 'param'],
    ["parameters.lr = 'x'", 'param'],
    ["tag.lr = 'x'", 'tag'],
    ["tags.lr = 'x'", 'tag'],
    ["attribute.status = 'x'", 'attribute'],
    ["attributes.status = 'x'", 'attribute'],
    ["attr.status = 'x'", 'attribute'],
    ["run.status = 'x'", 'attribute'],
    ["status = 'x'", 'attribute'],
    ["dataset.name = 'x'", 'dataset'],
    ["datasets.name = 'x'", 'dataset'],
    ['`metrics`.acc > 1', 'metric'],
  ])('resolves the prefix of %s', (text, entity) => {
    expect((parseSearchFilter('runs', text) as Comparison).entity).toBe(entity)
  })

  it.each([
    ['created > 1', 'start_time'],
    ['Created > 1', 'start_time'],
    ['attributes.created > 1', 'start_time'],
    ["`run name` = 'x'", 'run_name'],
    ["`Run name` = 'x'", 'run_name'],
    ['"Run Name" = \'x\'', 'run_name'],
    ["attributes.`run name` = 'x'", 'run_name'],
    ["run_id = 'x'", 'run_id'],
    ["user_id = 'x'", 'user_id'],
    ["artifact_uri = 'x'", 'artifact_uri'],
    ['end_time > 1', 'end_time'],
  ])('resolves the attribute alias in %s', (text, key) => {
    expect((parseSearchFilter('runs', text) as Comparison).key).toBe(key)
  })

  it('reads quoted and dotted keys', () => {
    expect(parseSearchFilter('runs', 'metrics.`f1-score` > 0.5')).toEqual(
      cmp('metric', 'f1-score', '>', num(0.5)),
    )
    expect(parseSearchFilter('runs', 'metrics."f1 score" > 0.5')).toEqual(
      cmp('metric', 'f1 score', '>', num(0.5)),
    )
    expect(parseSearchFilter('runs', "tags.mlflow.note.content = 'x'")).toEqual(
      cmp('tag', 'mlflow.note.content', '=', str('x')),
    )
    expect(parseSearchFilter('runs', "tags.`mlflow.note.content` = 'x'")).toEqual(
      cmp('tag', 'mlflow.note.content', '=', str('x')),
    )
    expect(parseSearchFilter('runs', "params.`a``b` = 'x'")).toEqual(cmp('param', 'a`b', '=', str('x')))
    expect(parseSearchFilter('runs', "params.1st = 'x'")).toEqual(cmp('param', '1st', '=', str('x')))
    expect(parseSearchFilter('runs', "params.größe = 'x'")).toEqual(cmp('param', 'größe', '=', str('x')))
  })
})

describe('parseSearchFilter: values and comparators', () => {
  it('reads single- and double-quoted strings with their escapes', () => {
    expect(parseSearchFilter('runs', "params.p = 'it''s'")).toEqual(cmp('param', 'p', '=', str("it's")))
    expect(parseSearchFilter('runs', "params.p = 'it\\'s'")).toEqual(cmp('param', 'p', '=', str("it's")))
    expect(parseSearchFilter('runs', 'params.p = "say ""hi"""')).toEqual(
      cmp('param', 'p', '=', str('say "hi"')),
    )
    expect(parseSearchFilter('runs', "params.p = 'C:\\data\\\\x'")).toEqual(
      cmp('param', 'p', '=', str('C:\\data\\x')),
    )
    expect(parseSearchFilter('runs', "params.p = ''")).toEqual(cmp('param', 'p', '=', str('')))
  })

  it.each([
    ['1', 1],
    ['-1', -1],
    ['+2', 2],
    ['0.25', 0.25],
    ['.5', 0.5],
    ['3.', 3],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['-2.5e+2', -250],
    ['1e999', Number.POSITIVE_INFINITY],
  ])('reads the number %s', (text, value) => {
    expect(parseSearchFilter('runs', `metrics.m >= ${text}`)).toEqual(cmp('metric', 'm', '>=', num(value)))
  })

  it('accepts each comparator where MLflow does, <> as !=', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>='])
      expect((parseSearchFilter('runs', `metrics.m ${op} 1`) as Comparison).comparator).toBe(op)
    expect((parseSearchFilter('runs', 'metrics.m <> 1') as Comparison).comparator).toBe('!=')
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      expect((parseSearchFilter('runs', `params.p ${op} 'x'`) as Comparison).comparator).toBe(op)
      expect((parseSearchFilter('runs', `tags.t ${op} 'x'`) as Comparison).comparator).toBe(op)
      expect((parseSearchFilter('runs', `run_name ${op} 'x'`) as Comparison).comparator).toBe(op)
    }
    expect(parseSearchFilter('runs', 'run_id IN (\'a\', "b")')).toEqual(
      cmp('attribute', 'run_id', 'IN', { kind: 'list', values: ['a', 'b'] }),
    )
    expect(parseSearchFilter('runs', "run_id not in ('a')")).toEqual(
      cmp('attribute', 'run_id', 'NOT IN', { kind: 'list', values: ['a'] }),
    )
    for (const key of ['name', 'digest', 'context']) {
      expect((parseSearchFilter('runs', `datasets.${key} NOT IN ('a','b')`) as Comparison).comparator).toBe(
        'NOT IN',
      )
      expect((parseSearchFilter('runs', `datasets.${key} ilike 'a%'`) as Comparison).comparator).toBe('ILIKE')
    }
  })
})

describe('parseSearchFilter: AND, OR and parentheses', () => {
  const a = cmp('param', 'a', '=', str('1'))
  const b = cmp('param', 'b', '=', str('2'))
  const c = cmp('param', 'c', '=', str('3'))

  it('binds AND tighter than OR, keywords in any case', () => {
    expect(parseSearchFilter('runs', "params.a = '1' or params.b = '2' AnD params.c = '3'")).toEqual({
      type: 'or',
      items: [a, { type: 'and', items: [b, c] }],
    })
  })

  it('groups with parentheses and merges nested groups of the same kind', () => {
    expect(parseSearchFilter('runs', "(params.a = '1' OR params.b = '2') AND params.c = '3'")).toEqual({
      type: 'and',
      items: [{ type: 'or', items: [a, b] }, c],
    })
    expect(parseSearchFilter('runs', "params.a = '1' AND (params.b = '2' AND (params.c = '3'))")).toEqual({
      type: 'and',
      items: [a, b, c],
    })
    expect(parseSearchFilter('runs', "((params.a = '1'))")).toEqual(a)
  })

  it('treats an empty or blank filter as no filter', () => {
    expect(parseSearchFilter('runs', '')).toBeNull()
    expect(parseSearchFilter('runs', '  \n ')).toBeNull()
  })
})

describe('parseSearchFilter: errors name the token and its position', () => {
  it.each([
    ['metrics.acc >', 'position 13', 'end of the text'],
    ["metrics.acc = 'x'", 'position 14', "'x'"],
    ['params.lr = 0.01', 'position 12', "'0.01'"],
    ["start_time = 'x'", 'position 13', "'x'"],
    ['metrics.acc LIKE 1', "'LIKE' at position 12", '=, !=, <, <=, >, >='],
    ["params.lr IN ('0.01', '0.1')", "'IN' at position 10", 'LIKE, ILIKE'],
    ["run_name IN ('a')", "'IN' at position 9", '=, !=, LIKE, ILIKE'],
    ['start_time LIKE 1', "'LIKE' at position 11", '<='],
    ["params.p = 'open", 'position 11', 'Unterminated'],
    ["params.p # 'x'", 'position 9', "'#'"],
    ["params.p == 'x'", "'==' at position 9", "'='"],
    ["(params.p = 'x'", 'position 15', "')'"],
    ["params.p = 'x')", 'position 14', "')'"],
    ["params.p = 'x' params.q = 'y'", 'position 15', "'params.q'"],
    ['run_id IN ()', 'position 11', "')'"],
    ['run_id IN (1)', 'position 11', "'1'"],
    ["run_id IN 'a'", 'position 10', "'(' after IN"],
    ["run_id NOT 'a'", 'position 11', 'IN after NOT'],
    ['metrics.`` > 1', 'position 0', 'empty key'],
    ["OR params.p = 'x'", 'position 0', "'OR'"],
    ["params.p = 'x' AND", 'position 18', 'end of the text'],
    ['metrics.m > 1abc', 'position 12', '1abc'],
    ["params. = 'x'", 'position 7', 'a name after'],
  ])('refuses %s', (text, where, detail) => {
    const err = parseError('runs', text)
    expect(err.message).toContain(where)
    expect(err.message).toContain(detail)
  })

  it('lists the valid entity types for an unknown prefix', () => {
    const err = parseError('runs', "foo.bar = 'x'")
    expect(err.message).toContain("'foo' at position 0")
    for (const p of ['metrics', 'params', 'parameters', 'tags', 'attributes', 'attr', 'run', 'datasets'])
      expect(err.message).toContain(p)
  })

  it('lists the valid keys for an unknown attribute or dataset key', () => {
    const err = parseError('runs', "x = 1 OR bogus = 'x'")
    expect(err.message).toContain("'x' at position 0")
    for (const k of [
      'run_id',
      'run_name',
      'status',
      'user_id',
      'artifact_uri',
      'start_time',
      'end_time',
      'created',
      'run name',
    ]) {
      expect(err.message).toContain(k)
    }
    expect(parseError('runs', "datasets.size = 'x'").message).toMatch(
      /'size' at position 0.*context, digest, name/,
    )
  })

  it('applies each target its own keys (MLflow answers these 400 or 500; Cairn always 400)', () => {
    expect(parseError('experiments', "bogus_attr = 'x'").message).toContain(
      'creation_time, last_update_time, name',
    )
    expect(parseError('experiments', "name > 'x'").message).toContain("'>' at position 5")
    expect(parseError('experiments', "name IN ('a', 'b')").message).toContain("'IN'")
    expect(parseError('experiments', 'metrics.m > 1').message).toContain("'metrics'")
    expect(parseError('experiments', 'name = ').message).toContain('position 7')
    expect(parseError('registered_models', "description = 'x'").message).toContain('Valid keys are: name')
    expect(parseError('model_versions', "name >> 'x'").message).toContain("'>' at position 5")
    expect(parseError('model_versions', "source_path IN ('a')").message).toContain("'IN'")
  })

  it('accepts what each target searches', () => {
    expect(
      parseSearchFilter(
        'experiments',
        "name LIKE 'x%' AND tags.team = 'ml' AND creation_time > 5 and last_update_time <= 9",
      ),
    ).not.toBeNull()
    expect(parseSearchFilter('experiments', "attribute.name = 'x'")).toEqual(
      cmp('attribute', 'name', '=', str('x')),
    )
    expect(parseSearchFilter('registered_models', "name ILIKE 'x%' AND tag.owner = 'a'")).not.toBeNull()
    expect(
      parseSearchFilter(
        'model_versions',
        "name = 'm' AND version_number > 2 AND run_id IN ('a') AND source_path LIKE 's3:%'",
      ),
    ).not.toBeNull()
    expect(parseSearchFilter('model_versions', 'version_number > 2 OR tags.env = "x"')).not.toBeNull()
  })
})

describe('parseSearchOrderBy', () => {
  it('reads keys, directions in any case, and aliases', () => {
    expect(
      parseSearchOrderBy('runs', ['metrics.acc DESC', 'params.lr', 'tags.`a b` asc', 'created desc']),
    ).toEqual([
      { entity: 'metric', key: 'acc', ascending: false },
      { entity: 'param', key: 'lr', ascending: true },
      { entity: 'tag', key: 'a b', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: false },
    ])
    expect(parseSearchOrderBy('experiments', ['experiment_id DESC', 'attribute.name'])).toEqual([
      { entity: 'attribute', key: 'experiment_id', ascending: false },
      { entity: 'attribute', key: 'name', ascending: true },
    ])
    expect(parseSearchOrderBy('registered_models', ['timestamp DESC', 'name'])[0]).toEqual({
      entity: 'attribute',
      key: 'last_updated_timestamp',
      ascending: false,
    })
    expect(
      parseSearchOrderBy('model_versions', ['version_number', 'creation_timestamp DESC']).map((k) => k.key),
    ).toEqual(['version_number', 'creation_timestamp'])
    expect(parseSearchOrderBy('runs', [])).toEqual([])
  })

  it.each<[SearchTarget, string[], string]>([
    ['runs', ['bogus.key DESC'], "'bogus' at position 0"],
    ['runs', ['datasets.name'], "entity 'dataset'"],
    ['runs', ['metrics.m SIDEWAYS'], "'SIDEWAYS' at position 10"],
    ['runs', ['metrics.m DESC x'], "'x' at position 15"],
    ['runs', [''], 'position 0'],
    ['runs', ['start_time', 'created DESC'], 'more than once'],
    ['experiments', ['bogus DESC'], 'creation_time, experiment_id, last_update_time, name'],
    ['experiments', ['tags.team DESC', 'name ASC'], "entity 'tag'"],
    ['experiments', ['name SIDEWAYS'], "'SIDEWAYS'"],
    ['registered_models', ['bogus ASC'], 'timestamp'],
    ['model_versions', ['run_id'], 'version_number'],
  ])('refuses %s %j', (target, items, detail) => {
    expect(orderError(target, items).message).toContain(detail)
  })
})

// Characters that stress quoting: quotes, backslashes, wildcards, dots, spaces, astral letters.
const TRICKY = ["'", '"', '`', '\\', '%', '_', '.', ' ', 'a', 'Z', '0', 'é', '𝒜', '😀', '\n', '(', ',']
const trickyString = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 6 })

const leaf: fc.Arbitrary<Comparison> = fc.oneof(
  fc.record({
    type: fc.constant('compare' as const),
    entity: fc.constant('metric' as const),
    key: trickyString.filter((k) => k !== ''),
    comparator: fc.constantFrom(
      '=' as const,
      '!=' as const,
      '<' as const,
      '<=' as const,
      '>' as const,
      '>=' as const,
    ),
    value: fc.double({ noNaN: true }).map(num),
  }),
  fc.record({
    type: fc.constant('compare' as const),
    entity: fc.constantFrom('param' as const, 'tag' as const),
    key: trickyString.filter((k) => k !== ''),
    comparator: fc.constantFrom('=' as const, '!=' as const, 'LIKE' as const, 'ILIKE' as const),
    value: trickyString.map(str),
  }),
  fc.record({
    type: fc.constant('compare' as const),
    entity: fc.constant('dataset' as const),
    key: fc.constantFrom('name', 'digest', 'context'),
    comparator: fc.constantFrom('IN' as const, 'NOT IN' as const),
    value: fc
      .array(trickyString, { minLength: 1, maxLength: 3 })
      .map((values) => ({ kind: 'list' as const, values })),
  }),
)

function flatten(expr: FilterExpr): FilterExpr {
  if (expr.type === 'compare') return expr
  return {
    type: expr.type,
    items: expr.items.map(flatten).flatMap((x) => (x.type === expr.type ? x.items : [x])),
  }
}

describe('formatFilter round trip', () => {
  it('gives back the same tree for any keys, values and nesting', () => {
    const { tree } = fc.letrec<{ tree: FilterExpr }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        leaf,
        fc.record({
          type: fc.constantFrom('and' as const, 'or' as const),
          items: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
        }),
      ),
    }))
    fc.assert(
      fc.property(tree, (t) => {
        expect(parseSearchFilter('runs', formatFilter(t))).toEqual(flatten(t))
      }),
      { numRuns: 500 },
    )
  })

  it('gives back the same order keys', () => {
    const key = fc.record({
      entity: fc.constantFrom('metric' as const, 'param' as const, 'tag' as const),
      key: trickyString.filter((k) => k !== ''),
      ascending: fc.boolean(),
    })
    fc.assert(
      fc.property(key, (k) => {
        expect(parseSearchOrderBy('runs', [formatOrderKey(k)])).toEqual([k])
      }),
    )
  })
})
