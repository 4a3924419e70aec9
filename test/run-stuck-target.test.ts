/**
 * Runs that stop (issue 18.11), as a user meets them: the real `kms-bench run` as a child
 * process against a target on loopback that stops answering (test/support/stalling-endpoint.ts,
 * in front of a real `kms-bench serve`), or that never answered at all. A run ends at its
 * duration plus the drain; SIGINT and SIGTERM end it within about a second and the partial
 * results are written; setup against a silent endpoint fails in 10 s with an accurate message.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SystemClock } from '../src/clock.ts'
import { cliWorkspace } from './support/cli.ts'
import { BIN, type ServeChild, startServeChild } from './support/serve-child.ts'
import { type StallingEndpoint, startStallingEndpoint } from './support/stalling-endpoint.ts'

const ws = cliWorkspace('stuck')
const wall = new SystemClock()
let serve: ServeChild

beforeAll(async () => {
  serve = await startServeChild([])
})
afterAll(async () => {
  await serve.stop()
})

/** A `kms-bench run` child: its exit code, stderr, and the wall time from its start line to its exit. */
interface RunChild {
  readonly child: ChildProcessWithoutNullStreams
  /** resolves when the variant has started running (its one plain progress line) */
  readonly started: Promise<number>
  readonly exited: Promise<{ code: number | null; signal: string | null; at: number }>
  stderr(): string
}

function runChild(args: readonly string[]): RunChild {
  const child = spawn(process.execPath, [BIN, 'run', ...args], {
    cwd: ws.dir,
    env: { ...process.env, CI: 'true' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let err = ''
  let onStart: (at: number) => void = () => undefined
  const started = new Promise<number>((resolve) => (onStart = resolve))
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString()
    if (/running \(/.test(err)) onStart(wall.now())
  })
  child.stdout.resume()
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: wall.now() })),
  )
  // A run that does not end is the defect under test: never leave it behind.
  const guard = wall.setTimer(90_000, () => child.kill('SIGKILL'))
  void exited.then(() => guard.cancel())
  return { child, started, exited, stderr: () => err }
}

describe('a run against a target that stops answering', () => {
  // Each run gets its own endpoint: it stops answering for good once its run begins.
  const endpoints: StallingEndpoint[] = []
  const stallingEndpoint = async (): Promise<StallingEndpoint> => {
    const e = await startStallingEndpoint(serve.url)
    endpoints.push(e)
    return e
  }
  afterAll(async () => {
    for (const e of endpoints) await e.close()
  })

  it('ends at its duration plus the default 10 s drain, the stuck requests aborted and counted as timed out', async () => {
    const endpoint = await stallingEndpoint()
    const run = runChild([
      '--op',
      'Encrypt',
      '--rate',
      '20',
      '--duration',
      '2s',
      '--clock',
      'real',
      '--target',
      endpoint.url,
      '--out',
      'drained',
    ])
    const started = await Promise.race([run.started, run.exited.then(() => Number.NaN)])
    const exit = await run.exited
    expect(exit.code, run.stderr()).toBe(0)
    expect(endpoint.stalled()).toBe(true)
    // 2 s of arrivals + 10 s of drain; the request deadline (29 s) never came into it.
    const seconds = (exit.at - started) / 1000
    expect(seconds).toBeGreaterThan(11)
    expect(seconds).toBeLessThan(16)
    const s = await ws.summaryIn('drained')
    const v = s.variants[0]!
    expect(v.offered.requests).toBe(40)
    expect(v.completed).toMatchObject({ succeeded: 0, failed: 0, timedOut: 40, errors: { DrainAbort: 40 } })
    // Each waited from its intended time to the end of the drain: at least 10 s.
    expect(v.outcomes.timedOut?.latencyMs.p50).toBeGreaterThan(10_000)
    expect(s.assumptions.join('\n')).toMatch(
      /40 requests were still in flight at the end of the drain \(10 s after the last arrival, the default; run --drain D\); they were aborted and counted as timed out \(errors: DrainAbort\)/,
    )
  }, 60_000)

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s with requests stuck: exits within about a second and writes the partial results',
    async (signal) => {
      const out = `stopped-${signal}`
      const endpoint = await stallingEndpoint()
      const run = runChild([
        '--op',
        'Encrypt',
        '--rate',
        '20',
        '--duration',
        '60s',
        '--target',
        endpoint.url,
        '--out',
        out,
      ])
      await Promise.race([run.started, run.exited])
      // A second of arrivals, all stuck.
      await wall.sleep(1000)
      const sent = wall.now()
      run.child.kill(signal)
      const exit = await run.exited
      expect(exit.code, run.stderr()).toBe(130)
      expect((exit.at - sent) / 1000).toBeLessThan(2)
      const s = await ws.summaryIn(out)
      expect(s.complete).toBe(false)
      const v = s.variants[0]!
      expect(v.offered.requests).toBeGreaterThan(0)
      expect(v.completed.timedOut).toBe(v.offered.requests - v.completed.dropped)
      expect(v.completed.errors['Interrupted']).toBe(v.completed.timedOut)
      expect(s.assumptions.join('\n')).toMatch(/still in flight when the run was interrupted; they were aborted/)
      const junit = await readFile(join(ws.dir, out, 'junit.xml'), 'utf8')
      expect(junit).toMatch(/<error message="the run did not complete/)
      expect(await readFile(join(ws.dir, out, 'report.md'), 'utf8')).toMatch(/Encrypt/)
    },
    60_000,
  )
})

describe('setup against an endpoint that accepts connections and never answers', () => {
  let silent: StallingEndpoint
  beforeAll(async () => {
    silent = await startStallingEndpoint()
  })
  afterAll(async () => {
    await silent.close()
  })

  it('fails in 10 s naming what happened, not minutes later with "is the server running?"', async () => {
    const t0 = wall.now()
    const run = runChild(['--op', 'Encrypt', '--rate', '5', '--duration', '2s', '--target', silent.url])
    const exit = await run.exited
    expect(exit.code).toBe(2)
    expect(silent.accepted()).toBeGreaterThan(0)
    expect(run.stderr()).toMatch(
      new RegExp(
        `kms-bench: endpoint ${silent.url.replace(/[.]/g, '\\.')} accepted the connection but sent no response within 10 s\\n`,
      ),
    )
    expect(run.stderr()).not.toMatch(/is the server running/)
    // 10 s of waiting after the process starts (and loads the SDK), not 5 attempts of 30 s.
    const seconds = (exit.at - t0) / 1000
    expect(seconds).toBeGreaterThan(10)
    expect(seconds).toBeLessThan(20)
  }, 60_000)

  it('SIGINT while setup waits on the silent endpoint ends the run at once: exit 130, nothing written', async () => {
    const run = runChild([
      '--op',
      'Encrypt',
      '--rate',
      '5',
      '--duration',
      '2s',
      '--target',
      silent.url,
      '--out',
      'sigint-setup',
    ])
    // The setup call is in flight once the endpoint has accepted its connection.
    const accepted = silent.accepted()
    while (silent.accepted() === accepted) await new Promise<void>((r) => wall.setTimer(50, r))
    const sent = wall.now()
    run.child.kill('SIGINT')
    const exit = await run.exited
    expect(exit.code, run.stderr()).toBe(130)
    expect(run.stderr()).toMatch(/interrupted before the run started: nothing written/)
    // Within about a second, not at the 10 s setup timeout.
    expect((exit.at - sent) / 1000).toBeLessThan(3)
  }, 60_000)
})
