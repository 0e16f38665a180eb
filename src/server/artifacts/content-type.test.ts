import { describe, expect, it } from 'vitest'
import { artifactContentType, attachmentDisposition } from './content-type.js'

describe('artifactContentType', () => {
  it.each([
    ['hello.txt', 'text/plain'],
    ['sub/data.json', 'text/plain'],
    ['a/b/deep.csv', 'text/plain'],
    ['model/MLmodel', 'text/plain'],
    ['MLproject', 'application/octet-stream'],
    ['mlproject', 'text/plain'],
    ['noctype.bin', 'application/octet-stream'],
    ['model.onnx', 'application/octet-stream'],
    ['plot.png', 'image/png'],
    ['PLOT.PNG', 'image/png'],
    ['report.html', 'text/html'],
    ['.bashrc', 'application/octet-stream'],
    ['README', 'application/octet-stream'],
  ])('gives %j the type %j, as MLflow does', (path, type) => {
    expect(artifactContentType(path)).toBe(type)
  })
})

describe('attachmentDisposition', () => {
  it("writes plain names unquoted, as MLflow's proxy does", () => {
    expect(attachmentDisposition('a/b/with space.txt')).toBe('attachment; filename=with space.txt')
  })

  it('quotes and UTF-8-encodes names a header cannot carry raw', () => {
    expect(attachmentDisposition('résumé;"x".txt')).toBe(
      `attachment; filename="r_sum___x_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%3B%22x%22.txt`,
    )
  })
})
