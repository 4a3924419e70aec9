/**
 * RotateKeyOnDemand (https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html):
 * rotates the key material now, whether or not automatic rotation is on, without moving the
 * automatic schedule. Symmetric encryption keys with KMS-generated material only; not AWS
 * managed keys; the primary of a multi-Region key (the rotation applies to every replica).
 * At most 10 per key (LimitExceededException), ConflictException while an automatic rotation
 * is due within 20 minutes. Cross-account use: no.
 *
 * Error order follows AWS's recordings (LocalStack snapshot): a key pending import fails
 * with KMSInvalidStateException before any key-type check; an asymmetric or HMAC key gets an
 * UnsupportedOperationException with an empty message.
 */
import type { Handler, OpContext } from '../context.ts'
import { KMSInvalidStateException, LimitExceededException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged, type ImportState, type KmsKey } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import {
  assertRotatableKeyType,
  assertRotationOnPrimary,
  MAX_ON_DEMAND_ROTATIONS,
  onDemandLimitMessage,
  rotateKeyEvent,
  startOnDemandRotation,
} from '../rotation.ts'

/**
 * On-demand rotation of a symmetric key with imported material (installed SDK 3.1164.0; AWS
 * since 2025): the material imported with ImportType NEW_KEY_MATERIAL becomes current; with
 * none pending, AWS's KMSInvalidStateException (LocalStack's AWS snapshot,
 * test_rotate_key_on_demand_raises_for_no_pending_key_material).
 */
function rotateToImportedMaterial(ctx: OpContext, key: KmsKey): void {
  const pending = key.imported?.pendingRotation
  if (pending === undefined)
    throw new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`)
  const r = key.rotation
  if (r.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) throw new LimitExceededException(onDemandLimitMessage(key))
  r.onDemandCount++
  const previous = key.material.versions[key.material.current]
  key.material.current = pending.version
  ;(key.imported as ImportState).pendingRotation = undefined
  r.history.push({ materialId: pending.id, at: ctx.now, type: 'ON_DEMAND' })
  if (ctx.core.audit.enabled) ctx.core.audit.record(rotateKeyEvent(key, ctx.now, 'ON_DEMAND', previous?.id, pending.id))
  ctx.audit.responseElements = { keyId: key.keyId }
}

/** Handler of RotateKeyOnDemand. */
export const rotateKeyOnDemand: Handler<'RotateKeyOnDemand'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:RotateKeyOnDemand', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:RotateKeyOnDemand')
  if (key.state === 'PendingImport') throw new KMSInvalidStateException(`${key.arn} is pending import.`)
  if (key.origin === 'EXTERNAL' && key.keySpec === 'SYMMETRIC_DEFAULT') {
    assertKeyState(key, 'crypto')
    rotateToImportedMaterial(ctx, key)
    return { KeyId: key.arn }
  }
  assertKeyState(key, 'rotation')
  assertRotatableKeyType(key, 'RotateKeyOnDemand')
  assertRotationOnPrimary(key)
  startOnDemandRotation(ctx.core, key, ctx.now)
  ctx.audit.responseElements = { keyId: key.keyId }
  // The key ARN, as AWS answers (LocalStack's AWS-validated test_rotate_on_demand_returns_arn_for_key_id).
  return { KeyId: key.arn }
}
