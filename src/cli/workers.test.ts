import { describe, expect, it } from 'vitest'
import { usableWorkers } from './run.ts'

describe('usableWorkers: hosts are split across workers, never shared', () => {
  it('keeps one SDK client (one retry quota) per host: the worker count divides the fleet', () => {
    // Finding 8: --workers 2 with one host gave that host two clients and twice the retry quota.
    expect(usableWorkers(2, 1, 1)).toBe(1)
    expect(usableWorkers(4, 6, 1)).toBe(3)
    expect(usableWorkers(4, 8, 1)).toBe(4)
    // With outer shards, shards × workers must divide the fleet.
    expect(usableWorkers(4, 8, 2)).toBe(4)
    expect(usableWorkers(4, 8, 4)).toBe(2)
    expect(usableWorkers(3, 7, 1)).toBe(1)
  })
})
