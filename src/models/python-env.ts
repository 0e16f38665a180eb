/**
 * The environment files MLflow writes beside a model (mlflow/utils/environment.py), so that
 * `mlflow models serve` / `pyfunc.load_model` can rebuild a Python environment for an ONNX model
 * Cairn saved: conda.yaml, python_env.yaml and requirements.txt (mlflow pinned first).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { toPyYaml } from './mlmodel.js'
import { MLFLOW_FORMAT_VERSION } from './mlmodel.js'
import { ONNX_PACKAGE_VERSION, ONNXRUNTIME_PYTHON_VERSION, PYTHON_VERSION } from './flavors.js'

export const CONDA_ENV_FILE = 'conda.yaml'
export const PYTHON_ENV_FILE = 'python_env.yaml'
export const REQUIREMENTS_FILE = 'requirements.txt'

/** What MLflow's ONNX flavor pins: mlflow, onnx, onnxruntime. */
export const DEFAULT_ONNX_REQUIREMENTS = [
  `mlflow==${MLFLOW_FORMAT_VERSION}`,
  `onnx==${ONNX_PACKAGE_VERSION}`,
  `onnxruntime==${ONNXRUNTIME_PYTHON_VERSION}`,
]

const BUILD_DEPENDENCIES = ['pip==23.3.1', 'setuptools==68.2.2', 'wheel==0.41.3']

export async function writePythonEnv(
  dir: string,
  opts: { requirements?: string[]; pythonVersion?: string } = {},
): Promise<void> {
  const python = opts.pythonVersion ?? PYTHON_VERSION
  let reqs = opts.requirements ?? DEFAULT_ONNX_REQUIREMENTS
  // MLflow adds itself when the list lacks it, first.
  if (!reqs.some((r) => /^mlflow(\s*[=<>~!]|$)/.test(r))) reqs = [`mlflow==${MLFLOW_FORMAT_VERSION}`, ...reqs]
  const conda = {
    name: 'mlflow-env',
    channels: ['conda-forge'],
    dependencies: [`python=${python}`, 'pip<=23.3.1', { pip: reqs }],
  }
  // python_env.yaml keeps its key order (MLflow dumps it with sort_keys=False).
  const pythonEnv = [
    `python: ${python}`,
    'build_dependencies:',
    ...BUILD_DEPENDENCIES.map((d) => `- ${d}`),
    'dependencies:',
    `- -r ${REQUIREMENTS_FILE}`,
    '',
  ].join('\n')
  await Promise.all([
    writeFile(join(dir, CONDA_ENV_FILE), toPyYaml(conda)),
    writeFile(join(dir, PYTHON_ENV_FILE), pythonEnv),
    writeFile(join(dir, REQUIREMENTS_FILE), reqs.join('\n')),
  ])
}
