import { describe, expect, it } from 'vitest'
import { DeadlineQueue, NOT_QUEUED, SPENT } from './deadline-queue.ts'

interface Item {
  slot: number
  name: string
}
const item = (name: string): Item => ({ slot: NOT_QUEUED, name })

function drain(q: DeadlineQueue<Item>): string[] {
  const out: string[] = []
  for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x.name)
  return out
}

describe('DeadlineQueue', () => {
  it('pops by deadline, then insertion order, and keeps what the event heap had before each', () => {
    const q = new DeadlineQueue<Item>()
    q.push(item('c'), 30, 0)
    q.push(item('a1'), 10, 1)
    q.push(item('b'), 20, 2)
    q.push(item('a2'), 10, 5)
    expect(q.peekAt()).toBe(10)
    expect(q.peekBefore()).toBe(1)
    expect(drain(q)).toEqual(['a1', 'a2', 'b', 'c'])
    expect(q.peekAt()).toBe(Number.POSITIVE_INFINITY)
  })

  it('removes any entry, keeping the order of the rest, and marks removed entries spent', () => {
    const q = new DeadlineQueue<Item>()
    const items = Array.from({ length: 200 }, (_, i) => item(`i${i}`))
    // Deadlines in a scrambled order, some equal.
    for (const [i, x] of items.entries()) q.push(x, (i * 37) % 50, i)
    const removed = items.filter((_, i) => i % 3 === 0)
    for (const x of removed) q.remove(x)
    for (const x of removed) expect(x.slot).toBe(SPENT)
    const expected = items
      .map((x, i) => ({ x, at: (i * 37) % 50, i }))
      .filter(({ i }) => i % 3 !== 0)
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ x }) => x.name)
    expect(drain(q)).toEqual(expected)
    expect(q.size).toBe(0)
  })

  it('clear marks every entry spent', () => {
    const q = new DeadlineQueue<Item>()
    const a = item('a')
    q.push(a, 1, 0)
    q.clear()
    expect(a.slot).toBe(SPENT)
    expect(q.size).toBe(0)
  })
})
