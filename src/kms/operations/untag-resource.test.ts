import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('UntagResource', () => {
  it('removes the given tag keys (LocalStack snapshot, test_untag_key_partially)', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({
      Tags: [
        { TagKey: 'tag1', TagValue: 'value1' },
        { TagKey: 'tag2', TagValue: 'value2' },
        { TagKey: 'tag3', TagValue: 'value3' },
      ],
    })
    expect(call('UntagResource', { KeyId: keyId, TagKeys: ['tag2'] })).toEqual({})
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([
      { TagKey: 'tag1', TagValue: 'value1' },
      { TagKey: 'tag3', TagValue: 'value3' },
    ])
    call('UntagResource', { KeyId: keyId, TagKeys: ['tag1', 'tag3'] })
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([])
  })

  it('ignores tag keys the key does not have', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({ Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    call('UntagResource', { KeyId: keyId, TagKeys: ['missing', 'TAG'] })
    call('UntagResource', { KeyId: keyId, TagKeys: [] })
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([{ TagKey: 'a', TagValue: 'b' }])
  })

  it('refuses keys pending deletion, AWS managed keys and bad input', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({ Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(failure(() => call('UntagResource', { KeyId: keyId, TagKeys: ['a'] })).name).toBe('KMSInvalidStateException')
    expect(failure(() => call('UntagResource', { KeyId: keyIdOf(call, 'alias/aws/s3'), TagKeys: ['a'] })).name).toBe(
      'AccessDeniedException',
    )
    expect(failure(() => call('UntagResource', { KeyId: keyId, TagKeys: [''] })).message).toContain(
      "at 'tagKeys.1.member' failed to satisfy constraint",
    )
    expect(failure(() => call('UntagResource', { KeyId: keyId, TagKeys: 'a' } as never)).name).toBe(
      'ValidationException',
    )
  })
})
