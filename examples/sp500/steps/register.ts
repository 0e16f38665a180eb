/**
 * `register`: the best model becomes a new version of `sp500-updown`, tagged with its family, the
 * dataset version it learned from and whether it passed evaluation (`validated`, which the
 * promotion policy requires).
 */
import type { StepContext } from '../../../src/pipelines/index.js'
import { boolParam, stepRun, stringParam } from './context.js'

export async function register(ctx: StepContext): Promise<Record<string, unknown>> {
  const name = stringParam(ctx, 'model_name')
  const uri = stringParam(ctx, 'model_uri')
  const validated = boolParam(ctx, 'validated')
  const { client, run } = await stepRun(ctx)
  const version = await client.registry.registerModel(uri, name, {
    wait: true,
    description: `S&P 500 next-day direction (${stringParam(ctx, 'model_family')}), dataset ${stringParam(ctx, 'dataset_digest')}`,
    tags: {
      validated: String(validated),
      model_family: stringParam(ctx, 'model_family'),
      dataset_digest: stringParam(ctx, 'dataset_digest'),
      pipeline_run_id: process.env['CAIRN_PIPELINE_RUN_ID'] ?? '',
    },
  })
  if (version.status !== 'READY') {
    throw new Error(
      `version ${version.version} of ${name} is ${version.status}: ${version.statusMessage ?? ''}`,
    )
  }
  await run.setTags({ registered_model: name, registered_version: version.version })
  await run.flush()
  console.log(`registered ${uri} as ${name} version ${version.version} (validated=${validated})`)
  return { version: version.version }
}
