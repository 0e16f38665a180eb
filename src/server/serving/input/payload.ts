/**
 * MLflow's scoring payloads (`POST /invocations`, mlflow/pyfunc/scoring_server) read into one
 * of three shapes before the signature is applied:
 * - a table (named columns, column-major): `dataframe_split`, `dataframe_records`, CSV, and
 *   `instances` / `inputs` given as a list of records;
 * - a nameless array: `instances` / `inputs` given as a list (of lists);
 * - a dict of name → values: `instances` / `inputs` given as an object (columns or tensors).
 * Error codes follow MLflow's answers (scoring.json): envelope and shape mistakes are
 * BAD_REQUEST, LLM chat payloads INVALID_PARAMETER_VALUE.
 */
import { CairnError } from '../../../protocol/errors.js'

export interface Table {
  names: string[]
  /** Column-major: `columns[c][r]`; `undefined` where a record lacks the key. */
  readonly columns: unknown[][]
  /** The same values row-major (`data[r][c]`) when the client sent rows (a fast path reads them). */
  readonly data?: readonly unknown[][]
  /** Every value as a number, row-major (`matrix[r * names.length + c]`), when the body was read into one. */
  readonly matrix?: Float64Array
  rows: number
  /** The client named no columns (`dataframe_split` without `columns`): names are positions. */
  nameless?: boolean
}

export type Payload =
  | { kind: 'table'; table: Table }
  | { kind: 'array'; value: unknown[] }
  | { kind: 'dict'; value: Record<string, unknown> }

export interface ScoringRequest {
  payload: Payload
  /** `params` as sent (checked against the signature's params later). */
  params: unknown
  requestId?: string
}

export const INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const

const PROTOCOL_NOTE =
  'IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are likely using an outdated scoring request format. To resolve the error, either update your request format or adjust your MLflow Model\'s requirements file to specify an older version of MLflow (for example, change the "mlflow" requirement specifier to "mlflow==1.30.0").'

const badRequest = (message: string): CairnError => new CairnError('BAD_REQUEST', message)

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'dictionary' : typeof v

export function envelopeError(received: string): CairnError {
  return badRequest(
    `The input must be a JSON dictionary with exactly one of the input fields {${INPUT_KEYS.map((k) => `'${k}'`).join(', ')}}. ${received} ${PROTOCOL_NOTE}`,
  )
}

/** Rows as given (`dataframe_split.data`), checked against the column count. */
function splitTable(split: unknown): Table {
  if (!isRecord(split)) {
    throw badRequest(`Invalid input. Dataframe split format must be a dictionary. Got ${kindOf(split)}.`)
  }
  const data = split['data']
  const invalid = (why: string): CairnError =>
    badRequest(
      `Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${why}'`,
    )
  if (!Array.isArray(data)) throw invalid(`'data' must be a list of rows, got ${kindOf(data)}`)
  const declared = split['columns']
  if (declared !== undefined && !Array.isArray(declared)) throw invalid(`'columns' must be a list of names`)
  const width = declared ? declared.length : Array.isArray(data[0]) ? data[0].length : 0
  const names = declared ? declared.map(String) : Array.from({ length: width }, (_, i) => String(i))
  for (let r = 0; r < data.length; r++) {
    const row = data[r] as unknown
    if (!Array.isArray(row)) throw invalid(`row ${r} of 'data' is not a list`)
    if (row.length !== width)
      throw invalid(`${width} columns passed, passed data had ${row.length} columns (row ${r})`)
  }
  const index = split['index']
  if (index !== undefined && index !== null) {
    if (!Array.isArray(index) || index.length !== data.length) {
      throw invalid(
        `Length of values (${data.length}) does not match length of index (${Array.isArray(index) ? index.length : kindOf(index)})`,
      )
    }
  }
  const rows = data as unknown[][]
  let columns: unknown[][] | undefined
  return {
    names,
    rows: rows.length,
    data: rows,
    // Built only when a slow path needs them: numeric signatures read `data` directly.
    get columns(): unknown[][] {
      return (columns ??= names.map((_, c) => rows.map((row) => row[c])))
    },
    ...(declared ? {} : { nameless: true }),
  }
}

/** Records → columns; a key missing from some records is `undefined` there. */
export function recordsTable(records: readonly unknown[], what: string): Table {
  const names: string[] = []
  const at = new Map<string, number>()
  const columns: unknown[][] = []
  for (let r = 0; r < records.length; r++) {
    const rec = records[r]
    if (!isRecord(rec))
      throw badRequest(`Invalid input. ${what} must be a list of records; item ${r} is a ${kindOf(rec)}.`)
    for (const key in rec) {
      let c = at.get(key)
      if (c === undefined) {
        c = names.length
        at.set(key, c)
        names.push(key)
        columns.push(new Array<unknown>(records.length))
      }
      columns[c]![r] = rec[key]
    }
  }
  return { names, columns, rows: records.length }
}

function listOrDict(value: unknown, key: string): Payload {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) return { kind: 'table', table: recordsTable(value, key) }
    return { kind: 'array', value }
  }
  if (isRecord(value)) return { kind: 'dict', value }
  throw badRequest(`Invalid input. '${key}' must be a list or a dictionary, got ${kindOf(value)}.`)
}

const LLM_KEYS = ['messages', 'prompt', 'input']

/** The JSON body of `POST /invocations`, already parsed. */
export function parseScoringJson(body: unknown): ScoringRequest {
  if (!isRecord(body)) {
    throw badRequest(
      `Invalid input. The input must be a JSON dictionary with exactly one of the input fields {${INPUT_KEYS.map((k) => `'${k}'`).join(', ')}}. Received ${Array.isArray(body) ? 'a list' : `a JSON ${kindOf(body)}`}.`,
    )
  }
  const present = INPUT_KEYS.filter((k) => k in body)
  if (present.length !== 1) {
    const llm = LLM_KEYS.find((k) => k in body)
    if (present.length === 0 && llm !== undefined) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Invalid input. '${llm}' is a chat/completions payload for language models; this model takes ${INPUT_KEYS.join(', ')}.`,
      )
    }
    throw envelopeError(
      `Received dictionary with input fields: [${present.map((k) => `'${k}'`).join(', ')}].`,
    )
  }
  const key = present[0]!
  const value = body[key]
  let payload: Payload
  if (key === 'dataframe_split') payload = { kind: 'table', table: splitTable(value) }
  else if (key === 'dataframe_records') {
    if (!Array.isArray(value)) {
      throw badRequest(
        `Invalid input. Dataframe records format must be a list of records. Got ${kindOf(value)}.`,
      )
    }
    payload = { kind: 'table', table: recordsTable(value, 'dataframe_records') }
  } else payload = listOrDict(value, key)
  const requestId = body['request_id']
  return {
    payload,
    params: body['params'],
    ...(typeof requestId === 'string' && requestId !== '' ? { requestId } : {}),
  }
}
