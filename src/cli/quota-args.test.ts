import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator } from '../emulator.ts'
import { QuotaConfigError } from '../quota/index.ts'
import { CliError, EXIT_USAGE } from './cli-error.ts'
import { parseQuotaArgs, QUOTA_ARG_OPTIONS, quotaConfigCliError } from './quota-args.ts'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-quota-args-'))
  await writeFile(
    join(dir, 'big.json'),
    JSON.stringify({ name: 'big', extends: 'aws-default', defaults: { symmetric: 250_000 } }),
  )
  await writeFile(
    join(dir, 'bad.json'),
    JSON.stringify({ defaults: { symetric: 1, rsa: -2 }, regions: { 'us-eats-1': {} } }),
  )
  await writeFile(join(dir, 'broken.json'), '{"defaults": {')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function usageErrorOf(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(CliError)
  expect((e as CliError).exitCode).toBe(EXIT_USAGE)
  return e as CliError
}

describe('parseQuotaArgs', () => {
  it('parses --profile NAME and repeated --quota POOL=RPS from argv into emulator options', async () => {
    const { values } = parseArgs({
      args: [
        '--profile',
        'aws-2020',
        '--quota',
        'symmetric=50_000',
        '--quota',
        'api:CreateKey=10',
        '--quota',
        'eu-west-1/rsa=0.5',
      ],
      options: QUOTA_ARG_OPTIONS,
    })
    const args = await parseQuotaArgs(values, dir)
    expect(args).toEqual({
      profile: 'aws-2020',
      quotas: { symmetric: 50_000, 'api:CreateKey': 10, 'eu-west-1/rsa': 0.5 },
    })
    const kms = createEmulator({ ...args })
    expect(kms.quotaLimit('symmetric', 'ap-south-1')).toBe(50_000)
    expect(kms.quotaLimit('rsa', 'eu-west-1')).toBe(0.5)
    expect(kms.quotaLimit('rsa', 'us-east-1')).toBe(500)
  })

  it('defaults to aws-default and no overrides', async () => {
    expect(await parseQuotaArgs({}, dir)).toEqual({ profile: 'aws-default', quotas: {} })
  })

  it('reads a JSON profile file relative to the working directory', async () => {
    const args = await parseQuotaArgs({ profile: 'big.json' }, dir)
    expect(createEmulator(args).quotaLimit('symmetric', 'ap-south-1')).toBe(250_000)
    const abs = await parseQuotaArgs({ profile: join(dir, 'big.json') }, '/')
    expect(abs.profile).toMatchObject({ name: 'big' })
  })

  it('names every problem of the flags at once', async () => {
    const e = await usageErrorOf(
      parseQuotaArgs({ quota: ['symetric=5', 'rsa=fast', 'ecc', 'ecc=1', 'ecc=2', 'us-esat-1/symmetric=9'] }, dir),
    )
    expect(e.message.split('\n')).toEqual([
      "--quota 'rsa=fast': 'fast' is not a number of requests per second >= 0",
      "--quota 'ecc' must be POOL=RPS, e.g. symmetric=50000",
      "--quota 'ecc' is given more than once",
      "quota 'symetric': unknown quota pool 'symetric' (did you mean 'symmetric'?)",
      "quota 'us-esat-1/symmetric': unknown Region 'us-esat-1' (did you mean 'us-east-1'?)",
    ])
  })

  it('names an unknown profile name, a missing file, bad JSON and a bad profile file', async () => {
    expect((await usageErrorOf(parseQuotaArgs({ profile: 'aws-defualt' }, dir))).message).toContain(
      "unknown quota profile 'aws-defualt' (did you mean 'aws-default'?)",
    )
    expect((await usageErrorOf(parseQuotaArgs({ profile: 'missing.json' }, dir))).message).toBe(
      "cannot read quota profile file 'missing.json': no such file",
    )
    expect((await usageErrorOf(parseQuotaArgs({ profile: './broken.json' }, dir))).message).toMatch(
      /^cannot read quota profile file '\.\/broken\.json': not valid JSON/,
    )
    const bad = (await usageErrorOf(parseQuotaArgs({ profile: 'bad.json' }, dir))).message
    expect(bad).toContain(
      "profile.defaults: unknown quota pool 'symetric' (did you mean 'symmetric'?) (profile file bad.json)",
    )
    expect(bad).toContain('profile.defaults.rsa: a quota must be a finite number of requests per second >= 0, got -2')
    expect(bad).toContain("unknown Region 'us-eats-1' (did you mean 'us-east-1'?)")
  })

  it("maps createEmulator's QuotaConfigError to a usage error", () => {
    let err: unknown
    try {
      createEmulator({ quotas: { nope: 1 } })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(QuotaConfigError)
    expect(quotaConfigCliError(err)).toMatchObject({
      exitCode: EXIT_USAGE,
      message: expect.stringContaining("unknown quota pool 'nope'"),
    })
    expect(quotaConfigCliError(new Error('other'))).toBeUndefined()
  })
})
