import { describe, expect, it } from 'vitest'
import { MinHeap } from './heap.ts'
import { Random } from './random.ts'

describe('MinHeap', () => {
  it('pops by (at, insertion order) through interleaved pushes and pops, growing past its first capacity', () => {
    const random = new Random(7, 1)
    const heap = new MinHeap<{ at: number; seq: number; id: number }>()
    const pending: { at: number; id: number }[] = []
    const popped: number[] = []
    const expected: number[] = []
    let id = 0
    for (let round = 0; round < 2000; round++) {
      // Few distinct times, so ties (stable order) are common.
      const pushes = Math.floor(random.next() * 4)
      for (let k = 0; k < pushes; k++) {
        const at = Math.floor(random.next() * 50)
        heap.push({ at, seq: -1, id })
        pending.push({ at, id })
        id++
      }
      if (random.next() < 0.45 && pending.length > 0) {
        pending.sort((a, b) => a.at - b.at || a.id - b.id)
        expected.push((pending.shift() as { id: number }).id)
        popped.push(heap.pop()?.id as number)
      }
    }
    pending.sort((a, b) => a.at - b.at || a.id - b.id)
    expect(heap.size).toBe(pending.length)
    expect(heap.peek()?.id).toBe(pending[0]?.id)
    for (const p of pending) {
      expected.push(p.id)
      popped.push(heap.pop()?.id as number)
    }
    expect(popped).toEqual(expected)
    expect(id).toBeGreaterThan(1000)
    expect(heap.pop()).toBeUndefined()
    expect(heap.size).toBe(0)
  })

  it('sets seq to the insertion counter and empties on clear', () => {
    const heap = new MinHeap<{ at: number; seq: number }>()
    const a = { at: 5, seq: 99 }
    const b = { at: 5, seq: 0 }
    heap.push(a)
    heap.push(b)
    expect([a.seq, b.seq]).toEqual([0, 1])
    expect(heap.pop()).toBe(a)
    heap.clear()
    expect(heap.size).toBe(0)
    expect(heap.peek()).toBeUndefined()
  })
})
