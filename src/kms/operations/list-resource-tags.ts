/**
 * ListResourceTags (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html):
 * a key's tags, ordered by tag key, Limit 1-50 (default 50; a larger Limit returns at most
 * 50). Works in every key state and for AWS managed keys (which have no tags).
 */
import type { Handler } from '../context.ts'
import type { Tag } from '../model.generated.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { resolveKeyId } from '../resolve.ts'

export const listResourceTags: Handler<'ListResourceTags'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:ListResourceTags', key })
  const tags: Tag[] = []
  for (const [TagKey, TagValue] of key.tags) tags.push({ TagKey, TagValue })
  const page = paginate(tags, input, {
    scope: `ListResourceTags:${key.arn}`,
    defaultLimit: 50,
    maxLimit: 50,
    sortKey: (t) => t.TagKey,
  })
  return { Tags: page.items, ...pageMembers(page) }
}
