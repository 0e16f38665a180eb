import { describeStepExecutor } from '../executor.contract.js'
import { stubbedExecutor } from './test-support/stub-executor.js'

// Against the stub API server (test-support/): it follows the Kubernetes API contract and runs
// each pod's container as a local process; no cluster can run here.
describeStepExecutor(
  'kubernetes (stub API server)',
  async ({ workdir }) => {
    const s = await stubbedExecutor({ workingDir: workdir }, { workdir })
    return { executor: s.executor, cleanup: () => s.close() }
  },
  { image: 'node:20-slim' },
)
