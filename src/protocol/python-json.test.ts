import { describe, expect, it } from 'vitest'
import { dumpPyJson, parsePyJson, pyFloatRepr, PyJsonError } from './python-json.js'

describe('Python-style JSON', () => {
  it('writes floats as Python repr does', () => {
    const cases: [number, string][] = [
      [3, '3.0'],
      [0.1, '0.1'],
      [1e308, '1e+308'],
      [1e16, '1e+16'],
      [1234567890123456, '1234567890123456.0'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-2.5e-7, '-2.5e-07'],
      [-0, '-0.0'],
      [Number.NaN, 'NaN'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ]
    for (const [x, repr] of cases) expect(pyFloatRepr(x)).toBe(repr)
  })

  it('round-trips text as json.dumps(json.loads(text)) would', () => {
    const text =
      '{"b":1,"a":[1.0,2.50,1E5,-0,12345678901234567890],"s":"é\\u00e9\\n\\"","n":null,"t":true,"x":NaN}'
    expect(dumpPyJson(parsePyJson(text))).toBe(
      '{"b": 1, "a": [1.0, 2.5, 100000.0, 0, 12345678901234567890], "s": "\\u00e9\\u00e9\\n\\"", "n": null, "t": true, "x": NaN}',
    )
  })

  it('keeps the first position and the last value of a repeated key, as a Python dict', () => {
    expect(dumpPyJson(parsePyJson('{"a": 1, "b": 2, "a": 3}'))).toBe('{"a": 3, "b": 2}')
  })

  it('refuses text that is not JSON', () => {
    for (const bad of ['not json', '{"a": }', '[1,]', '{"a": 1} x', '"unterminated']) {
      expect(() => parsePyJson(bad), bad).toThrow(PyJsonError)
    }
  })
})
