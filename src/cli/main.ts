/**
 * `kms-bench`: the command-line entry point. The only layer that touches argv, env, files
 * and exit codes (DESIGN.md).
 */
import { CliError, EXIT_USAGE } from './cli-error.ts'
import { compareCommand } from './compare.ts'
import type { CliIo, Command } from './io.ts'
import { mergeCommand } from './merge.ts'
import { planCommand } from './plan.ts'
import { reportCommand } from './report.ts'
import { runCommand } from './run.ts'
import { serveCommand } from './serve.ts'

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, runCommand, compareCommand, planCommand, reportCommand, mergeCommand]

const PLANNED: readonly [string, string][] = [
  ['serve', 'serve the emulator over the real KMS wire protocol'],
  ['run', 'run a scenario (or one operation at a fixed rate) and write reports'],
  ['compare', 'compare two results and gate on thresholds'],
  ['plan', 'capacity plan: quota headroom, growth, cost, ranked mitigations'],
  ['report', 're-render reports from a saved summary.json'],
  ['merge', 'merge shard results exactly and render them'],
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
  const seen = new Set<string>()
  for (const c of COMMANDS) {
    seen.add(c.name)
    lines.push(`  ${c.name.padEnd(9)} ${c.summary}`)
  }
  for (const [name, summary] of PLANNED) if (!seen.has(name)) lines.push(`  ${name.padEnd(9)} ${summary} (not available in this build yet)`)
  lines.push('', 'Run `kms-bench <command> --help` for a command\'s options.', '', 'Exit codes: 0 success; 1 a threshold or gate failed; 2 bad usage or bad input.')
  return lines.join('\n') + '\n'
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainUsage())
    return name === undefined ? EXIT_USAGE : 0
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${await packageVersion()}\n`)
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  try {
    if (command === undefined) {
      const planned = PLANNED.some(([n]) => n === name)
      throw new CliError(planned ? `'${name}' is not available in this build yet` : `unknown command '${name}'`, EXIT_USAGE, 'run `kms-bench --help` for the list of commands')
    }
    if (rest.includes('--help') || rest.includes('-h')) {
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

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises')
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
