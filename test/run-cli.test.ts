/**
 * `kms-bench run` and `kms-bench merge` end to end: in-process through `main()` for the
 * flag and input checks and the embedded target, and as a child process for SIGINT.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'
import { BIN } from './support/serve-child.ts'

const ws = cliWorkspace('run')
const { cli, summaryIn } = ws

describe('kms-bench run: bad input exits 2 with one clear message', () => {
  it.each([
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run'], /missing SCENARIO/],
    [['run', 'nothere.ts'], /cannot read scenario file 'nothere.ts': no such file/],
    [['run', '--op', 'Frobnicate', '--rate', '5', '--duration', '1s'], /'Frobnicate' is not a KMS operation/],
    [['run', '--op', 'CreateKey', '--rate', '5', '--duration', '1s'], /not supported by the ad-hoc form/],
    [['run', '--op', 'Encrypt', '--rate', '5'], /--op needs --duration/],
    [['run', '--op', 'Encrypt', '--rate=-5', '--duration', '1s'], /--rate must be/],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '5x'], /--duration: '5x' is not a duration/],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--shard', '0/3'],
      /--shard must be I\/N with 1 <= I <= N/,
    ],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--retry', 'sometimes'],
      /--retry must be none, standard or adaptive/,
    ],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--target', 'ftp://x'], /--target URL must be http/],
    [
      [
        'run',
        '--op',
        'Encrypt',
        '--rate',
        '5',
        '--duration',
        '1s',
        '--target',
        'http://127.0.0.1:9',
        '--clock',
        'virtual',
      ],
      /--clock virtual needs --target embedded/,
    ],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--quota', 'nonsense=5'], /nonsense/],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--variant', 'nope'], /unknown variant 'nope'/],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--target', 'aws'], /add --yes-real-aws/],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--region', 'eu-wset-1'],
      /--region: unknown Region 'eu-wset-1' \(did you mean eu-west-1\?\)/,
    ],
    [
      ['run', join(import.meta.dirname, '..', 'scenarios', 'envelope-fleet.ts'), '--region', 'mars-1'],
      /--region: unknown Region 'mars-1'/,
    ],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--seed', '1e30'],
      /--seed must be an integer from -2147483648 to 2147483647, got '1e30'/,
    ],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--max-attempts', '0'],
      /--max-attempts must be an integer from 1 to 100, got '0'/,
    ],
    [['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--workers', '2'], /--workers needs real time/],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--latency', 'nope.json'],
      /--latency: cannot read 'nope\.json': no such file/,
    ],
    [
      ['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--profile', 'nope.json'],
      /cannot read quota profile file 'nope\.json': no such file/,
    ],
  ])('%j', async (args, message) => {
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('lists every problem of an invalid scenario file, with paths', async () => {
    await writeFile(
      join(ws.dir, 'bad.ts'),
      `export default { name: 'bad', keys: [{ name: 'k' }], arrivals: { shape: 'constant', rate: -1 }, requests: [{ kind: 'encrypt', key: 'other' }], region: 'mars-1' }\n`,
    )
    const r = await cli(['run', 'bad.ts'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('bad.ts is not a valid scenario')
    expect(r.err).toMatch(/arrivals\.rate: /)
    expect(r.err).toMatch(/region: 'mars-1' is not a known AWS Region/)
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('checks that it can write --out before running', async () => {
    await writeFile(join(ws.dir, 'a-file'), 'not a directory')
    const r = await cli(['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--out', 'a-file/out'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^kms-bench: --out a-file\/out: cannot create it: .*a-file is not a directory\n$/)
    expect(r.out).toBe('')
  })

  it('reports a scenario file that does not load', async () => {
    await writeFile(join(ws.dir, 'broken.ts'), 'export default {{{\n')
    const r = await cli(['run', 'broken.ts'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/cannot load scenario file 'broken.ts'/)
  })

  it('prints the projection and refuses real AWS without credentials (nothing is sent)', () => {
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: ws.dir,
      CI: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(ws.dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(ws.dir, 'no-credentials'),
    }
    const r = spawnSync(
      process.execPath,
      [BIN, 'run', '--op', 'Encrypt', '--rate', '10', '--duration', '2s', '--target', 'aws', '--yes-real-aws'],
      { cwd: ws.dir, env, encoding: 'utf8', timeout: 60_000 },
    )
    expect(r.stdout).toMatch(/real AWS: this run would send up to 20 application requests/)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/no usable AWS credentials/)
  })
})

describe('kms-bench run on the embedded target', () => {
  it('runs the ad-hoc form and writes every report', async () => {
    const r = await cli([
      'run',
      '--op',
      'GenerateDataKey',
      '--rate',
      '4000',
      '--duration',
      '3s',
      '--quota',
      'symmetric=1000',
      '--retry',
      'none',
      '--out',
      'adhoc',
    ])
    expect(r.code).toBe(0)
    const s = await summaryIn('adhoc')
    expect(s).toMatchObject({
      scenario: 'adhoc-GenerateDataKey',
      target: 'embedded',
      clock: 'virtual',
      complete: true,
      durationSeconds: 3,
    })
    expect(s.environment.packages['@aws-sdk/client-kms']).toMatch(/^\d+\.\d+\.\d+/)
    expect(Object.keys(s.environment.packages).filter((p) => p.startsWith('@smithy/')).length).toBeGreaterThanOrEqual(3)
    expect(s.variants[0]).toMatchObject({
      offered: { requests: 12_000 },
      completed: { succeeded: 3000, throttled: 9000 },
    })
    for (const f of ['report.md', 'report.html', 'baseline.hgrm', 'timeline.csv'])
      expect((await readFile(join(ws.dir, 'adhoc', f), 'utf8')).length).toBeGreaterThan(10)
    expect(r.out).toMatch(/baseline: 12,000 requests, 75% throttled/)
  })

  it('runs a scenario file from the repository, one variant', async () => {
    const r = await cli([
      'run',
      join(import.meta.dirname, '..', 'scenarios', 'envelope-fleet.ts'),
      '--variant',
      'no-retries',
      '--duration',
      '5s',
      '--scale',
      '0.1',
      '--out',
      'fleet',
    ])
    expect(r.code).toBe(0)
    const s = await summaryIn('fleet')
    expect(s.scale).toBe(0.1)
    expect(s.variants.map((v) => v.name)).toEqual(['no-retries'])
    expect(s.variants[0]!.kms.byOperation['GenerateDataKey']!.calls).toBeGreaterThan(0)
    expect(s.variants[0]!.kms.byOperation['Decrypt']!.calls).toBeGreaterThan(0)
  })

  it("--max-attempts alone keeps each variant's retry mode; --retry replaces it", async () => {
    await writeFile(
      join(ws.dir, 'modes.ts'),
      `export default { name: 'modes', duration: 2, keys: [{ name: 'k' }], arrivals: { shape: 'constant', rate: 300 }, requests: [{ kind: 'encrypt', key: 'k' }],
        quotas: { symmetric: 100 }, variants: [{ name: 'off', retry: { mode: 'none', maxAttempts: 1 } }, { name: 'adaptive', retry: { mode: 'adaptive', maxAttempts: 3 } }, { name: 'inherited' }] }\n`,
    )
    const retryOf = async (out: string) =>
      Object.fromEntries(
        (await summaryIn(out)).variants.map((v) => [v.name, v.mitigations.find((m) => m.name === 'sdk-retry')?.params]),
      )
    expect((await cli(['run', 'modes.ts', '--max-attempts', '5', '--out', 'modes-attempts'])).code).toBe(0)
    expect(await retryOf('modes-attempts')).toMatchObject({
      off: { mode: 'none', maxAttempts: 1 },
      adaptive: { mode: 'adaptive', maxAttempts: 5 },
      inherited: { mode: 'standard', maxAttempts: 5 },
    })
    expect(
      (await cli(['run', 'modes.ts', '--retry', 'standard', '--max-attempts', '4', '--out', 'modes-retry'])).code,
    ).toBe(0)
    expect(await retryOf('modes-retry')).toMatchObject({
      off: { mode: 'standard', maxAttempts: 4 },
      adaptive: { mode: 'standard', maxAttempts: 4 },
      inherited: { mode: 'standard', maxAttempts: 4 },
    })
  })

  it('loads a .ts scenario outside a "type": "module" package from the binary', () => {
    // The temporary directory has no package.json: tsx sees the file as CommonJS.
    const file = join(ws.dir, 'plain-package.ts')
    writeFileSync(
      file,
      `export default { name: 'plain', duration: 1, keys: [{ name: 'k' }], arrivals: { shape: 'constant', rate: 10 }, requests: [{ kind: 'encrypt', key: 'k' }] }\n`,
    )
    const r = spawnSync(process.execPath, [BIN, 'run', file, '--out', 'plain', '--quiet'], {
      cwd: ws.dir,
      env: { ...process.env, CI: 'true' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(readFileSync(join(ws.dir, 'plain', 'summary.json'), 'utf8'))).toMatchObject({
      scenario: 'plain',
      variants: [{ offered: { requests: 10 } }],
    })
  })

  it('replays a trace file named by the scenario, relative to the scenario file', async () => {
    await writeFile(
      join(ws.dir, 'usage.csv'),
      ['Timestamp,Value', '2025-03-01T00:00:00Z,300', '2025-03-01T00:00:01Z,900', '2025-03-01T00:00:02Z,600'].join(
        '\n',
      ),
    )
    await writeFile(
      join(ws.dir, 'trace.ts'),
      `export default { name: 'trace', keys: [{ name: 'k' }], arrivals: { shape: 'trace', file: 'usage.csv', values: 'rate' }, requests: [{ kind: 'encrypt', key: 'k' }], duration: 3 }\n`,
    )
    const r = await cli(['run', 'trace.ts', '--out', 'trace'])
    expect(r.code, r.err).toBe(0)
    const s = await summaryIn('trace')
    expect(s.schedule).toBe('trace of 3s (usage.csv)')
    // The trace's three seconds, then at most a drain second in which the last requests
    // (sampled 'aws' service time) complete and nothing new is offered.
    const offered = s.variants[0]!.timeline.map((e) => e.offered)
    expect(offered.slice(0, 3)).toEqual([300, 900, 600])
    expect(offered.slice(3).every((n) => n === 0)).toBe(true)
    await writeFile(
      join(ws.dir, 'trace-missing.ts'),
      `export default { name: 't', keys: [{ name: 'k' }], arrivals: { shape: 'trace', file: 'nope.csv' }, requests: [{ kind: 'encrypt', key: 'k' }] }\n`,
    )
    const bad = await cli(['run', 'trace-missing.ts'])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/cannot read the trace file 'nope.csv': no such file/)
  })

  it('draws a live progress line on a terminal, and none with --quiet', async () => {
    // 1 M requests: a few seconds of wall time, so the line (redrawn every ~250 ms) is drawn.
    const terminal = { env: { CI: undefined }, stderrIsTTY: true }
    const shown = await cli(
      [
        'run',
        '--op',
        'Encrypt',
        '--rate',
        '500000',
        '--duration',
        '2s',
        '--quota',
        'symmetric=1000',
        '--out',
        'progress',
      ],
      terminal,
    )
    expect(shown.code).toBe(0)
    expect(shown.err).toMatch(
      /\r.*\[baseline\] \d+\.\ds\/2s {2}offered [\d,]+ {2}achieved [\d,]+ {2}throttled (<?[\d.]+%) {2}p99 [\d.,]+ ms/,
    )
    const quiet = await cli(
      ['run', '--op', 'Encrypt', '--rate', '200000', '--duration', '2s', '--quiet', '--out', 'progress-quiet'],
      terminal,
    )
    expect(quiet.code).toBe(0)
    expect(quiet.err).toBe('')
  })

  it('--shard auto reads a Kubernetes Indexed Job; shards are numbered from 1', async () => {
    // Three hosts, so that the three shards split them (each host keeps one SDK retry quota).
    const adhoc = ['run', '--op', 'Encrypt', '--rate', '30', '--duration', '1s', '--hosts', '3', '--quiet']
    const unset = await cli([...adhoc, '--shard', 'auto', '--out', 'auto-unset'], {
      env: { JOB_COMPLETION_INDEX: undefined },
    })
    expect(unset.code).toBe(2)
    expect(unset.err).toMatch(/--shard auto needs JOB_COMPLETION_INDEX/)
    const env = { JOB_COMPLETION_INDEX: '2', JOB_COMPLETION_COUNT: '3' }
    expect((await cli([...adhoc, '--shard', 'auto', '--out', 'auto-2'], { env })).code).toBe(0)
    expect((await cli([...adhoc, '--shard', '3/3', '--out', 'manual-3'])).code).toBe(0)
    const a = await summaryIn('auto-2')
    const m = await summaryIn('manual-3')
    expect(a.variants[0]?.offered.requests).toBe(m.variants[0]?.offered.requests)
    expect(a.shards).toEqual(m.shards)
    // One host cannot be split across three shards: refused (exit 2) rather than counted thrice.
    const one = await cli(['run', '--op', 'Encrypt', '--rate', '30', '--duration', '1s', '--shard', '2/3'])
    expect(one.code).toBe(2)
    expect(one.err).toMatch(/shard 2 of 3: the fleet's 1 host cannot be split across 3 shards/)
    expect(one.err).not.toMatch(/\n\s+at /)
  })

  it('shards merged with `kms-bench merge` equal the unsharded run', async () => {
    const base = [
      'run',
      '--op',
      'Encrypt',
      '--rate',
      '3000',
      '--duration',
      '4s',
      '--quota',
      'symmetric=1500',
      '--retry',
      'none',
      '--hosts',
      '3',
      // Exact latency equality needs no sampled service time: each shard draws its latencies
      // from its own seed stream, so with the default 'aws' model only the counts are exact.
      '--latency',
      'none',
    ]
    expect((await cli([...base, '--out', 'whole'])).code).toBe(0)
    for (const i of [0, 1, 2])
      expect((await cli([...base, '--shard', `${i + 1}/3`, '--out', `shard-${i}`])).code).toBe(0)
    const m = await cli([
      'merge',
      'shard-0/summary.json',
      'shard-1/summary.json',
      'shard-2/summary.json',
      '--out',
      'merged',
    ])
    expect(m.code).toBe(0)
    expect(m.out).toMatch(/merged 3 result\(s\) \(shards 0, 1, 2 of 3\)/)
    const whole = (await summaryIn('whole')).variants[0]!
    const merged = (await summaryIn('merged')).variants[0]!
    expect(merged.offered).toEqual(whole.offered)
    expect(merged.completed).toEqual(whole.completed)
    expect(merged.kms).toEqual(whole.kms)
    expect(merged.latencyMs).toEqual(whole.latencyMs)
    expect(merged.quota).toEqual(whole.quota)
    expect(merged.timeline.map((e) => [e.offered, e.throttled, e.kmsCalls])).toEqual(
      whole.timeline.map((e) => [e.offered, e.throttled, e.kmsCalls]),
    )
    // The directories the shards wrote serve as well as their summary.json files.
    expect((await cli(['merge', 'shard-0', 'shard-1', 'shard-2', '--out', 'merged-dirs', '--quiet'])).code).toBe(0)
    expect((await summaryIn('merged-dirs')).variants).toEqual((await summaryIn('merged')).variants)
    expect((await cli(['merge', 'shard-0/summary.json', 'shard-0/summary.json'])).err).toMatch(/appears twice/)
    await writeFile(join(ws.dir, 'a-file'), 'not a directory')
    const unwritable = await cli(['merge', 'shard-0', '--out', 'a-file/merged'])
    expect(unwritable.code).toBe(2)
    expect(unwritable.err).toMatch(/^kms-bench: cannot write .*a-file\/merged: a part of the path is not a directory\n/)
    expect((await cli(['merge', 'nothing.json'])).code).toBe(2)
  })
})

describe('kms-bench run and SIGINT', () => {
  it('stops scheduling, writes everything marked incomplete, and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--op', 'GenerateDataKey', '--rate', '1000000', '--duration', '1h', '--out', 'interrupted'],
      {
        cwd: ws.dir,
        env: { ...process.env, CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    // Without a terminal the run prints one line when its variant starts: SIGINT once it has.
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()))
    child.kill('SIGINT')
    const code = await exited
    expect(code, err).toBe(130)
    const s = await summaryIn('interrupted')
    expect(s.complete).toBe(false)
    expect(s.variants[0]!.offered.requests).toBeGreaterThan(0)
    expect(s.variants[0]!.offered.requests).toBeLessThan(3_600_000_000)
    // Rates over the time that ran, the timeline cut there, and an error in junit.xml.
    const v = s.variants[0]!
    const ran = v.ranSeconds ?? 3600
    expect(ran).toBeLessThan(3600)
    expect(v.offered.ratePerSecond).toBeCloseTo(v.offered.requests / ran, -2)
    expect(Math.max(...v.timeline.map((e) => e.second))).toBeLessThanOrEqual(Math.ceil(ran))
    const junit = await ws.read('interrupted/junit.xml')
    expect(junit).toMatch(/<testsuites [^>]*errors="1"/)
    expect(junit).toContain('type="incomplete"')
    expect(await ws.read('interrupted/report.md')).toContain('This run did not complete')
  })
})
