/**
 * DescribeKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
 * Works in every key state; accepts another account's key by ARN.
 */
import type { Handler } from '../context.ts'
import { keyMetadata } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const describeKey: Handler<'DescribeKey'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.core.authorize(ctx, { action: 'kms:DescribeKey', key, ...(alias !== undefined ? { requestAlias: alias } : {}), ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}) })
  ctx.audit.resources.push(key)
  return { KeyMetadata: keyMetadata(key) }
}
