import { describe, expect, it } from 'vitest'
import { SystemClock, VirtualClock, VIRTUAL_EPOCH_MS } from './clock.ts'

describe('VirtualClock', () => {
  it('starts at the fixed epoch and only moves when advanced', () => {
    const c = new VirtualClock()
    expect(c.now()).toBe(VIRTUAL_EPOCH_MS)
    expect(c.now()).toBe(VIRTUAL_EPOCH_MS)
    c.advance(1500)
    expect(c.now()).toBe(VIRTUAL_EPOCH_MS + 1500)
  })

  it('fires timers in time order, ties in the order set, each at its due time', () => {
    const c = new VirtualClock(0)
    const fired: string[] = []
    c.setTimer(30, () => fired.push(`c@${c.now()}`))
    c.setTimer(10, () => fired.push(`a@${c.now()}`))
    c.setTimer(10, () => fired.push(`b@${c.now()}`))
    const cancelled = c.setTimer(20, () => fired.push('never'))
    cancelled.cancel()
    c.advance(25)
    expect(fired).toEqual(['a@10', 'b@10'])
    c.advance(5)
    expect(fired).toEqual(['a@10', 'b@10', 'c@30'])
    expect(c.now()).toBe(30)
  })

  it('fires timers set by timers when they fall inside the advance', () => {
    const c = new VirtualClock(0)
    const fired: number[] = []
    c.setTimer(10, () => {
      fired.push(c.now())
      c.setTimer(5, () => fired.push(c.now()))
    })
    c.advance(100)
    expect(fired).toEqual([10, 15])
  })

  it('drives async code that sleeps repeatedly with advanceAsync', async () => {
    const c = new VirtualClock(0)
    const seen: number[] = []
    const task = (async () => {
      for (let i = 0; i < 3; i++) {
        await c.sleep(100)
        seen.push(c.now())
      }
    })()
    await c.advanceAsync(1000)
    await task
    expect(seen).toEqual([100, 200, 300])
    expect(c.now()).toBe(1000)
  })

  it('rejects a sleep when its signal aborts, and refuses to go backwards', async () => {
    const c = new VirtualClock(0)
    const ac = new AbortController()
    const p = c.sleep(100, ac.signal)
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(() => c.advanceTo(-1)).toThrow(/backwards/)
    expect(() => c.advance(-5)).toThrow(RangeError)
  })
})

describe('SystemClock', () => {
  it('reads epoch milliseconds that never go backwards', () => {
    const c = new SystemClock()
    const a = c.now()
    const b = c.now()
    expect(b).toBeGreaterThanOrEqual(a)
    expect(Math.abs(a - Date.now())).toBeLessThan(5_000)
  })

  it('sleeps and fires timers for real', async () => {
    const c = new SystemClock()
    const start = c.now()
    await c.sleep(5)
    expect(c.now()).toBeGreaterThan(start)
    await new Promise<void>((resolve) => c.setTimer(1, resolve))
  })
})
