/**
 * ListKeyPolicies (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html):
 * the names of a key's policies, which is always `["default"]` ("Only one policy can be
 * attached to a key"). Pages like every List operation (Limit 1-1000, default 100). Works in
 * every key state.
 */
import type { Handler } from '../context.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { resolveKeyId } from '../resolve.ts'
import { DEFAULT_POLICY_NAME } from './get-key-policy.ts'

export const listKeyPolicies: Handler<'ListKeyPolicies'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:ListKeyPolicies', key })
  const page = paginate([DEFAULT_POLICY_NAME], input, {
    scope: `ListKeyPolicies:${key.arn}`,
    defaultLimit: 100,
    maxLimit: 1000,
    sortKey: (name) => name,
  })
  return { PolicyNames: page.items, ...pageMembers(page) }
}
