/**
 * GetKeyLastUsage (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html;
 * in the installed @aws-sdk/client-kms 3.1164.0, not in the shared Smithy model): the last
 * successful cryptographic operation on a key, its time, and TrackingStartDate. Not reported:
 * CloudTrailEventId and KmsRequestId — kms-bench's audit log assigns those ids only when an
 * event is read (audit.ts keeps compact records on the hot path), so there is no id to give. kms-bench tracks every key
 * from its creation, so TrackingStartDate is the creation date ("the date from which KMS began
 * recording ... or the date the KMS key was created, whichever is later"). Key ID or key ARN
 * only ("Alias names are not supported"). A key never used gets an empty KeyLastUsage.
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import type { KeyLastUsageData, KeyLastUsageTrackingOperation } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of GetKeyLastUsage. */
export const getKeyLastUsage: Handler<'GetKeyLastUsage'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:GetKeyLastUsage', key })
  assertKeyState(key, 'any')
  const use = key.lastUsage
  const usage: KeyLastUsageData = {}
  if (use !== undefined) {
    usage.Operation = use.operation as KeyLastUsageTrackingOperation
    usage.Timestamp = new Date(use.at)
  }
  return { KeyId: key.keyId, KeyLastUsage: usage, TrackingStartDate: new Date(key.createdAt) }
}
