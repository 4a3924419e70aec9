import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('TagResource', () => {
  it('adds tags and replaces the value of existing tag keys (LocalStack snapshot, test_update_and_add_tags_on_tagged_key)', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({
      Tags: [
        { TagKey: 'tag1', TagValue: 'value1' },
        { TagKey: 'tag2', TagValue: 'value2' },
        { TagKey: 'tag3', TagValue: 'value3' },
      ],
    })
    expect(
      call('TagResource', {
        KeyId: keyId,
        Tags: [
          { TagKey: 'tag2', TagValue: 'updated_value2' },
          { TagKey: 'tag4', TagValue: 'value4' },
          { TagKey: 'tag5', TagValue: 'value5' },
        ],
      }),
    ).toEqual({})
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([
      { TagKey: 'tag1', TagValue: 'value1' },
      { TagKey: 'tag2', TagValue: 'updated_value2' },
      { TagKey: 'tag3', TagValue: 'value3' },
      { TagKey: 'tag4', TagValue: 'value4' },
      { TagKey: 'tag5', TagValue: 'value5' },
    ])
    call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'empty', TagValue: '' }] })
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toContainEqual({ TagKey: 'empty', TagValue: '' })
  })

  it('refuses reserved and duplicate tag keys with AWS messages, changing nothing', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(
      failure(() =>
        call('TagResource', {
          KeyId: keyId,
          Tags: [
            { TagKey: 'ok', TagValue: 'v' },
            { TagKey: 'aws:x', TagValue: 'v' },
          ],
        }),
      ),
    ).toMatchObject({ name: 'TagException', message: 'Tags beginning with aws: are reserved' })
    expect(
      failure(() =>
        call('TagResource', {
          KeyId: keyId,
          Tags: [
            { TagKey: 'a', TagValue: '1' },
            { TagKey: 'a', TagValue: '2' },
          ],
        }),
      ),
    ).toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' })
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toEqual([])
    expect(
      failure(() => call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] })).message,
    ).toContain(
      "at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256",
    )
    expect(failure(() => call('TagResource', { KeyId: keyId } as never)).message).toContain("Value null at 'tags'")
  })

  it('a key holds at most 50 tags', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({ Tags: Array.from({ length: 49 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })) })
    call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'k50', TagValue: 'v' }] })
    // Replacing values of existing keys at the limit is fine.
    call('TagResource', {
      KeyId: keyId,
      Tags: [
        { TagKey: 'k0', TagValue: 'w' },
        { TagKey: 'k50', TagValue: 'w' },
      ],
    })
    expect(
      failure(() =>
        call('TagResource', {
          KeyId: keyId,
          Tags: [
            { TagKey: 'k0', TagValue: 'x' },
            { TagKey: 'one-more', TagValue: 'v' },
          ],
        }),
      ).name,
    ).toBe('LimitExceededException')
    expect(call('ListResourceTags', { KeyId: keyId }).Tags?.find((t) => t.TagKey === 'k0')?.TagValue).toBe('w')
    expect(
      failure(() =>
        call('TagResource', {
          KeyId: newKey(),
          Tags: Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })),
        }),
      ),
    ).toMatchObject({ name: 'TagException', message: 'Too many tags' })
  })

  it("refuses keys pending deletion, AWS managed keys and other accounts' keys", () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    const tags = [{ TagKey: 'a', TagValue: 'b' }]
    expect(failure(() => call('TagResource', { KeyId: keyId, Tags: tags })).name).toBe('KMSInvalidStateException')
    expect(failure(() => call('TagResource', { KeyId: keyIdOf(call, 'alias/aws/s3'), Tags: tags })).name).toBe(
      'AccessDeniedException',
    )
    const other = `arn:aws:kms:us-east-1:444455556666:key/${newKey({}, { account: '444455556666' })}`
    expect(failure(() => call('TagResource', { KeyId: other, Tags: tags })).name).toBe('AccessDeniedException')
  })

  it('gives the authorizer the request tags (aws:RequestTag/*, aws:TagKeys)', () => {
    const { core, call, newKey } = coreHarness()
    const keyId = newKey()
    const seen: unknown[] = []
    core.authorizer = { authorize: (_ctx, r) => void seen.push(r) }
    call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] })
    expect(seen).toEqual([
      expect.objectContaining({
        action: 'kms:TagResource',
        conditions: { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'blue' },
      }),
    ])
  })
})
