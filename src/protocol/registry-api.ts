/**
 * The model registry's endpoints: MLflow's (mlflow/protos/model_registry.proto, paths under
 * /mlflow/…) and Cairn's own beside them (under /cairn/registry/…, never instead of MLflow's).
 * The server mounts each row under /api/2.0 and /ajax-api/2.0; the SDK calls the same rows.
 *
 * As in MLflow, GET rows read the query string, DELETE and PATCH rows only the JSON body, and
 * `version` is a string (a JSON number is refused).
 */
import { endpoint } from './endpoint.js'
import {
  bool,
  invalidValue,
  message,
  optionalInt32,
  optionalInt64,
  optionalString,
  repeated,
  schema,
  string,
  type Field,
} from './fields.js'
import type {
  WireModelVersion,
  WireModelVersionDetails,
  WirePromotionOutcome,
  WireRegisteredModel,
  WireRegistryEvent,
} from './registry-wire.js'

type Empty = Record<string, never>

/** A stored promotion policy: the normalized document and who set it when. */
export interface WirePolicy {
  name: string
  alias: string
  policy: Record<string, unknown>
  updated_timestamp: number
  user_id: string
}

const tag = () => message({ key: string(), value: string() })

/** A JSON object (a promotion policy document); absent is `undefined`. */
function jsonObject(): Field<Record<string, unknown> | undefined> {
  return {
    required: false,
    fallback: undefined,
    parse: (v, name) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, v)
      return v as Record<string, unknown>
    },
  }
}

const nameAndVersion = { name: string({ required: true }), version: string({ required: true }) }

const search = () =>
  schema({
    filter: string(),
    max_results: optionalInt64(),
    order_by: repeated(string()),
    page_token: string(),
  })

export const REGISTRY_API = {
  // Registered models.
  createRegisteredModel: endpoint<{ registered_model: WireRegisteredModel }>()(
    'createRegisteredModel',
    { methods: ['POST'], path: '/mlflow/registered-models/create' },
    schema({ name: string({ required: true }), tags: repeated(tag()), description: string() }),
  ),
  renameRegisteredModel: endpoint<{ registered_model: WireRegisteredModel }>()(
    'renameRegisteredModel',
    { methods: ['POST'], path: '/mlflow/registered-models/rename' },
    schema({ name: string({ required: true }), new_name: string({ required: true }) }),
  ),
  updateRegisteredModel: endpoint<{ registered_model: WireRegisteredModel }>()(
    'updateRegisteredModel',
    { methods: ['PATCH'], path: '/mlflow/registered-models/update' },
    schema({ name: string({ required: true }), description: optionalString() }),
  ),
  deleteRegisteredModel: endpoint<Empty>()(
    'deleteRegisteredModel',
    { methods: ['DELETE'], path: '/mlflow/registered-models/delete' },
    schema({ name: string({ required: true }) }),
  ),
  getRegisteredModel: endpoint<{ registered_model: WireRegisteredModel }>()(
    'getRegisteredModel',
    { methods: ['GET'], path: '/mlflow/registered-models/get' },
    schema({ name: string({ required: true }) }),
  ),
  searchRegisteredModels: endpoint<{ registered_models?: WireRegisteredModel[]; next_page_token?: string }>()(
    'searchRegisteredModels',
    { methods: ['GET'], path: '/mlflow/registered-models/search' },
    search(),
  ),
  getLatestVersions: endpoint<{ model_versions?: WireModelVersion[] }>()(
    'getLatestVersions',
    { methods: ['POST', 'GET'], path: '/mlflow/registered-models/get-latest-versions' },
    schema({ name: string({ required: true }), stages: repeated(string()) }),
  ),
  setRegisteredModelTag: endpoint<Empty>()(
    'setRegisteredModelTag',
    { methods: ['POST'], path: '/mlflow/registered-models/set-tag' },
    schema({ name: string({ required: true }), key: string({ required: true }), value: string() }),
  ),
  deleteRegisteredModelTag: endpoint<Empty>()(
    'deleteRegisteredModelTag',
    { methods: ['DELETE'], path: '/mlflow/registered-models/delete-tag' },
    schema({ name: string({ required: true }), key: string({ required: true }) }),
  ),
  /** `reason` is Cairn's: recorded with the move in the audit trail (MLflow's clients never send it). */
  setRegisteredModelAlias: endpoint<Empty>()(
    'setRegisteredModelAlias',
    { methods: ['POST'], path: '/mlflow/registered-models/alias' },
    schema({
      name: string({ required: true }),
      alias: string({ required: true }),
      version: string({ required: true }),
      reason: string(),
    }),
  ),
  deleteRegisteredModelAlias: endpoint<Empty>()(
    'deleteRegisteredModelAlias',
    { methods: ['DELETE'], path: '/mlflow/registered-models/alias' },
    schema({ name: string({ required: true }), alias: string({ required: true }), reason: string() }),
  ),
  getModelVersionByAlias: endpoint<{ model_version: WireModelVersion }>()(
    'getModelVersionByAlias',
    { methods: ['GET'], path: '/mlflow/registered-models/alias' },
    schema({ name: string({ required: true }), alias: string({ required: true }) }),
  ),

  // Model versions.
  createModelVersion: endpoint<{ model_version: WireModelVersion }>()(
    'createModelVersion',
    { methods: ['POST'], path: '/mlflow/model-versions/create' },
    schema({
      name: string({ required: true }),
      source: string({ required: true }),
      run_id: string(),
      tags: repeated(tag()),
      run_link: string(),
      description: string(),
    }),
  ),
  updateModelVersion: endpoint<{ model_version: WireModelVersion }>()(
    'updateModelVersion',
    { methods: ['PATCH'], path: '/mlflow/model-versions/update' },
    schema({ ...nameAndVersion, description: optionalString() }),
  ),
  deleteModelVersion: endpoint<Empty>()(
    'deleteModelVersion',
    { methods: ['DELETE'], path: '/mlflow/model-versions/delete' },
    schema(nameAndVersion),
  ),
  getModelVersion: endpoint<{ model_version: WireModelVersion }>()(
    'getModelVersion',
    { methods: ['GET'], path: '/mlflow/model-versions/get' },
    schema(nameAndVersion),
  ),
  searchModelVersions: endpoint<{ model_versions?: WireModelVersion[]; next_page_token?: string }>()(
    'searchModelVersions',
    { methods: ['GET'], path: '/mlflow/model-versions/search' },
    search(),
  ),
  getModelVersionDownloadUri: endpoint<{ artifact_uri: string }>()(
    'getModelVersionDownloadUri',
    { methods: ['GET'], path: '/mlflow/model-versions/get-download-uri' },
    schema(nameAndVersion),
  ),
  transitionModelVersionStage: endpoint<{ model_version: WireModelVersion }>()(
    'transitionModelVersionStage',
    { methods: ['POST'], path: '/mlflow/model-versions/transition-stage' },
    schema({ ...nameAndVersion, stage: string({ required: true }), archive_existing_versions: bool() }),
  ),
  setModelVersionTag: endpoint<Empty>()(
    'setModelVersionTag',
    { methods: ['POST'], path: '/mlflow/model-versions/set-tag' },
    schema({ ...nameAndVersion, key: string({ required: true }), value: string() }),
  ),
  deleteModelVersionTag: endpoint<Empty>()(
    'deleteModelVersionTag',
    { methods: ['DELETE'], path: '/mlflow/model-versions/delete-tag' },
    schema({ ...nameAndVersion, key: string({ required: true }) }),
  ),

  // Cairn's own: audit history, promotion policies, promote, rollback, model URI resolution.
  getRegistryHistory: endpoint<{ events?: WireRegistryEvent[]; next_page_token?: string }>()(
    'getRegistryHistory',
    { methods: ['GET'], path: '/cairn/registry/history' },
    schema({
      name: string({ required: true }),
      alias: string(),
      max_results: optionalInt32(),
      page_token: string(),
    }),
  ),
  getPromotionPolicy: endpoint<{
    policy: Record<string, unknown>
    updated_timestamp: number
    user_id: string
  }>()(
    'getPromotionPolicy',
    { methods: ['GET'], path: '/cairn/registry/policy' },
    schema({ name: string({ required: true }), alias: string() }),
  ),
  /** `policy` (a JSON object) or `policy_text` (YAML or JSON text), not both. */
  setPromotionPolicy: endpoint<{
    policy: Record<string, unknown>
    updated_timestamp: number
    user_id: string
  }>()(
    'setPromotionPolicy',
    { methods: ['POST'], path: '/cairn/registry/policy' },
    schema({ name: string({ required: true }), policy: jsonObject(), policy_text: string() }),
  ),
  deletePromotionPolicy: endpoint<Empty>()(
    'deletePromotionPolicy',
    { methods: ['DELETE'], path: '/cairn/registry/policy' },
    schema({ name: string({ required: true }), alias: string() }),
  ),
  promoteModelVersion: endpoint<WirePromotionOutcome>()(
    'promoteModelVersion',
    { methods: ['POST'], path: '/cairn/registry/promote' },
    schema({
      name: string({ required: true }),
      candidate_version: string({ required: true }),
      alias: string(),
      dry_run: bool(),
      force: bool(),
      reason: string(),
      /** Move only if the alias still points here ("" = unset): what the client saw in a dry run. */
      expected_current_version: optionalString(),
    }),
  ),
  rollbackAlias: endpoint<{
    name: string
    alias: string
    from_version: string
    to_version: string
    event_id: number
  }>()(
    'rollbackAlias',
    { methods: ['POST'], path: '/cairn/registry/rollback' },
    schema({ name: string({ required: true }), alias: string(), reason: string() }),
  ),
  resolveModelUri: endpoint<{
    uri: string
    location: string
    run_id?: string
    model_version?: WireModelVersionDetails
  }>()(
    'resolveModelUri',
    { methods: ['GET'], path: '/cairn/registry/resolve' },
    schema({ uri: string({ required: true }) }),
  ),
} as const

export type RegistryApi = typeof REGISTRY_API
