/**
 * Errors that point at the problem: a scenario syntax error shows file:line:column and the
 * line; every validation problem comes in one pass, each with its path (quota pools included),
 * an unknown key lists the valid ones; a scenario importing 'kms-bench' where it is not
 * installed gets the install command; an unknown command or option gets "did you mean"; a
 * negative `--seed` is a value, not an "ambiguous" option.
 */
import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'
import { BIN } from './support/serve-child.ts'

const ws = cliWorkspace('cli-errors')
const cli = ws.cli.bind(ws)

function bin(args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ws.dir,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: r.status, stderr: r.stderr }
}

describe('errors that point at the problem', () => {
  it('a syntax error: file:line:column, the offending line and a caret (the real bin, through tsx)', async () => {
    await writeFile(join(ws.dir, 'syntax.ts'), "export default {\n  name: 'x',,\n}\n")
    const r = bin(['run', 'syntax.ts'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^kms-bench: syntax\.ts:2:13: syntax error: .+\n {2}2 \| {3}name: 'x',,\n {4}\| {13}\^\n/)
    expect(r.stderr).not.toContain('Transform failed')
  })

  it('a syntax error in a JavaScript scenario (.mjs, loaded by Node itself): file:line:column and the line', async () => {
    await writeFile(join(ws.dir, 'syntax.mjs'), "export default {\n  name: 'x',\n  duration: 5s,\n}\n")
    const r = bin(['run', 'syntax.mjs'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(
      /^kms-bench: syntax\.mjs:3:14: syntax error: .+\n {2}3 \| {3}duration: 5s,\n {4}\| {14}\^\n/,
    )
  })

  it("a scenario importing 'kms-bench' where it is not installed: the install command", async () => {
    await writeFile(
      join(ws.dir, 'imports.ts'),
      "import { defineScenario } from 'kms-bench'\nexport default defineScenario({ name: 'x' } as never)\n",
    )
    const r = bin(['run', 'imports.ts'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/it imports 'kms-bench', which is not installed where the file is\nhint: .*npm install/)
  })

  it('every validation problem in one pass, each with its path; unknown keys list the valid ones', async () => {
    await writeFile(
      join(ws.dir, 'many.ts'),
      `export default {
        name: 'many', keys: [{ name: 'app', alias: 'bad' }],
        arrivals: { shape: 'constant', rate: 100, p50: 1, p99: 2 },
        requests: [{ kind: 'encrypt', key: 'nokey' }],
        quotas: { symetric: 100 }, profile: 'aws-defualt',
        variants: [{ name: 'a', quotas: { 'eu-west-9/symmetric': 5 } }, { name: 'a' }],
      }\n`,
    )
    const r = await cli(['run', 'many.ts'])
    expect(r.code).toBe(2)
    for (const line of [
      "keys.0.alias: must be 'alias/<name>'",
      'arrivals: Unrecognized keys: "p50", "p99" (valid keys: shape, rate, process)',
      "requests.0.key: unknown key 'nokey' (declared: app)",
      "quotas.symetric: unknown quota pool 'symetric' (did you mean 'symmetric'?)",
      "profile: unknown quota profile 'aws-defualt' (did you mean 'aws-default'?)",
      "variants.0.quotas.eu-west-9/symmetric: 'eu-west-9' is not a known AWS Region",
      "variants.1.name: duplicate variant name 'a'",
    ])
      expect(r.err).toContain(line)
  })

  it('an unknown command or option: did you mean', async () => {
    const cmd = await cli(['rnu'])
    expect(cmd.code).toBe(2)
    expect(cmd.err).toMatch(/^kms-bench: unknown command 'rnu' \(did you mean 'run'\?\)/)
    const opt = await cli(['run', '--op', 'Encrypt', '--rate', '10', '--sed', '3'])
    expect(opt.code).toBe(2)
    expect(opt.err).toMatch(/^kms-bench: unknown option '--sed' \(did you mean --seed\?\)/)
  })

  it('--seed -1 is the value -1; an out-of-range seed says the range', async () => {
    const ok = await cli(['run', '--op', 'Encrypt', '--rate', '10', '--duration', '1s', '--seed', '-1', '--quiet'])
    expect(ok.err).toBe('')
    expect(ok.code).toBe(0)
    const bad = await cli(['run', '--op', 'Encrypt', '--rate', '10', '--duration', '1s', '--seed', '-1e12'])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--seed must be an integer from -2147483648 to 2147483647, got '-1e12'/)
    expect(bad.err).not.toMatch(/ambiguous/)
  })
})
