/** `cairn models register` and `cairn models alias`: new versions and plain alias moves. */
import { InvalidArgumentError, type Command } from 'commander'
import { jsonText } from '../format/values.js'
import { versionArg } from './models-args.js'
import { addTrackingOptions, terminalOutput, withClient, type TrackingFlags } from './tracking-options.js'

interface RegisterFlags extends TrackingFlags {
  name: string
  runId?: string
  description?: string
  tag?: Record<string, string>
  wait?: boolean
}

interface AliasFlags extends TrackingFlags {
  reason?: string
  delete?: boolean
}

/** `--tag k=v`, repeatable, into one record. */
function tagOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`)
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) }
}

export function registerModelChangeCommands(models: Command): void {
  addTrackingOptions(
    models
      .command('register')
      .summary('Register a model (runs:/…, models:/… or a location) as a new version')
      .description(
        'Register a model as a new version (the registered model is created if needed). Exits 1 if registration fails.',
      )
      .argument(
        '<source>',
        "the model's files: runs:/<run_id>/<path>, models:/<name>/<version>, or a location",
      )
      .requiredOption('--name <name>', 'registered model name')
      .option('--run-id <id>', 'the run that made the model (default: the run of a runs:/ source)')
      .option('--description <text>', 'version description')
      .option('--tag <key=value>', 'version tag (repeatable)', tagOption)
      .option('--wait', 'wait until the version is READY or FAILED_REGISTRATION'),
  ).action(async (source: string, flags: RegisterFlags) => {
    await withClient(flags, async (client) => {
      const v = await client.registry.registerModel(source, flags.name, {
        ...(flags.runId ? { runId: flags.runId } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.tag ? { tags: flags.tag } : {}),
        wait: flags.wait ?? false,
      })
      const out = terminalOutput()
      if (flags.json) out.write(jsonText({ modelVersion: v }))
      else {
        const status =
          v.status === 'READY'
            ? out.style.green(v.status)
            : v.status === 'FAILED_REGISTRATION'
              ? out.style.red(v.status)
              : out.style.yellow(v.status)
        out.write(`Registered '${v.name}' version ${v.version} (${status}) from ${v.source}\n`)
        if (v.statusMessage !== '') out.write(`  ${v.statusMessage}\n`)
        if (v.status === 'PENDING_REGISTRATION')
          out.write('  (still registering; pass --wait to wait for it)\n')
      }
      if (v.status === 'FAILED_REGISTRATION') {
        throw new Error(
          `registration of '${v.name}' version ${v.version} failed: ${v.statusMessage || 'no reason given'}`,
        )
      }
    })
  })

  const aliasCmd = addTrackingOptions(
    models
      .command('alias')
      .summary('Point an alias at a version, or --delete it')
      .description(
        'Point an alias at a version, or remove it with --delete. No promotion policy applies (see `cairn models promote`); the audit trail records the move.',
      )
      .argument('<name>', 'registered model name')
      .argument('<alias>', 'alias, e.g. champion (latest and v<digits> are reserved)')
      .argument('[version]', 'version to point at', versionArg)
      .option('--reason <text>', 'why, for the audit trail')
      .option('--delete', 'remove the alias'),
  )
  aliasCmd.action(async (name: string, alias: string, version: string | undefined, flags: AliasFlags) => {
    if ((version === undefined) === !flags.delete) {
      aliasCmd.error(
        flags.delete
          ? 'error: give a VERSION or --delete, not both'
          : 'error: give the VERSION to point at, or --delete',
        { exitCode: 2, code: 'cairn.aliasUsage' },
      )
    }
    await withClient(flags, async (client) => {
      const before = (await client.registry.getRegisteredModel(name)).aliases.find((a) => a.alias === alias)
      const oldVersion = before?.version ?? null
      const opts = flags.reason ? { reason: flags.reason } : {}
      if (version !== undefined) await client.registry.setAlias(name, alias, version, opts)
      // Also when unset: the server still refuses a reserved or malformed alias name.
      else await client.registry.deleteAlias(name, alias, opts)
      const newVersion = version ?? null
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText({ name, alias, oldVersion, newVersion }))
      const shown = (v: string | null): string => (v === null ? 'unset' : `version ${v}`)
      if (version === undefined && oldVersion === null) {
        out.write(`Alias '${alias}' of '${name}' was not set; nothing changed.\n`)
      } else if (oldVersion === newVersion) {
        out.write(`Alias '${alias}' of '${name}' already points at version ${newVersion}; nothing changed.\n`)
      } else {
        out.write(`Alias '${alias}' of '${name}': ${shown(oldVersion)} → ${shown(newVersion)}\n`)
      }
    })
  })
}
