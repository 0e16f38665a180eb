import { describe, expect, it } from 'vitest'
import { CairnError } from '../protocol/errors.js'
import { artifactBaseUrl, joinArtifactPath } from './artifacts.js'

describe('artifactBaseUrl', () => {
  it('maps mlflow-artifacts:/ URIs to the tracking server artifact proxy', () => {
    expect(artifactBaseUrl('mlflow-artifacts:/1/abc/artifacts', 'http://h:5000')).toBe(
      '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts',
    )
  })

  it('sends mlflow-artifacts://host URIs to that host, with the tracking scheme', () => {
    expect(artifactBaseUrl('mlflow-artifacts://store:8080/1/abc/artifacts', 'https://t:5000')).toBe(
      'https://store:8080/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts',
    )
  })

  it('writes to http(s) artifact URIs directly', () => {
    expect(artifactBaseUrl('http://files.example/runs/abc/', 'http://t')).toBe(
      'http://files.example/runs/abc',
    )
  })

  it('refuses storage it cannot write through HTTP, saying why', () => {
    for (const uri of ['s3://bucket/1/abc/artifacts', 'file:///tmp/1/abc/artifacts', '/abs/path']) {
      expect(() => artifactBaseUrl(uri, 'http://t')).toThrow(CairnError)
      expect(() => artifactBaseUrl(uri, 'http://t')).toThrow(/mlflow-artifacts:/)
    }
  })
})

describe('joinArtifactPath', () => {
  it('joins folders and file names, dropping empty and "." segments', () => {
    expect(joinArtifactPath('model/', './weights', 'a.bin')).toBe('model/weights/a.bin')
    expect(joinArtifactPath(undefined, 'a.txt')).toBe('a.txt')
    expect(joinArtifactPath('win\\style', 'x')).toBe('win/style/x')
  })

  it('refuses ".." segments', () => {
    expect(() => joinArtifactPath('../up', 'x')).toThrow(/\.\./)
  })
})
