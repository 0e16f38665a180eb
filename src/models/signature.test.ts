import { describe, expect, it } from 'vitest'
import {
  parseSchema,
  parseSignature,
  schemaToJson,
  signatureToWire,
  paramsToJson,
  schemaNames,
} from './signature.js'

describe('signature', () => {
  it('parses column specs written by MLflow before required existed as required', () => {
    const s = parseSchema('[{"name": "x", "type": "double"}, {"name": "city", "type": "string"}]')
    expect(s).toEqual({
      kind: 'columns',
      columns: [
        { kind: 'column', name: 'x', type: 'double', required: true },
        { kind: 'column', name: 'city', type: 'string', required: true },
      ],
    })
  })

  it('writes columns, tensors and params in MLflow key order and json.dumps spacing', () => {
    const cols =
      '[{"type": "double", "name": "x", "required": true}, {"type": "long", "name": "n", "required": false}]'
    expect(schemaToJson(parseSchema(cols))).toBe(cols)
    const tensors =
      '[{"name": "input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]'
    expect(schemaToJson(parseSchema(tensors))).toBe(tensors)
    const params =
      '[{"name": "temperature", "type": "double", "default": 1.0, "shape": null}, {"name": "k", "type": "long", "default": 3, "shape": null}]'
    expect(paramsToJson(parseSignature({ params }).params!)).toBe(params)
  })

  it('parses nested array, object and map column types and writes them back', () => {
    const text =
      '[{"type": "array", "items": {"type": "double"}, "name": "v", "required": true}, {"type": "object", "properties": {"a": {"type": "string", "required": true}, "b": {"type": "long", "required": false}}, "name": "o", "required": true}, {"type": "map", "values": {"type": "string"}, "name": "m", "required": true}]'
    const s = parseSchema(text)
    expect(s.kind === 'columns' && s.columns[0]?.type).toEqual({ type: 'array', items: 'double' })
    expect(schemaToJson(s)).toBe(text)
  })

  it.each([
    ['not JSON', '[{', /not valid JSON/],
    ['an object', '{"type": "double"}', /JSON list/],
    [
      'an unknown column type',
      '[{"type": "decimal", "name": "x"}]',
      /inputs\[0\]: unknown type "decimal"; expected one of boolean/,
    ],
    [
      'an unknown tensor dtype',
      '[{"type": "tensor", "tensor-spec": {"dtype": "f32", "shape": [-1]}}]',
      /unknown tensor dtype "f32"/,
    ],
    [
      'a tensor without shape',
      '[{"type": "tensor", "tensor-spec": {"dtype": "float32"}}]',
      /"shape" must be a list/,
    ],
    [
      'named and unnamed entries',
      '[{"type": "double", "name": "x"}, {"type": "double"}]',
      /mixes named and unnamed/,
    ],
    [
      'columns and tensors',
      '[{"type": "double", "name": "x"}, {"name": "t", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]',
      /mixes column specs and tensor specs/,
    ],
    [
      'a duplicate name',
      '[{"type": "double", "name": "x"}, {"type": "long", "name": "x"}]',
      /duplicate name 'x'/,
    ],
  ])('rejects %s', (_what, json, message) => {
    expect(() => parseSchema(json)).toThrow(message)
  })

  it('gives the registry the same JSON text the MLmodel holds', () => {
    const inputs = '[{"type": "double", "name": "f0", "required": true}]'
    const outputs = '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
    expect(signatureToWire(parseSignature({ inputs, outputs, params: null }))).toEqual({ inputs, outputs })
  })

  it('names unnamed entries by position', () => {
    expect(
      schemaNames(parseSchema('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]')),
    ).toEqual(['0'])
  })
})
