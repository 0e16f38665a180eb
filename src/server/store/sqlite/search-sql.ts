/**
 * Search → SQL for SQLite. PLACEHOLDER: filters and order_by are not compiled yet (the filter
 * language lands in its own commit); this version lists in MLflow's default order.
 */
import type { ViewType } from '../../../protocol/entities.js'
import type { FilterExpr, OrderKey } from '../../../protocol/filter/ast.js'

export interface SqlQuery {
  sql: string
  params: unknown[]
}

export interface RunSearchQuery {
  experimentIds: number[]
  filter: FilterExpr | null
  orderBy: OrderKey[]
  viewType: ViewType
  limit: number
  offset: number
}

export interface ExperimentSearchQuery {
  filter: FilterExpr | null
  orderBy: OrderKey[]
  viewType: ViewType
  limit: number
  offset: number
}

export interface SearchKeys {
  /** Interned id of a metric key, or undefined when no run has logged it. */
  metricKeyId(key: string): number | undefined
}

function lifecycle(viewType: ViewType, column: string): string {
  if (viewType === 'ACTIVE_ONLY') return `${column} = 'active'`
  if (viewType === 'DELETED_ONLY') return `${column} = 'deleted'`
  return '1 = 1'
}

export function compileRunSearch(q: RunSearchQuery, _keys: SearchKeys): SqlQuery {
  const marks = q.experimentIds.map(() => '?').join(', ')
  return {
    sql: `SELECT r.run_pk, r.run_uuid, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time,
                 r.artifact_uri, r.lifecycle_stage
            FROM runs r
           WHERE r.experiment_id IN (${marks}) AND ${lifecycle(q.viewType, 'r.lifecycle_stage')}
           ORDER BY r.start_time DESC, r.run_uuid
           LIMIT ? OFFSET ?`,
    params: [...q.experimentIds, q.limit, q.offset],
  }
}

export function compileExperimentSearch(q: ExperimentSearchQuery): SqlQuery {
  return {
    sql: `SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
            FROM experiments e
           WHERE ${lifecycle(q.viewType, 'e.lifecycle_stage')}
           ORDER BY e.creation_time DESC, e.experiment_id
           LIMIT ? OFFSET ?`,
    params: [q.limit, q.offset],
  }
}
