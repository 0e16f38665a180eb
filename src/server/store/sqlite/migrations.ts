/**
 * Versioned schema migrations, applied in order at start inside one transaction each.
 * `PRAGMA user_version` records the last one applied. Never edit a released migration; add one.
 *
 * Layout notes:
 * - Params, run and experiment tags and latest metrics keep rowids: MLflow lists them in the
 *   order they were first logged, and an upsert keeps a row's rowid.
 * - Runs have an integer `run_pk` used by every child table, so indexes stay small; the
 *   32-hex `run_uuid` is looked up once per request.
 * - Metric keys are interned in `metric_keys`; `metrics` keeps every point, clustered by
 *   (run, key, timestamp, step, value) — the order MLflow returns histories in — so a history
 *   is one sequential range scan, and an identical point sent twice is stored once.
 * - `latest_metrics` holds the latest point per (run, key) (max step, then timestamp, then
 *   value, as MLflow) and is indexed by (key, value) so search and listing never read histories.
 *   NaN is stored as NULL value with is_nan = 1 there: it never satisfies a comparison.
 *
 * Registry (version 2):
 * - Registered models have an integer `model_pk` (AUTOINCREMENT: never reused) that versions,
 *   tags, aliases, policies and audit events refer to, so a rename touches one row.
 * - `last_version` counts versions ever created: numbers are never reused after a deletion.
 * - Versions repeat their model's name (a rename updates them, as MLflow's does), so version
 *   search is a single-table query: with statistics SQLite would otherwise sort every version
 *   joined to its model rather than walk the last-update index for a first page.
 * - Deleting a version or a model deletes its rows (MLflow keeps redacted rows instead); an alias
 *   may not point at a missing version (foreign key), so deletion removes aliases explicitly,
 *   each with its audit event.
 * - Audit events have no foreign key: they outlive the model they describe.
 */
import { MONITORS_MIGRATION } from './migrations-monitors.js'
import { PIPELINES_MIGRATION } from './migrations-pipelines.js'

export interface Migration {
  version: number
  name: string
  sql: string
}

/** The registry's tables (migration 2). */
const REGISTRY_SCHEMA = `
CREATE TABLE registered_models (
  model_pk INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  last_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX registered_models_by_update ON registered_models (last_updated_time, name);

CREATE TABLE registered_model_tags (
  model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (model_pk, key)
);
CREATE INDEX registered_model_tags_by_key ON registered_model_tags (key, value);

CREATE TABLE model_versions (
  model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  current_stage TEXT NOT NULL CHECK (current_stage IN ('None', 'Staging', 'Production', 'Archived')),
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  storage_location TEXT NOT NULL,
  run_id TEXT NOT NULL DEFAULT '',
  run_link TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY')),
  status_message TEXT NOT NULL DEFAULT '',
  signature TEXT,
  PRIMARY KEY (model_pk, version)
);
CREATE INDEX model_versions_by_update ON model_versions (last_updated_time);
CREATE INDEX model_versions_by_name ON model_versions (name, version);
CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
  model_pk INTEGER NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (model_pk, version, key),
  FOREIGN KEY (model_pk, version) REFERENCES model_versions (model_pk, version) ON DELETE CASCADE
);
CREATE INDEX model_version_tags_by_key ON model_version_tags (key, value);

CREATE TABLE registered_model_aliases (
  model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (model_pk, alias),
  FOREIGN KEY (model_pk, version) REFERENCES model_versions (model_pk, version)
) WITHOUT ROWID;
CREATE INDEX registered_model_aliases_by_version ON registered_model_aliases (model_pk, version);

CREATE TABLE registry_policies (
  model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  document TEXT NOT NULL,
  updated_time INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (model_pk, alias)
) WITHOUT ROWID;

CREATE TABLE registry_events (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  model_pk INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  alias TEXT,
  version INTEGER,
  old_value TEXT,
  new_value TEXT,
  reason TEXT,
  details TEXT
);
CREATE INDEX registry_events_by_model ON registry_events (model_pk, event_id);
CREATE INDEX registry_events_by_alias ON registry_events (model_pk, alias, event_id);
`

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tracking',
    sql: `
CREATE TABLE experiments (
  experiment_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
  creation_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);
CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (experiment_id, key)
);

CREATE TABLE runs (
  run_pk INTEGER PRIMARY KEY,
  run_uuid TEXT NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  run_name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  artifact_uri TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
  deleted_time INTEGER
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);

CREATE TABLE params (
  run_pk INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (run_pk, key)
);
CREATE INDEX params_by_key ON params (key, value, run_pk);

CREATE TABLE tags (
  run_pk INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (run_pk, key)
);
CREATE INDEX tags_by_key ON tags (key, value, run_pk);

CREATE TABLE metric_keys (
  key_id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
CREATE TABLE metrics (
  run_pk INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL NOT NULL,
  is_nan INTEGER NOT NULL,
  PRIMARY KEY (run_pk, key_id, timestamp, step, value, is_nan)
) WITHOUT ROWID;
CREATE TABLE latest_metrics (
  run_pk INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value REAL,
  is_nan INTEGER NOT NULL,
  UNIQUE (run_pk, key_id)
);
CREATE INDEX latest_metrics_by_key ON latest_metrics (key_id, value, run_pk);

CREATE TABLE datasets (
  dataset_pk INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source TEXT NOT NULL,
  schema TEXT,
  profile TEXT,
  UNIQUE (experiment_id, name, digest)
);
CREATE TABLE inputs (
  run_pk INTEGER NOT NULL,
  dataset_pk INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (run_pk, dataset_pk)
) WITHOUT ROWID;
CREATE INDEX inputs_by_dataset ON inputs (dataset_pk, run_pk);
CREATE TABLE input_tags (
  run_pk INTEGER NOT NULL,
  dataset_pk INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_pk, dataset_pk, key)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'model registry',
    sql: REGISTRY_SCHEMA,
  },
  PIPELINES_MIGRATION,
  MONITORS_MIGRATION,
]
