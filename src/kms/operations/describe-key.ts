/**
 * DescribeKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
 * Works in every key state; accepts a key id, key ARN, alias name or alias ARN, and another
 * account's key by ARN (cross-account use: yes). Naming `alias/aws/<service>` creates that
 * AWS managed key on first use, as AWS does.
 */
import type { Handler } from '../context.ts'
import { keyMetadata } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const describeKey: Handler<'DescribeKey'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:DescribeKey',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
  })
  return { KeyMetadata: keyMetadata(key) }
}
