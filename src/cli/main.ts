/**
 * `kms-bench`: the command-line entry point. The only layer that touches argv, env, files
 * and exit codes (DESIGN.md).
 */
import { closestName } from '../suggest.ts'
import { CliError, EXIT_USAGE } from './cli-error.ts'
import { compareCommand } from './compare.ts'
import type { CliIo, Command } from './io.ts'
import { importCloudTrailCommand } from './import-cloudtrail.ts'
import { mergeCommand } from './merge.ts'
import { planCommand } from './plan.ts'
import { reportCommand } from './report.ts'
import { runCommand } from './run.ts'
import { toolVersion } from './scenario-input.ts'
import { serveCommand } from './serve.ts'
import { at } from '../util/index.ts'

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  runCommand,
  compareCommand,
  planCommand,
  reportCommand,
  mergeCommand,
  importCloudTrailCommand,
]

/** Top-level usage text. */
export function mainUsage(): string {
  const lines = [
    'kms-bench: load-test AWS KMS usage and find the cheapest way to stay under KMS request quotas.',
    '',
    'Usage: kms-bench <command> [options]',
    '',
    'Commands:',
  ]
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(17)} ${c.summary}`)
  lines.push(
    '',
    "Run `kms-bench <command> --help` (or `kms-bench help <command>`) for a command's options.",
    '',
    'Exit codes: 0 success; 1 a threshold or gate failed; 2 bad usage or bad input; 130 interrupted.',
  )
  return `${lines.join('\n')}\n`
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    // No command is bad usage: the usage goes to stderr with exit 2.
    io.stderr.write(mainUsage())
    return EXIT_USAGE
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.stdout.write(mainUsage())
    return 0
  }
  // `kms-bench help CMD` is `kms-bench CMD --help`.
  if (name === 'help') return main([at(rest, 0), '--help'], io)
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${toolVersion()}\n`)
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  try {
    if (command === undefined)
      throw new CliError(
        `unknown command '${name}'${didYouMean(name)}`,
        EXIT_USAGE,
        'run `kms-bench --help` for the list of commands',
      )
    // Help is answered here, for every command alike, before its flags are parsed (so
    // `run --op --help` shows the help instead of complaining about --op's value). Arguments
    // after `--` are positionals, never a help request.
    const end = rest.indexOf('--')
    const flags = end >= 0 ? rest.slice(0, end) : rest
    if (flags.includes('--help') || flags.includes('-h')) {
      io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`)
      return 0
    }
    return await command.run(rest, io)
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`kms-bench: ${e.message}\n${e.hint !== undefined ? `hint: ${e.hint}\n` : ''}`)
      return e.exitCode
    }
    throw e
  }
}

/** ` (did you mean 'run'?)` for a misspelt command, else empty. */
function didYouMean(name: string): string {
  const hint = closestName(
    name,
    COMMANDS.map((c) => c.name),
  )
  return hint !== undefined ? ` (did you mean '${hint}'?)` : ''
}
