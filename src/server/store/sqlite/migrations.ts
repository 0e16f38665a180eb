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
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

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
]
