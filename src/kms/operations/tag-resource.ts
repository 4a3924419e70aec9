/**
 * TagResource (https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html):
 * adds tags to a customer managed key, replacing the value of a tag key it already has.
 * One request may not repeat a tag key or use the reserved `aws:` prefix (TagException, AWS's
 * messages in `tags.ts`); a key holds at most 50 tags (LimitExceededException, the resource
 * quota). AWS managed keys cannot be tagged; nor can a key pending deletion (key-state.html).
 */
import type { Handler } from '../context.ts'
import { LimitExceededException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import { MAX_TAGS_PER_KEY, requestTagConditions, tagsFromInput } from '../tags.ts'

export const tagResource: Handler<'TagResource'> = (ctx, input) => {
  const tags = tagsFromInput(input.Tags)
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:TagResource', key, conditions: requestTagConditions(tags) })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:TagResource')
  assertKeyState(key, 'manage')
  let added = 0
  for (const k of tags.keys()) if (!key.tags.has(k)) added++
  if (key.tags.size + added > MAX_TAGS_PER_KEY) {
    throw new LimitExceededException(
      `The request would give ${key.arn} ${key.tags.size + added} tags; a KMS key can have at most ${MAX_TAGS_PER_KEY}.`,
    )
  }
  for (const [k, v] of tags) key.tags.set(k, v)
  return {}
}
