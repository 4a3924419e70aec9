/**
 * PutKeyPolicy (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html):
 * replaces the key policy of a customer managed key. The document must be a valid key
 * policy of at most 32 KB (`parseKeyPolicy`), and unless BypassPolicyLockoutSafetyCheck is
 * true it must still let the caller call PutKeyPolicy (the lockout check, done by the
 * configured authorizer). The policy of an AWS managed key cannot be changed. Works in every
 * key state.
 */
import type { Handler } from '../context.ts'
import { assertCustomerManaged } from '../key.ts'
import { parseKeyPolicy } from '../policy-document.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertDefaultPolicyName } from './get-key-policy.ts'

export const putKeyPolicy: Handler<'PutKeyPolicy'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  const bypass = input.BypassPolicyLockoutSafetyCheck === true
  ctx.core.authorize(ctx, {
    action: 'kms:PutKeyPolicy',
    key,
    conditions: { 'kms:BypassPolicyLockoutSafetyCheck': bypass },
  })
  assertDefaultPolicyName(input.PolicyName)
  assertCustomerManaged(key, ctx.caller.principal, 'kms:PutKeyPolicy')
  parseKeyPolicy(input.Policy)
  if (!bypass) ctx.core.assertPolicyKeepsAccess(ctx, input.Policy, key)
  key.policy = input.Policy
  return {}
}
