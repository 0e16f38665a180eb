/**
 * A Kubernetes executor wired to a fresh stub API server, through a kubeconfig file and
 * client-node as in production; the step entrypoint runs from source (tsx), as the image's
 * `node node_modules/cairn/dist/…/pod-entrypoint.js` would.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubernetesExecutor } from '../kubernetes-executor.js'
import { openKubernetesExecutor } from '../open.js'
import { defaultSettings, type KubernetesSettings } from '../options.js'
import { startStubKubernetes, type StubKubernetes, type StubKubernetesOptions } from './stub-api-server.js'

export const ENTRYPOINT_TS = fileURLToPath(new URL('../pod-entrypoint.ts', import.meta.url))

/** How a stub container starts Cairn's entrypoint from this checkout. */
export function sourceEntrypoint(): string[] {
  return [process.execPath, '--import', import.meta.resolve('tsx'), ENTRYPOINT_TS]
}

export interface StubbedExecutor {
  stub: StubKubernetes
  executor: KubernetesExecutor
  kubeconfig: string
  settings: KubernetesSettings
  close(): Promise<void>
}

export async function stubbedExecutor(
  over: Partial<KubernetesSettings> = {},
  stubOptions: StubKubernetesOptions = {},
): Promise<StubbedExecutor> {
  const stub = await startStubKubernetes(stubOptions)
  const dir = mkdtempSync(join(tmpdir(), 'cairn-kubeconfig-'))
  const kubeconfig = stub.cluster.writeKubeconfig(join(dir, 'config'), stub.url, stub.token ?? '', 'default')
  const settings: KubernetesSettings = {
    ...defaultSettings(),
    entrypoint: sourceEntrypoint(),
    pollMs: 50,
    kubeconfig,
    ...over,
  }
  const executor = openKubernetesExecutor(settings)
  return {
    stub,
    executor,
    kubeconfig,
    settings,
    close: async () => {
      await stub.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
