/**
 * `cairn models promote` (evaluate the alias's policy, show the checks side by side, move the
 * alias only if it passes or is forced with a reason) and `cairn models policy` (show, set,
 * delete a promotion policy).
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { promotionReport } from '../format/promotion.js'
import { policyText } from '../format/registry.js'
import { jsonText } from '../format/values.js'
import { versionArg } from './models-args.js'
import { addTrackingOptions, terminalOutput, withClient, type TrackingFlags } from './tracking-options.js'

interface PromoteFlags extends TrackingFlags {
  candidate: string
  alias: string
  dryRun?: boolean
  force?: boolean
  reason?: string
}

interface PolicyFlags extends TrackingFlags {
  alias?: string
  set?: string
  delete?: boolean
}

const usage = (cmd: Command, message: string): never =>
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'cairn.usage' })

export function registerModelPromoteCommands(models: Command): void {
  addTrackingOptions(
    models
      .command('promote')
      .summary("Check a candidate against the alias's policy and move the alias if it passes")
      .description(
        "Evaluate the alias's promotion policy for a candidate version against the current holder, print the checks side by side, and move the alias if every check passes (or with --force and --reason). Exits 1 when the policy rejects the candidate and nothing moved (also for a dry run that would not move).",
      )
      .argument('<name>', 'registered model name')
      .requiredOption('--candidate <version>', 'the version to promote', versionArg)
      .option('--alias <alias>', 'the alias to move', 'champion')
      .option('--dry-run', 'evaluate and print the verdict; change nothing')
      .option('--force', 'move the alias even if the policy rejects the candidate (needs --reason)')
      .option('--reason <text>', 'why, for the audit trail'),
  ).action(async (name: string, flags: PromoteFlags, cmd: Command) => {
    if (flags.force && !flags.dryRun && !flags.reason?.trim()) {
      usage(cmd, '--force needs --reason: the audit trail records why the policy was overridden')
    }
    await withClient(flags, async (client) => {
      const outcome = await client.registry.promote(name, flags.candidate, {
        alias: flags.alias,
        dryRun: flags.dryRun ?? false,
        force: flags.force ?? false,
        ...(flags.reason ? { reason: flags.reason } : {}),
      })
      const out = terminalOutput()
      out.write(
        flags.json
          ? jsonText(outcome)
          : promotionReport(outcome, {
              style: out.style,
              ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}),
            }),
      )
      const wouldMove = outcome.dryRun && (outcome.passed || outcome.forced)
      if (!outcome.moved && !wouldMove) {
        throw new Error(
          `not promoted: the policy rejects version ${outcome.candidate.version} for '${outcome.alias}' (override with --force --reason TEXT)`,
        )
      }
    })
  })

  addTrackingOptions(
    models
      .command('policy')
      .summary('Show, --set or --delete a promotion policy')
      .description(
        "Show a model's promotion policy for an alias, set it from a YAML or JSON file, or delete it (see docs/registry.md for the format)",
      )
      .argument('<name>', 'registered model name')
      .option('--alias <alias>', "the alias the policy governs (default: champion, or the file's `alias`)")
      .option('--set <file>', 'store the policy in this YAML or JSON file')
      .option('--delete', 'remove the policy'),
  ).action(async (name: string, flags: PolicyFlags, cmd: Command) => {
    if (flags.set !== undefined && flags.delete) usage(cmd, 'give --set FILE or --delete, not both')
    const document = flags.set === undefined ? undefined : readPolicyFile(cmd, flags.set, flags.alias)
    const alias = flags.alias ?? 'champion'
    await withClient(flags, async (client) => {
      const out = terminalOutput()
      if (document !== undefined) {
        const stored = await client.registry.setPolicy(name, document)
        if (flags.json) return out.write(jsonText({ policy: stored }))
        return out.write(`Stored.\n${policyText(stored, out.style)}`)
      }
      const current = await client.registry.getPolicy(name, alias)
      if (flags.delete) {
        if (current !== null) await client.registry.deletePolicy(name, alias)
        if (flags.json) return out.write(jsonText({ deleted: current !== null, policy: current }))
        return out.write(
          current === null
            ? `'${name}' has no promotion policy for alias '${alias}'; nothing changed.\n`
            : `Deleted the promotion policy of '${name}' for alias '${alias}'.\n`,
        )
      }
      if (flags.json) return out.write(jsonText({ policy: current }))
      if (current === null) {
        throw new Error(
          `'${name}' has no promotion policy for alias '${alias}' (set one with \`cairn models policy ${name} --set policy.yaml\`)`,
        )
      }
      out.write(policyText(current, out.style))
    })
  })
}

/** The file's policy document; `--alias` fills in a missing `alias` and must agree with a given one. */
function readPolicyFile(cmd: Command, file: string, alias: string | undefined): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    return usage(cmd, `cannot read policy file '${file}': ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    return usage(cmd, `policy file '${file}' is not valid YAML or JSON: ${(err as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return usage(cmd, `policy file '${file}' must hold a mapping (alias, compare, thresholds, require_tags)`)
  }
  const record = doc as Record<string, unknown>
  if (alias === undefined) return record
  if (record['alias'] !== undefined && record['alias'] !== alias) {
    return usage(
      cmd,
      `policy file '${file}' is for alias ${JSON.stringify(record['alias'])}, not '${alias}' as --alias says`,
    )
  }
  return { ...record, alias }
}
