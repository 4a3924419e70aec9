/**
 * EnableKeyRotation (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html):
 * turns on automatic rotation of a symmetric encryption key with KMS-generated material,
 * every RotationPeriodInDays (90–2560, checked by the model; default 365). Not for asymmetric,
 * HMAC, imported-material or custom key store keys, not for AWS managed keys (KMS rotates
 * them yearly), and on a multi-Region key only through its primary. Cross-account use: no.
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import {
  assertRotatableKeyType,
  assertRotationOnPrimary,
  DEFAULT_ROTATION_PERIOD_DAYS,
  enableAutomaticRotation,
} from '../rotation.ts'

/** Handler of EnableKeyRotation. */
export const enableKeyRotation: Handler<'EnableKeyRotation'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  const periodDays = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS
  ctx.core.authorize(ctx, {
    action: 'kms:EnableKeyRotation',
    key,
    conditions: { 'kms:RotationPeriodInDays': String(periodDays) },
  })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:EnableKeyRotation')
  assertKeyState(key, 'rotation')
  assertRotatableKeyType(key, 'EnableKeyRotation')
  assertRotationOnPrimary(key)
  enableAutomaticRotation(ctx.core, key, periodDays, ctx.now)
  return {}
}
