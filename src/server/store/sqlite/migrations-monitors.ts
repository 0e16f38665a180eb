/**
 * Migration 4: monitors.
 *
 * - `spec` is the monitor document as given; the service normalizes it on every read.
 * - `last_fire_time` with `lease_owner`/`lease_until` is the schedules' discipline (migration 3):
 *   one replica holds a monitor's lease, and a fire time is claimed by compare-and-set.
 * - `last_summary` is the last run's measures, so every replica's /metrics exports the same values.
 * - `last_alert_time` is the alert cool-down, claimed by compare-and-set.
 */
import type { Migration } from './migrations.js'

export const MONITORS_MIGRATION: Migration = {
  version: 4,
  name: 'monitors',
  sql: `
CREATE TABLE monitors (
  name TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  last_fire_time INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  last_run_id TEXT,
  last_status TEXT,
  last_run_time INTEGER,
  last_summary TEXT,
  last_alert_time INTEGER
);
`,
}
