/**
 * UpdateKeyDescription (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateKeyDescription.html):
 * replaces a customer managed key's description (0-8192 characters, checked by the model;
 * an empty string clears it). Not while the key is pending deletion (key-state.html).
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const updateKeyDescription: Handler<'UpdateKeyDescription'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:UpdateKeyDescription', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:UpdateKeyDescription')
  assertKeyState(key, 'manage')
  key.description = input.Description
  return {}
}
