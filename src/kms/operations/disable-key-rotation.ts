/**
 * DisableKeyRotation (https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html):
 * turns off automatic rotation. Same key rules as EnableKeyRotation; existing material
 * versions are kept, so old ciphertext still decrypts. Cross-account use: no.
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertRotatableKeyType, assertRotationOnPrimary, disableAutomaticRotation } from '../rotation.ts'

/** Handler of DisableKeyRotation. */
export const disableKeyRotation: Handler<'DisableKeyRotation'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:DisableKeyRotation', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:DisableKeyRotation')
  assertKeyState(key, 'rotation')
  assertRotatableKeyType(key, 'DisableKeyRotation')
  assertRotationOnPrimary(key)
  disableAutomaticRotation(ctx.core, key)
  return {}
}
