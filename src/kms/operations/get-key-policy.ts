/**
 * GetKeyPolicy (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html):
 * returns the key policy. Every key has exactly one policy, named `default`, which is also
 * the default PolicyName; any other name is NotFoundException. Works in every key state,
 * for AWS managed keys too (their policy allows `kms:Get*` to the account).
 */
import type { Handler } from '../context.ts'
import { NotFoundException } from '../errors.ts'
import { resolveKeyId } from '../resolve.ts'

/** The only key policy name (API_ListKeyPolicies.html). */
export const DEFAULT_POLICY_NAME = 'default'

/** Throws AWS's NotFoundException unless `name` (default `default`) names the key policy. */
export function assertDefaultPolicyName(name: string | undefined): void {
  if ((name ?? DEFAULT_POLICY_NAME) !== DEFAULT_POLICY_NAME) throw new NotFoundException('No such policy exists')
}

export const getKeyPolicy: Handler<'GetKeyPolicy'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:GetKeyPolicy', key })
  assertDefaultPolicyName(input.PolicyName)
  return { Policy: key.policy, PolicyName: DEFAULT_POLICY_NAME }
}
