import { describe, expect, it } from 'vitest'
import { Bindings } from './bindings.js'
import { compareAnswer, compareJson, type Answer, type Expectation } from './compare.js'
import { buildRequest } from './replay.js'

const fresh = (): Bindings => new Bindings({ suffix: 'ab12', user: 'u', baseUrl: 'http://127.0.0.1:9' })
const diff = (expected: unknown, actual: unknown, b = fresh()): string[] => {
  const out: string[] = []
  compareJson(expected, actual, 'body', b, out)
  return out
}
const answer = (status: number, contentType: string, text: string): Answer => ({
  status,
  headers: { 'content-type': contentType },
  text,
})

describe('golden comparison', () => {
  it('binds a placeholder on first sight and holds later answers to it', () => {
    const b = fresh()
    expect(diff({ experiment_id: '<EXP_2>' }, { experiment_id: '7' }, b)).toEqual([])
    expect(diff({ location: 'mlflow-artifacts:/<EXP_2>' }, { location: 'mlflow-artifacts:/7' }, b)).toEqual(
      [],
    )
    expect(diff({ experiment_id: '<EXP_2>' }, { experiment_id: '8' }, b)).toHaveLength(1)
  })

  it('takes any integer for <TS> but not a string or a fraction', () => {
    expect(diff({ t: '<TS>' }, { t: 1700000000000 })).toEqual([])
    expect(diff({ t: '<TS>' }, { t: '1700000000000' })).toHaveLength(1)
    expect(diff({ t: '<TS>' }, { t: 1.5 })).toHaveLength(1)
  })

  it('reports missing and unexpected fields, JSON types and array order', () => {
    expect(diff({ run: { inputs: {} } }, { run: {} })).toEqual(['body.run.inputs: missing'])
    expect(diff({}, { next_page_token: 'x' })).toEqual(['body.next_page_token: unexpected field ("x")'])
    expect(diff({ v: 1 }, { v: '1' })).toHaveLength(1)
    expect(diff([{ key: 'a' }, { key: 'b' }], [{ key: 'b' }, { key: 'a' }])).toHaveLength(2)
  })

  it('compares error codes, not messages, and checks layout when asked', () => {
    const exp: Expectation = {
      status: 404,
      mediaType: 'application/json',
      body: { kind: 'error', code: 'RESOURCE_DOES_NOT_EXIST' },
    }
    const same = answer(
      404,
      'application/json',
      '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"any words"}',
    )
    expect(compareAnswer(exp, same, fresh())).toEqual([])
    const other = answer(
      404,
      'application/json; charset=utf-8',
      '{"error_code":"INVALID_PARAMETER_VALUE","message":""}',
    )
    expect(compareAnswer(exp, other, fresh())).toHaveLength(1)
    const pretty: Expectation = {
      status: 200,
      mediaType: 'application/json',
      body: { kind: 'json', value: {} },
      layout: 'pretty',
    }
    expect(compareAnswer(pretty, answer(200, 'application/json', '{}'), fresh())).toHaveLength(1)
  })

  it('checks only status and media type of HTML pages, and recorded headers', () => {
    const exp: Expectation = {
      status: 200,
      mediaType: 'text/html',
      body: { kind: 'html' },
      headers: { Allow: 'GET, OPTIONS, HEAD', 'Content-Length': '0', Location: null },
    }
    const ok: Answer = {
      status: 200,
      headers: { 'content-type': 'text/html', allow: 'HEAD, GET, OPTIONS' },
      text: '<p>',
    }
    expect(compareAnswer(exp, ok, fresh())).toEqual([])
    const redirected: Answer = { ...ok, headers: { ...ok.headers, location: '/x' } }
    expect(compareAnswer(exp, redirected, fresh())).toEqual(['header Location: expected absent, got /x'])
  })

  it('sends queries, raw bodies and JSON-number ids as recorded', () => {
    const b = fresh()
    expect(diff('<EXP_4>', '12', b)).toEqual([])
    const numbered = buildRequest(
      {
        name: 'n',
        method: 'POST',
        path: '/p',
        query: null,
        body: { experiment_id: '<EXP_4>' },
        status: 200,
        content_type: '',
        response: {},
        notes: 'The <EXP_n> placeholder in this body stands for a JSON number.',
      },
      b,
    )
    expect(numbered.body?.toString()).toBe('{"experiment_id":12}')
    expect(numbered.headers['Content-Type']).toBe('application/json')
    const raw = buildRequest(
      { method: 'GET', path: '/p', query: { _raw: 'a=1&flag' }, body: { _raw: 'x' } },
      b,
    )
    expect(raw.target).toBe('/p?a=1&flag')
    const listed = buildRequest(
      { method: 'GET', path: '/p', query: { run_id: ['a b', 'c'], k: 'golden-<SUFFIX>' } },
      b,
    )
    expect(listed.target).toBe('/p?run_id=a+b&run_id=c&k=golden-ab12')
    expect(() => buildRequest({ method: 'GET', path: '/runs/<RUN_9>' }, b)).toThrow(/<RUN_9>/)
  })
})
