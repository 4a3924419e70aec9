/**
 * GetKeyRotationStatus (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html):
 * whether automatic rotation is on, with RotationPeriodInDays and NextRotationDate when it is,
 * and OnDemandRotationStartDate while an on-demand rotation is in progress. Works in every key
 * state, but a key pending deletion reports `false` (the setting comes back if the deletion is
 * cancelled). AWS managed keys report `true` (yearly). Replicas report the shared status of
 * their multi-Region key. Cross-account use: yes (by key ARN). The response names the key by
 * key id, as in the API reference example and the AWS-recorded snapshot.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import type { GetKeyRotationStatusResponse } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'
import { isAutomaticRotationActive } from '../rotation.ts'

/** Handler of GetKeyRotationStatus. */
export const getKeyRotationStatus: Handler<'GetKeyRotationStatus'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:GetKeyRotationStatus', key })
  assertKeyState(key, 'any')
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.customKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(
      `${key.arn} key spec is ${key.keySpec}; automatic rotation applies to symmetric encryption keys outside custom key stores only.`,
    )
  }
  const r = key.rotation
  const active = isAutomaticRotationActive(key)
  const out: GetKeyRotationStatusResponse = { KeyId: key.keyId, KeyRotationEnabled: active }
  if (active) {
    out.RotationPeriodInDays = r.periodDays
    if (r.nextRotationAt !== undefined) out.NextRotationDate = new Date(r.nextRotationAt)
  }
  if (r.onDemandStartedAt !== undefined) out.OnDemandRotationStartDate = new Date(r.onDemandStartedAt)
  return out
}
