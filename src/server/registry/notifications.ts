/**
 * Registry change notifications, in process: serving subscribes to learn that an alias moved or a
 * version appeared or went away, without polling. They are sent after the change is committed.
 * With several server replicas each sees only its own changes; the audit trail
 * (`/api/2.0/cairn/registry/history`) is what every replica can read.
 */
import type { Logger } from '../logging.js'

export type RegistryNotification =
  | {
      type: 'alias_moved'
      name: string
      alias: string
      /** null: the alias was unset. */
      oldVersion: string | null
      /** null: the alias is now unset. */
      newVersion: string | null
    }
  | { type: 'version_created'; name: string; version: string }
  | { type: 'version_deleted'; name: string; version: string }
  | { type: 'model_renamed'; name: string; newName: string }
  | { type: 'model_deleted'; name: string }

export type RegistryListener = (n: RegistryNotification) => void

export class RegistryNotifications {
  private readonly listeners = new Set<RegistryListener>()

  constructor(private readonly log?: Logger) {}

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A listener that throws is logged and skipped: a change that is committed stays answered as done. */
  emit(n: RegistryNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(n)
      } catch (err) {
        this.log?.error({ err, notification: n }, 'registry listener failed')
      }
    }
  }
}
