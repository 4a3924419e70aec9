import { describe, expect, it } from 'vitest'
import { decodeMarker, encodeMarker, pageLimit, pageMembers, paginate, type PageSpec } from './pagination.ts'
import { failure } from './test-support.ts'

const spec: PageSpec<string> = { scope: 'Test', defaultLimit: 3, maxLimit: 5, sortKey: (s) => s }
const letters = ['e', 'b', 'g', 'a', 'f', 'c', 'd']

describe('paginate', () => {
  it('returns items in sort-key order, defaultLimit at a time, until Truncated is false', () => {
    const p1 = paginate(letters, {}, spec)
    expect(p1.items).toEqual(['a', 'b', 'c'])
    expect(p1.Truncated).toBe(true)
    expect(typeof p1.NextMarker).toBe('string')
    const p2 = paginate(letters, { Marker: p1.NextMarker }, spec)
    expect(p2.items).toEqual(['d', 'e', 'f'])
    const p3 = paginate(letters, { Marker: p2.NextMarker }, spec)
    expect(p3).toEqual({ items: ['g'], Truncated: false })
    expect(pageMembers(p3)).toEqual({ Truncated: false })
    expect(pageMembers(p1)).toEqual({ NextMarker: p1.NextMarker, Truncated: true })
  })

  it('a full last page is not truncated', () => {
    expect(paginate(['a', 'b', 'c'], {}, spec)).toEqual({ items: ['a', 'b', 'c'], Truncated: false })
    expect(paginate([], {}, spec)).toEqual({ items: [], Truncated: false })
  })

  it('honours Limit and caps it at the maximum (KMS "might return fewer")', () => {
    expect(paginate(letters, { Limit: 1 }, spec).items).toEqual(['a'])
    expect(paginate(letters, { Limit: 1000 }, spec).items).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(pageLimit(undefined, spec)).toBe(3)
    expect(pageLimit(4, spec)).toBe(4)
  })

  it('keeps its place when items change between pages', () => {
    const p1 = paginate(letters, { Limit: 2 }, spec)
    expect(p1.items).toEqual(['a', 'b'])
    // 'b' (the marker's item) is removed and 'aa' (before the marker) added: the next page
    // continues after 'b' anyway, without repeating or skipping the others.
    const changed = ['aa', 'a', 'c', 'd', 'e', 'f', 'g']
    expect(paginate(changed, { Limit: 2, Marker: p1.NextMarker }, spec).items).toEqual(['c', 'd'])
  })

  it('refuses markers that are malformed or belong to another listing', () => {
    const other = encodeMarker('Other', 'a')
    for (const bad of [
      'not a marker!',
      'AAAA',
      other,
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["Test",1]').toString('base64url'),
    ]) {
      const e = failure(() => paginate(letters, { Marker: bad }, spec))
      expect(e.name).toBe('InvalidMarkerException')
      expect(e.message).toMatch(/marker/)
    }
    expect(decodeMarker(encodeMarker('Test', 'c'), 'Test')).toBe('c')
  })

  it('markers are printable, within the model limit of 1024 characters', () => {
    const m = encodeMarker('ListAliases:111122223333:us-east-1:*', `alias/${'x'.repeat(250)}`)
    expect(m.length).toBeLessThanOrEqual(1024)
    expect(m).toMatch(/^[\u0020-\u00FF]+$/)
  })
})

describe('paginate (property)', () => {
  it('pages through any set of keys exactly once, in order, for any Limit', async () => {
    const fc = await import('fast-check')
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (keys, limit) => {
          const s: PageSpec<string> = { scope: 'P', defaultLimit: 10, maxLimit: 40, sortKey: (k) => k }
          const seen: string[] = []
          let Marker: string | undefined
          for (let guard = 0; guard <= keys.length + 1; guard++) {
            const page = paginate(keys, { Limit: limit, ...(Marker !== undefined ? { Marker } : {}) }, s)
            expect(page.items.length).toBeLessThanOrEqual(limit)
            seen.push(...page.items)
            Marker = page.NextMarker
            if (!page.Truncated) break
          }
          expect(Marker).toBeUndefined()
          expect(seen).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
        },
      ),
      { numRuns: 300 },
    )
  })
})
