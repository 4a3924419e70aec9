import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { CliIo } from './io.ts'
import { COMMANDS, main } from './main.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/kms-bench.mjs', import.meta.url))

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
    },
    out: () => out,
    err: () => err,
  }
}

/** The flags an `Options:` section defines: lines `  --flag ...` or `  -x, --flag ...`. */
function documentedFlags(usage: string): string[] {
  return [...usage.matchAll(/^ {2}(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)/gm)]
    .map((m) => m[1] as string)
    .filter((f) => f !== 'help')
}

describe('kms-bench binary', () => {
  it('prints help and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help'])
    expect(stdout).toContain('Usage: kms-bench <command>')
  })

  it('exits 2 with a clear message for an unknown command', async () => {
    const err = await run(process.execPath, [bin, 'frobnicate']).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 2 })
    expect((err as { stderr: string }).stderr).toContain("unknown command 'frobnicate'")
  })
})

describe('main', () => {
  it('prints the usage to stderr and exits 2 without a command', async () => {
    const c = capture()
    expect(await main([], c.io)).toBe(2)
    expect(c.err()).toContain('Usage: kms-bench <command>')
    expect(c.out()).toBe('')
  })

  it('lists every command in its help, and prints the version', async () => {
    const c = capture()
    expect(await main(['--help'], c.io)).toBe(0)
    for (const command of COMMANDS) expect(c.out()).toContain(`  ${command.name.padEnd(17)} ${command.summary}\n`)
    const v = capture()
    expect(await main(['--version'], v.io)).toBe(0)
    expect(v.out()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s --help documents exactly the flags the command accepts',
    async (name, command) => {
      const c = capture()
      expect(await main([name, '--help'], c.io)).toBe(0)
      expect(c.out()).toBe(command.usage)
      const viaHelp = capture()
      expect(await main(['help', name], viaHelp.io)).toBe(0)
      expect(viaHelp.out()).toBe(command.usage)
      expect(command.usage).toMatch(new RegExp(`^Usage: kms-bench ${name}\\b`))
      expect(command.usage).toContain('-h, --help')
      expect(documentedFlags(command.usage).sort()).toEqual(Object.keys(command.options).sort())
      // A short flag is documented beside its long one.
      for (const [flag, def] of Object.entries(command.options))
        if (def.short !== undefined) expect(command.usage).toContain(`-${def.short}, --${flag}`)
    },
  )

  it('accepts every flag of the CLI table in DESIGN.md', () => {
    const contract: Record<string, string[]> = {
      serve: ['host', 'port', 'account', 'region', 'profile', 'quota', 'latency', 'state', 'auth', 'audit'],
      run: [
        'variant',
        'target',
        'clock',
        'duration',
        'seed',
        'region',
        'retry',
        'max-attempts',
        'scale',
        'threshold',
        'out',
        'shard',
        'quiet',
        'op',
        'rate',
        'quota',
      ],
      compare: ['threshold'],
      plan: [],
      report: ['out'],
      merge: ['out'],
      'import-cloudtrail': ['out'],
    }
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(Object.keys(contract).sort())
    for (const command of COMMANDS)
      for (const flag of contract[command.name] ?? [])
        expect(Object.keys(command.options), `${command.name} --${flag}`).toContain(flag)
    for (const flag of ['variant', 'quota', 'threshold'])
      expect(COMMANDS.find((c) => c.name === 'run')?.options[flag]?.multiple, `run --${flag} repeats`).toBe(true)
  })

  it.each(COMMANDS.map((c) => c.name))(
    '%s refuses an unknown flag, a missing value and a value given to a boolean flag with exit 2',
    async (name) => {
      const command = COMMANDS.find((c) => c.name === name)
      const stringFlag = Object.entries(command?.options ?? {}).find(([, d]) => d.type === 'string')?.[0]
      const booleanFlag = Object.entries(command?.options ?? {}).find(([, d]) => d.type === 'boolean')?.[0]
      const cases: [string[], RegExp][] = [
        [
          ['--frobnicate'],
          /^kms-bench: unknown option '--frobnicate'.*\nhint: run `kms-bench [\w-]+ --help` for the options\n$/s,
        ],
      ]
      if (stringFlag !== undefined)
        cases.push([
          [`--${stringFlag}`],
          new RegExp(`^kms-bench: Option '(-\\w, )?--${stringFlag} <value>' argument missing\\n`),
        ])
      if (booleanFlag !== undefined)
        cases.push([
          [`--${booleanFlag}=yes`],
          new RegExp(`^kms-bench: Option '(-\\w, )?--${booleanFlag}' does not take an argument\\n`),
        ])
      for (const [args, message] of cases) {
        const c = capture()
        expect(await main([name, ...args], c.io), args.join(' ')).toBe(2)
        expect(c.err()).toMatch(message)
        expect(c.out()).toBe('')
      }
    },
  )
})
