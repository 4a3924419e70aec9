/**
 * ListKeys (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html): the
 * KMS keys of the caller's account and Region (customer and AWS managed, in every state
 * until deleted), ordered by key id, Limit 1-1000 (default 100), Marker/NextMarker paging.
 * Authorized by IAM policy only (no key).
 */
import type { Handler } from '../context.ts'
import { pageMembers, paginate } from '../pagination.ts'

export const listKeys: Handler<'ListKeys'> = (ctx, input) => {
  ctx.core.authorize(ctx, { action: 'kms:ListKeys' })
  const page = paginate(ctx.state.keys.values(), input, {
    scope: `ListKeys:${ctx.caller.account}:${ctx.caller.region}`,
    defaultLimit: 100,
    maxLimit: 1000,
    sortKey: (k) => k.keyId,
  })
  return { Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...pageMembers(page) }
}
