/**
 * Migration 3: pipelines and schedules.
 *
 * - `pipeline_runs` is keyed by the pipeline run's tracking run id; the spec and params are kept
 *   as given so `resume` and scheduled runs need nothing but this row.
 * - `pipeline_steps` has one row per step, or per item of a fan-out (`fit[3]`). Cache lookups
 *   read the partial index of steps that succeeded by running (a cache hit never becomes a source).
 * - `pipeline_step_logs` keeps live log chunks keyed by their byte offset, so a follower asks
 *   "from offset N" and reads a range; the full log is the step run's artifact.
 * - `schedules.last_fire_time` is the compare-and-set that makes a fire happen once, and
 *   `lease_owner`/`lease_until` keep one replica in charge of a schedule at a time.
 */
import type { Migration } from './migrations.js'

export const PIPELINES_MIGRATION: Migration = {
  version: 3,
  name: 'pipelines and schedules',
  sql: `
CREATE TABLE pipeline_runs (
  run_id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  experiment_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
  spec TEXT NOT NULL,
  params TEXT NOT NULL,
  workdir TEXT NOT NULL,
  backend TEXT NOT NULL,
  use_cache INTEGER NOT NULL,
  orchestrator TEXT NOT NULL,
  schedule_name TEXT,
  resumed_from TEXT,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  heartbeat_time INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pipeline_runs_by_start ON pipeline_runs (start_time DESC, run_id);
CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, start_time DESC, run_id);
CREATE INDEX pipeline_runs_running ON pipeline_runs (status, schedule_name, heartbeat_time);

CREATE TABLE pipeline_steps (
  pipeline_run_id TEXT NOT NULL REFERENCES pipeline_runs (run_id) ON DELETE CASCADE,
  step_key TEXT NOT NULL,
  step TEXT NOT NULL,
  item_index INTEGER,
  item TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  run_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,
  cache_key TEXT,
  cache_hit INTEGER NOT NULL DEFAULT 0,
  cached_from TEXT,
  outputs TEXT,
  message TEXT NOT NULL DEFAULT '',
  start_time INTEGER,
  end_time INTEGER,
  log_bytes INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pipeline_run_id, step_key)
) WITHOUT ROWID;
CREATE INDEX pipeline_steps_cache ON pipeline_steps (cache_key, end_time)
  WHERE status = 'succeeded' AND cache_hit = 0;

CREATE TABLE pipeline_step_logs (
  pipeline_run_id TEXT NOT NULL,
  step_key TEXT NOT NULL,
  offset INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (pipeline_run_id, step_key, offset)
) WITHOUT ROWID;

CREATE TABLE schedules (
  name TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  spec TEXT NOT NULL,
  params TEXT NOT NULL,
  workdir TEXT NOT NULL,
  experiment_name TEXT,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  max_concurrent INTEGER NOT NULL,
  catchup INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  backend TEXT NOT NULL,
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  last_fire_time INTEGER NOT NULL,
  fired_count INTEGER NOT NULL DEFAULT 0,
  skipped_count INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER
);
`,
}
