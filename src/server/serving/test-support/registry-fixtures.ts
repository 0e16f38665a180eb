/**
 * Registering model folders with a running Cairn server through the SDK (a run per version, its
 * folder uploaded through the artifact proxy, registered from `runs:/<id>/model`), and waiting
 * for a served version. For tests and benches only.
 */
import { CairnClient } from '../../../client/index.js'

export function sdk(url: string): CairnClient {
  return new CairnClient({ trackingUri: url, env: {}, handleExit: false, user: 'serving-tests' })
}

/** Registers each folder as the next version of `name`; the version numbers. */
export async function registerFolders(url: string, name: string, folders: string[]): Promise<string[]> {
  const client = sdk(url)
  const versions: string[] = []
  for (const folder of folders) {
    const run = await client.startRun({ experimentName: 'serving-tests' })
    await run.logArtifacts(folder, 'model')
    await run.endRun()
    const mv = await client.registry.registerModel(`runs:/${run.runId}/model`, name)
    versions.push(mv.version)
  }
  return versions
}

export async function setAlias(url: string, name: string, alias: string, version: string): Promise<void> {
  await sdk(url).registry.setAlias(name, alias, version)
}

/** Polls `probe` until it returns true; the test's own timeout bounds the wait. */
export async function eventually(probe: () => Promise<boolean> | boolean, everyMs = 10): Promise<void> {
  for (;;) {
    if (await probe()) return
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
