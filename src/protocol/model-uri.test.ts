import { describe, expect, it } from 'vitest'
import { CairnError } from './errors.js'
import { formatModelUri, parseModelUri, type ModelUri } from './model-uri.js'

describe('model URIs', () => {
  it('parses every form', () => {
    const cases: [string, ModelUri][] = [
      ['models:/m/3', { kind: 'version', name: 'm', version: 3 }],
      ['models:/m@champion', { kind: 'alias', name: 'm', alias: 'champion' }],
      ['models:/m/Production', { kind: 'stage', name: 'm', stage: 'Production' }],
      ['models:/m/staging', { kind: 'stage', name: 'm', stage: 'Staging' }],
      ['models:/m/latest', { kind: 'latest', name: 'm' }],
      ['models:/m/Latest', { kind: 'latest', name: 'm' }],
      ['models:/team/fraud/2', { kind: 'version', name: 'team/fraud', version: 2 }],
      ['models:/team/fraud@prod', { kind: 'alias', name: 'team/fraud', alias: 'prod' }],
      ['models:/a@b/1', { kind: 'version', name: 'a@b', version: 1 }],
      ['runs:/abc/model', { kind: 'run', runId: 'abc', path: 'model' }],
      ['runs:/abc/a/b/', { kind: 'run', runId: 'abc', path: 'a/b' }],
      ['runs:/abc', { kind: 'run', runId: 'abc', path: '' }],
      [
        'mlflow-artifacts:/1/r/artifacts/model',
        { kind: 'location', uri: 'mlflow-artifacts:/1/r/artifacts/model' },
      ],
      ['file:///tmp/m', { kind: 'location', uri: 'file:///tmp/m' }],
      ['s3://bucket/m', { kind: 'location', uri: 's3://bucket/m' }],
      ['/srv/models/m', { kind: 'location', uri: '/srv/models/m' }],
    ]
    for (const [uri, want] of cases) expect(parseModelUri(uri), uri).toEqual(want)
  })

  it('formats the models:/ and runs:/ forms back to text that parses the same', () => {
    for (const uri of [
      'models:/m/3',
      'models:/m@a',
      'models:/m/Archived',
      'models:/m/latest',
      'runs:/r/p',
      'runs:/r',
    ]) {
      expect(parseModelUri(formatModelUri(parseModelUri(uri)))).toEqual(parseModelUri(uri))
    }
  })

  it('refuses malformed URIs with INVALID_PARAMETER_VALUE naming the accepted forms', () => {
    for (const uri of [
      '',
      'models:/m',
      'models:m/1',
      'models:/m/',
      'models:/m/v2',
      'models:/@a',
      'models:/m@',
      'models://host/m/1',
      'runs:',
      'runs://x/y',
      'rel/path',
    ]) {
      let err: unknown
      try {
        parseModelUri(uri)
      } catch (e) {
        err = e
      }
      expect(err, uri).toBeInstanceOf(CairnError)
      expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE')
    }
    expect(() => parseModelUri('models:/m/v2')).toThrow(/models:\/<name>@<alias>/)
  })
})
