/**
 * Which version a rollback restores, from an alias's audit events. Every move of an alias is an
 * event; a rollback is itself a move (action `rollback`) that undoes the latest move not already
 * undone. So the events read as a stack: forward moves push, rollbacks pop. Walking newest
 * first, each rollback event cancels the next forward move; the first forward move left standing
 * is the one to undo, and its old value is the target.
 *
 *   set 1, set 2, set 3          → rollback restores 2 (undoes "2 → 3")
 *   rollback again               → restores 1 ("2 → 3" is undone, so "1 → 2" is next)
 *   set 4 (1 → 4), rollback      → restores 1 (undoes "1 → 4")
 *   rollback again               → nothing left: "unset → 1" has no earlier version
 *
 * Deletions are moves too (to unset); rolling one back restores the version the alias pointed at.
 */
import type { RegistryEvent } from '../../protocol/registry-entities.js'

export interface RollbackStep {
  /** The move being undone. */
  undoes: RegistryEvent
  /** The version to restore; null when the alias was unset before that move. */
  target: string | null
}

/** `events`: the alias's events, newest first (others are ignored). Null when the alias never moved. */
export function rollbackStep(events: readonly RegistryEvent[]): RollbackStep | null {
  let undone = 0
  for (const e of events) {
    if (e.kind !== 'alias_set' && e.kind !== 'alias_deleted') continue
    if (e.action === 'rollback') {
      undone++
      continue
    }
    if (undone > 0) {
      undone--
      continue
    }
    return { undoes: e, target: e.oldValue }
  }
  return null
}
