import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { heapPolicyFlags } from './heap-policy.ts'

describe('heapPolicyFlags', () => {
  it('sets the growing factor when the user did not', () => {
    expect(heapPolicyFlags([], '')).toEqual(['--heap-growing-percent=100'])
  })

  it('leaves the flag the user gave on the command line or in NODE_OPTIONS, in either spelling', () => {
    expect(heapPolicyFlags(['--heap-growing-percent=300'])).toEqual([])
    expect(heapPolicyFlags([], '--max-old-space-size=4096 --heap_growing_percent=50')).toEqual([])
  })

  it('does not take a longer flag for its own', () => {
    expect(heapPolicyFlags(['--heap-growing-percent-x=1', '--trace-gc'])).toEqual(['--heap-growing-percent=100'])
  })
})

describe('applyHeapPolicy', () => {
  // V8 has no API to read a flag back, so this watches what it does: a 17 MB live set and a
  // churn of objects that live long enough to be promoted, the heap size at which each full
  // collection starts read from --trace-gc.
  const policy = fileURLToPath(new URL('./heap-policy.ts', import.meta.url))
  const script = `
    const { applyHeapPolicy } = await import(${JSON.stringify(policy)})
    if (process.argv[1] === 'apply') applyHeapPolicy([], '')
    const live = []
    for (let i = 0; i < 300000; i++) live.push({ i, s: 'live' + i })
    const ring = new Array(200000)
    for (let i = 0; i < 6000000; i++) ring[i % 200000] = { i, s: 'x' + i }
  `
  const peakBeforeFullGc = (mode: string): number => {
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '--import', 'tsx', '--input-type=module', '-e', script, mode],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    )
    expect(r.status, r.stderr).toBe(0)
    const before = [...r.stdout.matchAll(/Mark-Compact ([\d.]+) \(/g)].map((m) => Number(m[1]))
    expect(before.length).toBeGreaterThan(2)
    return Math.max(...before)
  }

  it('lets the old generation grow to about twice the live data, not four times', () => {
    const applied = peakBeforeFullGc('apply')
    const defaults = peakBeforeFullGc('none')
    expect(applied).toBeLessThan(0.8 * defaults)
  })
})
