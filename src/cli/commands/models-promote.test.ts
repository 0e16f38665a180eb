import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CAIRN, expectOk, MLFLOW, modelWithVersions } from '../../server/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let dir: string
const savedUser = process.env['CAIRN_USER']

beforeAll(async () => {
  process.env['CAIRN_USER'] = 'cli-user'
  server = await startTestServer()
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-policy-'))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
  if (savedUser === undefined) delete process.env['CAIRN_USER']
  else process.env['CAIRN_USER'] = savedUser
})

const models = (...args: string[]) => runCli(['models', ...args, '--tracking-uri', server.url])
const cells = (row: string): string[] => row.trim().split(/\s{2,}/)

const POLICY = {
  require_tags: { validated: 'true' },
  compare: [
    { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
    { metric: 'log_loss', goal: 'minimize' },
  ],
  thresholds: [{ metric: 'accuracy', op: '>=', value: 0.55 }],
}

/**
 * A model whose champion is v1; v2 passes POLICY; v3 is better but unvalidated and worse on
 * log_loss. Each test takes its own model, so tests do not see each other's moves.
 */
async function fraudModel(name: string): Promise<void> {
  await modelWithVersions(server, name, [
    { metrics: { auc: 0.9, log_loss: 0.3, accuracy: 0.8 }, tags: { validated: 'true' } },
    { metrics: { auc: 0.93, log_loss: 0.2, accuracy: 0.85 }, tags: { validated: 'true' } },
    { metrics: { auc: 0.95, log_loss: 0.35, accuracy: 0.9 } },
  ])
  expectOk(await server.post(`${CAIRN}/policy`, { name, policy: POLICY }), 'policy')
  expectOk(
    await server.post(`${MLFLOW}/registered-models/alias`, { name, alias: 'champion', version: '1' }),
    'alias',
  )
}

async function holder(name: string, alias = 'champion'): Promise<string | null> {
  const r = await server.get(`${MLFLOW}/registered-models/alias`, { name, alias })
  return r.status === 200 ? (r.json.model_version.version as string) : null
}

type Rec = Record<string, unknown>

async function events(name: string, alias?: string): Promise<Rec[]> {
  const answer = expectOk(
    await server.get(`${CAIRN}/history`, { name, ...(alias ? { alias } : {}) }),
    'history',
  )
  return answer.events as Rec[]
}

/** The rows of the checks table: cells after the header and rule, up to the blank line. */
function checkRows(stdout: string): string[][] {
  const lines = stdout.split('\n')
  const header = lines.findIndex((l) => l.startsWith('Check'))
  const end = lines.indexOf('', header)
  return lines.slice(header + 2, end).map(cells)
}

describe('cairn models promote', () => {
  it('prints the checks side by side, moves the alias when the policy passes, and exits 0', async () => {
    await fraudModel('p-pass')
    const res = await models('promote', 'p-pass', '--candidate', '2', '--reason', 'weekly retrain')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(res.stdout).toContain("Promote 'p-pass' version 2 to 'champion' (now version 1)")
    expect(cells(res.stdout.split('\n').find((l) => l.startsWith('Check'))!)).toEqual([
      'Check',
      'Name',
      'Candidate v2',
      'Current v1',
      'Delta',
      'Required',
      'Result',
    ])
    expect(checkRows(res.stdout)).toEqual([
      ['compare', 'auc', '0.93', '0.9', '+0.03', '>= 0.91 (+0.01)', 'pass'],
      ['compare', 'log_loss', '0.2', '0.3', '-0.1', '<= 0.3', 'pass'],
      ['threshold', 'accuracy', '0.85', '-', '-', '>= 0.55', 'pass'],
      ['tag', 'validated', 'true', '-', '-', '= true', 'pass'],
    ])
    expect(res.stdout).toMatch(/Verdict: PASS\. Promoted: 'champion' version 1 → version 2/)
    expect(await holder('p-pass')).toBe('2')
    expect((await events('p-pass', 'champion'))[0]).toMatchObject({
      action: 'promote',
      old_value: '1',
      new_value: '2',
      reason: 'weekly retrain',
      user_id: 'cli-user',
    })
  })

  it('exits 1 and moves nothing when the policy rejects the candidate', async () => {
    await fraudModel('p-fail')
    const before = await events('p-fail')
    const res = await models('promote', 'p-fail', '--candidate', '3')
    expect(res.code).toBe(1)
    expect(checkRows(res.stdout).map((r) => [r[1], r[6]])).toEqual([
      ['auc', 'pass'],
      ['log_loss', 'FAIL'],
      ['accuracy', 'pass'],
      ['validated', 'FAIL'],
    ])
    expect(checkRows(res.stdout)[3]![2]).toBe('(missing)')
    expect(res.stdout).toMatch(/Verdict: FAIL\. Not promoted: /)
    expect(res.stderr).toMatch(/^cairn: not promoted: the policy rejects version 3 for 'champion'/)
    expect(await holder('p-fail')).toBe('1')
    expect(await events('p-fail')).toEqual(before)
  })

  it('never moves the alias on a dry run: exit 0 if it would move, 1 if it would not', async () => {
    await fraudModel('p-dry')
    const would = await models('promote', 'p-dry', '--candidate', '2', '--dry-run')
    expect(would.code).toBe(0)
    expect(would.stdout).toContain("Dry run: promote 'p-dry' version 2")
    expect(would.stdout).toContain('would move')
    const wouldNot = await models('promote', 'p-dry', '--candidate', '3', '--dry-run', '--json')
    expect(wouldNot.code).toBe(1)
    expect(JSON.parse(wouldNot.stdout)).toMatchObject({ passed: false, moved: false, dryRun: true })
    expect(await holder('p-dry')).toBe('1')
    expect((await events('p-dry', 'champion')).filter((e) => e.kind === 'alias_set')).toHaveLength(1)
  })

  it('forces a rejected candidate only with a reason, which the history shows', async () => {
    await fraudModel('p-force')
    const noReason = await models('promote', 'p-force', '--candidate', '3', '--force')
    expect(noReason.code).toBe(2)
    expect(noReason.stderr).toContain('--force needs --reason')
    expect(await holder('p-force')).toBe('1')
    const forced = await models(
      'promote',
      'p-force',
      '--candidate',
      '3',
      '--force',
      '--reason',
      'offline eval ok',
    )
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/Verdict: FAIL \(forced\)\. Promoted: /)
    expect(await holder('p-force')).toBe('3')
    const history = await models('history', 'p-force', '--alias', 'champion')
    const top = cells(history.stdout.split('\n')[2]!)
    expect(top.slice(1)).toEqual([
      'cli-user',
      'alias_set (promote_forced)',
      'champion',
      '1 → 3',
      'offline eval ok',
    ])
  })

  it('prints the verdict as JSON', async () => {
    await fraudModel('p-json')
    const res = await models('promote', 'p-json', '--candidate', '2', '--json')
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(json).toMatchObject({
      name: 'p-json',
      alias: 'champion',
      candidate: { version: '2' },
      current: { version: '1' },
      passed: true,
      moved: true,
    })
    expect(json.checks[0]).toMatchObject({ kind: 'compare', metric: 'auc', candidate: 0.93, current: 0.9 })
  })

  it('refuses a policy naming a metric the runs lack, and an unknown candidate, changing nothing', async () => {
    await fraudModel('p-bad')
    expectOk(
      await server.post(`${CAIRN}/policy`, {
        name: 'p-bad',
        policy: { compare: [{ metric: 'f1', goal: 'maximize' }] },
      }),
      'policy',
    )
    const before = await events('p-bad')
    const missing = await models('promote', 'p-bad', '--candidate', '2')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(
      /^cairn: INVALID_PARAMETER_VALUE: .*has no metric 'f1'.*Nothing was changed/,
    )
    expect(missing.stdout).toBe('')
    const unknown = await models('promote', 'p-bad', '--candidate', '42')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Model Version (name=p-bad, version=42) not found')
    const noPolicy = await models('promote', 'p-bad', '--candidate', '2', '--alias', 'challenger')
    expect(noPolicy.code).toBe(1)
    expect(noPolicy.stderr).toContain("has no promotion policy for alias 'challenger'")
    expect(await events('p-bad')).toEqual(before)
    expect(await holder('p-bad')).toBe('1')
  })
})

describe('cairn models policy', () => {
  it('sets a policy from a YAML file, shows it, and deletes it', async () => {
    await modelWithVersions(server, 'pol', [{ metrics: {} }])
    const none = await models('policy', 'pol')
    expect(none.code).toBe(1)
    expect(none.stderr).toContain("'pol' has no promotion policy for alias 'champion'")
    const file = join(dir, 'policy.yaml')
    writeFileSync(
      file,
      'compare:\n  - metric: auc\n    goal: maximize\n    min_delta: 0.02\nrequire_tags:\n  validated: true\n',
    )
    const set = await models('policy', 'pol', '--set', file, '--alias', 'challenger')
    expect(set).toMatchObject({ code: 0, stderr: '' })
    expect(set.stdout).toContain("Promotion policy of 'pol' for alias 'challenger' (set by cli-user")
    const shown = await models('policy', 'pol', '--alias', 'challenger')
    expect(shown.stdout).toContain('min_delta: 0.02')
    expect(shown.stdout).toContain('validated: "true"')
    const json = JSON.parse((await models('policy', 'pol', '--alias', 'challenger', '--json')).stdout)
    expect(json.policy).toMatchObject({ alias: 'challenger', userId: 'cli-user' })
    const del = await models('policy', 'pol', '--alias', 'challenger', '--delete')
    expect(del.stdout).toBe("Deleted the promotion policy of 'pol' for alias 'challenger'.\n")
    const again = await models('policy', 'pol', '--alias', 'challenger', '--delete')
    expect(again).toMatchObject({ code: 0 })
    expect(again.stdout).toContain('nothing changed')
    const kinds = (await events('pol', 'challenger')).map((e) => e.kind)
    expect(kinds).toEqual(['policy_deleted', 'policy_set'])
  })

  it('refuses an invalid policy with every problem listed, and bad files or flags with exit 2', async () => {
    await modelWithVersions(server, 'pol-bad', [{ metrics: {} }])
    const before = await events('pol-bad')
    const invalid = join(dir, 'invalid.json')
    writeFileSync(invalid, JSON.stringify({ compare: [{ metric: 'auc', goal: 'max' }], thresholds: 3 }))
    const res = await models('policy', 'pol-bad', '--set', invalid)
    expect(res.code).toBe(1)
    expect(res.stderr).toContain("policy.compare[0].goal: must be one of maximize, minimize, got 'max'")
    expect(res.stderr).toContain('policy.thresholds: must be a list')
    const notYaml = join(dir, 'broken.yaml')
    writeFileSync(notYaml, 'compare: [unclosed\n')
    const mismatch = join(dir, 'other-alias.yaml')
    writeFileSync(mismatch, 'alias: challenger\n')
    for (const args of [
      ['--set', join(dir, 'does-not-exist.yaml')],
      ['--set', notYaml],
      ['--set', mismatch, '--alias', 'champion'],
      ['--set', invalid, '--delete'],
    ]) {
      const bad = await models('policy', 'pol-bad', ...args)
      expect(bad.code, args.join(' ')).toBe(2)
    }
    expect(await events('pol-bad')).toEqual(before)
  })
})

describe('cairn models rollback and history', () => {
  it('rolls back twice, walking back, then refuses; history shows every move newest first', async () => {
    await fraudModel('rb')
    for (const v of ['2', '3'])
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, { name: 'rb', alias: 'champion', version: v }),
        v,
      )
    const first = await models('rollback', 'rb', '--reason', 'v3 misbehaves')
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toMatch(/^Rolled back 'champion' of 'rb': version 3 → version 2 \(event \d+\)\n$/)
    const second = await models('rollback', 'rb', '--alias', 'champion', '--json')
    expect(JSON.parse(second.stdout)).toMatchObject({ fromVersion: '2', toVersion: '1' })
    expect(await holder('rb')).toBe('1')
    const before = await events('rb')
    const none = await models('rollback', 'rb')
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(
      /^cairn: INVALID_STATE: Alias 'champion' of model 'rb' was unset before version 1/,
    )
    expect(await events('rb')).toEqual(before)

    const history = await models('history', 'rb', '--alias', 'champion')
    expect(history.code).toBe(0)
    const [header, , ...rows] = history.stdout.trimEnd().split('\n')
    expect(cells(header!)).toEqual(['Time', 'User', 'Event', 'Alias', 'Old → New', 'Reason'])
    expect(rows.map((r) => cells(r).slice(1))).toEqual([
      ['cli-user', 'alias_set (rollback)', 'champion', '2 → 1'],
      ['cli-user', 'alias_set (rollback)', 'champion', '3 → 2', 'v3 misbehaves'],
      ['-', 'alias_set', 'champion', '2 → 3'],
      ['-', 'alias_set', 'champion', '1 → 2'],
      ['-', 'alias_set', 'champion', 'unset → 1'],
      ['-', 'policy_set', 'champion', 'policy set'],
    ])
  })

  it('shows every kind of event, limits with --max-results, and prints JSON', async () => {
    await fraudModel('hist')
    const all = await models('history', 'hist')
    expect(all.stdout).toMatch(/version_created +- +\+ version 3/)
    const two = await models('history', 'hist', '--max-results', '2')
    expect(two.stdout.trimEnd().split('\n')).toHaveLength(4)
    expect(two.stderr).toContain('(newest 2 events shown; raise --max-results for more)')
    const json = JSON.parse((await models('history', 'hist', '--max-results', '1', '--json')).stdout)
    expect(json.events).toHaveLength(1)
    expect(json.events[0]).toMatchObject({ kind: 'alias_set', action: 'api', newValue: '1', oldValue: null })
    expect(json.nextPageToken).toEqual(expect.any(String))
  })
})
