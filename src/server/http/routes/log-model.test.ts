import { describe, expect, it } from 'vitest'
import { dumpPyJson, parsePyJson, PyObject } from '../../../protocol/python-json.js'
import { mlflowModelDict } from './log-model.js'

const dict = (text: string): string => {
  const parsed = parsePyJson(text)
  if (!(parsed instanceof PyObject)) throw new Error('not an object')
  return dumpPyJson(mlflowModelDict(parsed))
}

describe('log-model history entries', () => {
  it("orders known keys as MLflow's Model.to_dict, then the others, and drops nulls", () => {
    expect(
      dict(
        '{"extra": 1, "mlflow_version": "2.10.2", "model_uuid": "u", "flavors": {}, "signature": null,' +
          ' "utc_time_created": "t", "run_id": "r", "artifact_path": "model", "metadata": {"m": 2.0}}',
      ),
    ).toBe(
      '{"run_id": "r", "artifact_path": "model", "utc_time_created": "t", "flavors": {}, "model_uuid": "u",' +
        ' "mlflow_version": "2.10.2", "metadata": {"m": 2.0}, "extra": 1}',
    )
  })

  it('leaves out run_id and artifact_path when run_id is empty, as Model does', () => {
    expect(dict('{"run_id": "", "artifact_path": "m", "utc_time_created": "t", "flavors": {"f": {}}}')).toBe(
      '{"utc_time_created": "t", "flavors": {"f": {}}}',
    )
  })
})
