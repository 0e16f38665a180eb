/** Every registry route group, mounted by server.ts through createApp's `extraRoutes`. */
import type { RouteDef } from '../route.js'
import { cairnRegistryRoutes } from './registry-cairn.js'
import type { RegistryRouteDeps } from './registry-common.js'
import { registeredModelRoutes } from './registry-models.js'
import { modelVersionRoutes } from './registry-versions.js'

export function registryRoutes(deps: RegistryRouteDeps): RouteDef[] {
  return [...registeredModelRoutes(deps), ...modelVersionRoutes(deps), ...cairnRegistryRoutes(deps)]
}

export type { RegistryRouteDeps }
