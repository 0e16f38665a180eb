import { describe, expect, it } from 'vitest'
import { CairnError } from '../../protocol/errors.js'
import { decodeUrlPath, joinRelative, safeRelativePath } from './safe-path.js'

function refusal(fn: () => unknown): CairnError {
  try {
    fn()
  } catch (err) {
    if (err instanceof CairnError) return err
    throw err
  }
  throw new Error('expected the path to be refused')
}

describe('safeRelativePath', () => {
  it.each([
    ['', ''],
    ['.', ''],
    ['a', 'a'],
    ['a/b.txt', 'a/b.txt'],
    ['sub/', 'sub'],
    ['./a//b/./c', 'a/b/c'],
    ['with space.txt', 'with space.txt'],
    ['a%20b', 'a%20b'],
    ['..a/b..', '..a/b..'],
    ['c:drive-like-but-relative', 'c:drive-like-but-relative'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(safeRelativePath(input)).toBe(expected)
  })

  it.each([
    ['..', "'..'"],
    ['../x', "'..'"],
    ['a/../../x', "'..'"],
    ['a/..', "'..'"],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows', 'absolute'],
    ['a\\..\\b', 'backslash'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL'],
    ['%2e%2e/x', 'percent-encoded'],
    ['%2E%2E', 'percent-encoded'],
    ['a%2fb', 'percent-encoded'],
    ['a%5cb', 'percent-encoded'],
    ['a%00b', 'percent-encoded'],
  ])('refuses %j with INVALID_PARAMETER_VALUE naming the reason (%s)', (input, reason) => {
    const err = refusal(() => safeRelativePath(input))
    expect(err.code).toBe('INVALID_PARAMETER_VALUE')
    expect(err.status).toBe(400)
    expect(err.message).toMatch(/^Invalid path/)
    expect(err.message).toContain(reason)
  })
})

describe('decodeUrlPath', () => {
  it('decodes percent-escapes once', () => {
    expect(decodeUrlPath('0/run/artifacts/with%20space.txt')).toEqual({
      decoded: '0/run/artifacts/with space.txt',
      relative: '0/run/artifacts/with space.txt',
    })
  })

  it.each([
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%2e%2e/golden-evil.txt',
    '%2E%2E/x',
    '%252e%252e/x',
    'a%5c..%5cb',
    'a%00b',
    '%2fetc%2fpasswd',
    '/etc/passwd',
    'a/../../x',
    '%e0%a4%a',
  ])('refuses %j', (raw) => {
    expect(refusal(() => decodeUrlPath(raw)).code).toBe('INVALID_PARAMETER_VALUE')
  })
})

describe('joinRelative', () => {
  it('skips empty parts', () => {
    expect(joinRelative('', 'a', '', 'b/c')).toBe('a/b/c')
    expect(joinRelative('', '')).toBe('')
  })
})
