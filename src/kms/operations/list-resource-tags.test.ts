import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('ListResourceTags', () => {
  it('lists the tags ordered by tag key; none is an empty list', () => {
    const { call, newKey } = coreHarness()
    expect(call('ListResourceTags', { KeyId: newKey() })).toEqual({ Tags: [], Truncated: false })
    const keyId = newKey({
      Tags: [
        { TagKey: 'b', TagValue: '2' },
        { TagKey: 'a', TagValue: '1' },
      ],
    })
    expect(call('ListResourceTags', { KeyId: keyId })).toEqual({
      Tags: [
        { TagKey: 'a', TagValue: '1' },
        { TagKey: 'b', TagValue: '2' },
      ],
      Truncated: false,
    })
  })

  it('pages with Limit (at most 50) and Marker', () => {
    const { call, newKey } = coreHarness()
    const tags = Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${String(i).padStart(2, '0')}`, TagValue: `${i}` }))
    const keyId = newKey({ Tags: tags })
    const p1 = call('ListResourceTags', { KeyId: keyId, Limit: 20 })
    expect(p1.Tags).toEqual(tags.slice(0, 20))
    expect(p1.Truncated).toBe(true)
    const p2 = call('ListResourceTags', { KeyId: keyId, Limit: 1000, Marker: p1.NextMarker as string })
    expect(p2).toEqual({ Tags: tags.slice(20), Truncated: false })
    expect(call('ListResourceTags', { KeyId: keyId, Limit: 1000 }).Tags).toHaveLength(50)
    // A marker belongs to its key.
    expect(
      failure(() => call('ListResourceTags', { KeyId: newKey({ Tags: tags }), Marker: p1.NextMarker as string })).name,
    ).toBe('InvalidMarkerException')
  })

  it('works in every key state and for AWS managed keys', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({ Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([{ TagKey: 'a', TagValue: 'b' }])
    expect(call('ListResourceTags', { KeyId: keyIdOf(call, 'alias/aws/s3') }).Tags).toEqual([])
    expect(failure(() => call('ListResourceTags', {} as never)).name).toBe('ValidationException')
  })
})
