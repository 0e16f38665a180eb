import { describe, expect, it } from 'vitest'
import { CairnError } from '../../protocol/errors.js'
import { localPathOf, runArtifactRoot, uriScheme, validateArtifactLocation } from './location.js'

function message(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE')
    return (err as CairnError).message
  }
  throw new Error('expected a refusal')
}

describe('validateArtifactLocation', () => {
  it.each([
    's3://golden-bucket/golden-x/b',
    'mlflow-artifacts:/3',
    'file:///var/cairn/artifacts',
    '/var/cairn/artifacts',
    'gs://bucket/a..b/c',
    'https://host/path?version=2',
  ])('accepts %j', (uri) => {
    expect(() => validateArtifactLocation(uri)).not.toThrow()
  })

  it("refuses '..' in the query string as MLflow does", () => {
    expect(message(() => validateArtifactLocation('s3://bucket/path?x=../../etc'))).toBe(
      'Invalid query string',
    )
    expect(message(() => validateArtifactLocation('s3://bucket/path?x=%252e%252e/etc'))).toBe(
      'Invalid query string',
    )
  })

  it('refuses fragments and params as MLflow does', () => {
    expect(message(() => validateArtifactLocation('s3://bucket/path#frag'))).toContain('fragments or params')
    expect(message(() => validateArtifactLocation('https://host/a;p=1'))).toContain('fragments or params')
  })

  it.each([
    'mlflow-artifacts:/../../etc',
    'file:///var/x/../../etc',
    's3://bucket/%2e%2e/other',
    '/var/x/..\\..\\etc',
  ])("refuses '..' segments in the path of %j", (uri) => {
    expect(message(() => validateArtifactLocation(uri))).toContain("'..'")
  })

  it('refuses NUL bytes', () => {
    expect(message(() => validateArtifactLocation('/var/x\0y'))).toContain('NUL')
  })
})

describe('runArtifactRoot', () => {
  it.each([
    ['mlflow-artifacts:/3/abc/artifacts', '3/abc/artifacts'],
    ['mlflow-artifacts:3/abc/artifacts', '3/abc/artifacts'],
    ['mlflow-artifacts://host:5000/3/abc/artifacts', '3/abc/artifacts'],
    ['http://host:5000/api/2.0/mlflow-artifacts/artifacts/3/abc/artifacts', '3/abc/artifacts'],
  ])('serves %j from the proxied store at %j', (uri, path) => {
    expect(runArtifactRoot(uri)).toEqual({ kind: 'proxied', path })
  })

  it('leaves other URIs to the backend of their scheme', () => {
    expect(runArtifactRoot('s3://bucket/1/abc/artifacts')).toEqual({
      kind: 'uri',
      uri: 's3://bucket/1/abc/artifacts',
    })
    expect(runArtifactRoot('file:///tmp/a')).toEqual({ kind: 'uri', uri: 'file:///tmp/a' })
    expect(runArtifactRoot('http://elsewhere/a')).toEqual({ kind: 'uri', uri: 'http://elsewhere/a' })
  })

  it('refuses a stored proxied URI that would leave the root', () => {
    expect(() => runArtifactRoot('mlflow-artifacts:/../../etc/abc/artifacts')).toThrow(/not a safe path/)
  })
})

describe('uriScheme and localPathOf', () => {
  it('reads schemes case-insensitively and plain paths as no scheme', () => {
    expect(uriScheme('S3://b/x')).toBe('s3')
    expect(uriScheme('/var/x')).toBe('')
  })

  it('maps file: URIs and plain paths to local paths', () => {
    expect(localPathOf('file:///var/cairn/a%20b')).toBe('/var/cairn/a b')
    expect(localPathOf('/var/cairn')).toBe('/var/cairn')
    expect(localPathOf('s3://b/x')).toBeNull()
  })
})
