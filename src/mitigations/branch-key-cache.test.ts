import { describe, expect, it } from 'vitest'
import { BranchKeyCache, HierarchicalKeyringModel } from './branch-key-cache.ts'

describe('hierarchical keyring model', () => {
  it('a 15-minute TTL turns 10,000 encrypts (one a 10th of a second) into 1 GetItem + 1 Decrypt', () => {
    const m = new HierarchicalKeyringModel({ ttlSeconds: 900 })
    let decrypts = 0
    let getItems = 0
    for (let i = 0; i < 10_000; i++) {
      const c = m.onEncrypt('tenant-a', i * 90)
      decrypts += c.decrypt
      getItems += c.getItem
    }
    // 10,000 × 90 ms = 900 s: the last encrypt is at 899.91 s, within the TTL (age <= ttl).
    expect([decrypts, getItems]).toEqual([1, 1])
  })

  it('an entry is used while age <= TTL and fetched again after', () => {
    const m = new HierarchicalKeyringModel({ ttlSeconds: 60 })
    expect(m.onEncrypt('b', 0).decrypt).toBe(1)
    expect(m.onEncrypt('b', 60_000).decrypt).toBe(0)
    expect(m.onEncrypt('b', 60_001).decrypt).toBe(1)
    // The new entry was created at 60.001 s.
    expect(m.onEncrypt('b', 120_001).decrypt).toBe(0)
  })

  it('per tenant and per version: 100 tenants encrypting and decrypting for an hour with a 15-min TTL', () => {
    const m = new HierarchicalKeyringModel({ ttlSeconds: 900 })
    let misses = 0
    // every tenant encrypts and decrypts once a second: 4 refreshes an hour for each of 2 entries
    for (let s = 0; s < 3600; s++)
      for (let t = 0; t < 100; t++) {
        misses += m.onEncrypt(`t${t}`, s * 1000).decrypt
        misses += m.onDecrypt(`t${t}`, 'v1', s * 1000).decrypt
      }
    // misses at 0, 901, 1802, 2703 s (age > 900 s): 4 per entry, 2 entries per tenant
    expect(misses).toBe(4 * 2 * 100)
  })

  it('a shared cache shares entries only within one partition; capacity evicts the least recently used', () => {
    const cache = new BranchKeyCache(2)
    const a = new HierarchicalKeyringModel({ ttlSeconds: 60, partitionId: 'p', cache })
    const b = new HierarchicalKeyringModel({ ttlSeconds: 60, partitionId: 'p', cache })
    const c = new HierarchicalKeyringModel({ ttlSeconds: 60, partitionId: 'q', cache })
    expect(a.onEncrypt('x', 0).decrypt).toBe(1)
    expect(b.onEncrypt('x', 1).decrypt).toBe(0)
    expect(c.onEncrypt('x', 2).decrypt).toBe(1)
    expect(a.onEncrypt('y', 3).decrypt).toBe(1)
    // capacity 2: ('p', x) was least recently used and is gone
    expect(cache.evicted).toBe(1)
    expect(b.onEncrypt('x', 4).decrypt).toBe(1)
    expect(() => new HierarchicalKeyringModel({ ttlSeconds: 1, cache, cacheCapacity: 5 })).toThrow(/shared cache/)
    expect(() => new HierarchicalKeyringModel({ ttlSeconds: -1 })).toThrow(/non-negative/)
  })
})
