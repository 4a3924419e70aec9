/**
 * `kms-bench run --workers N` in virtual time: the variants of a scenario run on worker
 * threads, and every output file is the one a single-threaded run writes, byte for byte.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'

const ws = cliWorkspace('run-workers')
const { cli } = ws

describe('kms-bench run --workers in virtual time', () => {
  it('runs the variants side by side and writes the sequential run, byte for byte', async () => {
    // Mitigations from the built-in table (the worker threads import it themselves), a quota
    // under the peak, three variants on two threads.
    const scenario = join(import.meta.dirname, '..', 'scenarios', 'mitigation-shootout.ts')
    const common = ['run', scenario, '--duration', '3s', '--variant', 'baseline', '--variant', 'cache-single-flight']
    const one = await cli([...common, '--variant', 'data-key-pool', '--workers', '1', '--out', 'one'])
    expect(one.code, one.err).toBe(0)
    const two = await cli([...common, '--variant', 'data-key-pool', '--workers', '2', '--out', 'two'])
    expect(two.code, two.err).toBe(0)
    const files = (await readdir(join(ws.dir, 'one'))).sort()
    expect((await readdir(join(ws.dir, 'two'))).sort()).toEqual(files)
    expect(files).toContain('summary.json')
    // Nothing excluded: a virtual run's summary has no wall-clock field (startedAt is the virtual epoch).
    for (const f of files)
      expect(await readFile(join(ws.dir, 'two', f), 'utf8'), f).toBe(await readFile(join(ws.dir, 'one', f), 'utf8'))
    const summary = JSON.parse(await readFile(join(ws.dir, 'two', 'summary.json'), 'utf8')) as {
      variants: { name: string; kms: { calls: number } }[]
    }
    expect(summary.variants.map((v) => v.name)).toEqual(['baseline', 'cache-single-flight', 'data-key-pool'])
    // The variants differ: the cache makes far fewer KMS calls than the baseline.
    expect(summary.variants[1]!.kms.calls).toBeLessThan(summary.variants[0]!.kms.calls / 2)
  }, 180_000)

  it('refuses --workers for a single variant in virtual time (one deterministic event loop)', async () => {
    const r = await cli(['run', '--op', 'Encrypt', '--rate', '5', '--duration', '1s', '--workers', '2'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--workers needs real time .* to split one variant/)
  })
})
