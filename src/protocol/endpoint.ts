/** An endpoint row: method, path, request message, answer type. Shared by server routes and the SDK. */
import type { AnyMessageSchema } from './fields.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Endpoint<S extends AnyMessageSchema = AnyMessageSchema, R = unknown> {
  readonly name: string
  readonly methods: readonly HttpMethod[]
  /** Path below /api/2.0 (and /ajax-api/2.0 unless ajaxOnly). */
  readonly path: string
  readonly request: S
  /** Only under /ajax-api/2.0 (MLflow's UI-only routes). */
  readonly ajaxOnly?: boolean
  /** Type-level only: the answer's wire shape. */
  readonly response?: R
}

/** `endpoint<Answer>()(name, { methods, path }, requestSchema)`: the answer type is given, the request type inferred. */
export function endpoint<R>() {
  return <S extends AnyMessageSchema>(
    name: string,
    route: { methods: readonly HttpMethod[]; path: string; ajaxOnly?: boolean },
    request: S,
  ): Endpoint<S, R> => ({ name, ...route, request })
}

