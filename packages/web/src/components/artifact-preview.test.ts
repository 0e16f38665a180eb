import { describe, expect, it } from 'vitest'
import { parseDelimited, previewKind } from './artifact-preview.js'

describe('artifact previews', () => {
  it('chooses the preview by file name', () => {
    expect(previewKind('model/MLmodel')).toBe('mlmodel')
    expect(previewKind('plots/roc.PNG')).toBe('image')
    expect(previewKind('eval/predictions.csv')).toBe('csv')
    expect(previewKind('metrics.json')).toBe('json')
    expect(previewKind('notes.txt')).toBe('text')
    expect(previewKind('model/model.pkl')).toBe('binary')
  })

  it('reads CSV with quoted fields, doubled quotes and line breaks inside quotes', () => {
    expect(parseDelimited('a,b\n"x, y","say ""hi"""\n"multi\nline",2\n', ',', 10)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
    ])
    expect(parseDelimited('a\tb\r\n1\t2', '\t', 10)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(parseDelimited('1\n2\n3\n', ',', 2)).toEqual([['1'], ['2']])
  })
})
