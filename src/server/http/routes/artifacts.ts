/** Artifact routes (mlflow/artifacts/list and the mlflow-artifacts proxy). PLACEHOLDER. */
import type { RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'

export function artifactRoutes(_deps: RouteDeps): RouteDef[] {
  return []
}
