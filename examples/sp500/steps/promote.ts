/**
 * `promote`: stores the gate as the model's promotion policy (when it changed) and asks the
 * registry to move `champion` to the new version. The registry's policy decides; with no champion
 * yet only its thresholds and tags apply, so the first validated model becomes champion. A
 * rejection is an outcome (`promoted: false`), not a failure.
 */
import type { StepContext } from '../../../src/pipelines/index.js'
import { parsePromotionPolicy, promotionPolicyToDocument } from '../../../src/protocol/promotion-policy.js'
import { promotionPolicy } from '../lib/gate.js'
import { gateOptions } from './evaluate.js'
import { stepRun, stringParam } from './context.js'

const canonical = (doc: Record<string, unknown>): string =>
  JSON.stringify(promotionPolicyToDocument(parsePromotionPolicy(doc)))

export async function promote(ctx: StepContext): Promise<Record<string, unknown>> {
  const name = stringParam(ctx, 'model_name')
  const version = stringParam(ctx, 'version')
  const { client, run } = await stepRun(ctx)
  const reg = client.registry
  const policy = promotionPolicy(gateOptions(ctx))
  const stored = await reg.getPolicy(name)
  if (!stored || canonical(stored.document) !== canonical(policy)) {
    await reg.setPolicy(name, policy)
    console.log(`promotion policy of ${name} set: ${JSON.stringify(policy)}`)
  }
  const holder = await reg.getVersionByAlias(name, 'champion').catch(() => null)
  if (holder?.version === version) {
    console.log(`${name} version ${version} already is the champion`)
    return { promoted: false, champion: version, message: 'already champion' }
  }
  const outcome = await reg.promote(name, version, {
    reason: `pipeline run ${process.env['CAIRN_PIPELINE_RUN_ID'] ?? '?'}`,
  })
  for (const c of outcome.checks) console.log(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.message}`)
  console.log(outcome.message)
  await run.setTags({
    promoted: String(outcome.moved),
    champion_version: outcome.moved ? version : (holder?.version ?? ''),
  })
  await run.flush()
  return {
    promoted: outcome.moved,
    champion: outcome.moved ? version : (holder?.version ?? ''),
    message: outcome.message,
  }
}
