/**
 * UntagResource (https://docs.aws.amazon.com/kms/latest/APIReference/API_UntagResource.html):
 * removes tags (by tag key) from a customer managed key. A tag key the key does not have is
 * ignored, without an error, as AWS does. Not for AWS managed keys, nor while the key is
 * pending deletion (key-state.html).
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const untagResource: Handler<'UntagResource'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:UntagResource', key, conditions: { 'aws:TagKeys': input.TagKeys } })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:UntagResource')
  assertKeyState(key, 'manage')
  for (const k of input.TagKeys) key.tags.delete(k)
  return {}
}
