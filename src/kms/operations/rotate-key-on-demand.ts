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
import type { Handler } from '../context.ts'
import { KMSInvalidStateException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertRotatableKeyType, assertRotationOnPrimary, startOnDemandRotation } from '../rotation.ts'

/** Handler of RotateKeyOnDemand. */
export const rotateKeyOnDemand: Handler<'RotateKeyOnDemand'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:RotateKeyOnDemand', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:RotateKeyOnDemand')
  if (key.state === 'PendingImport') throw new KMSInvalidStateException(`${key.arn} is pending import.`)
  assertKeyState(key, 'rotation')
  assertRotatableKeyType(key, 'RotateKeyOnDemand')
  assertRotationOnPrimary(key)
  startOnDemandRotation(ctx.core, key, ctx.now)
  ctx.audit.responseElements = { keyId: key.keyId }
  // The key ARN, as AWS answers (LocalStack's AWS-validated test_rotate_on_demand_returns_arn_for_key_id).
  return { KeyId: key.arn }
}
