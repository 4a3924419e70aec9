/**
 * ScheduleKeyDeletion (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html):
 * the key becomes PendingDeletion for a waiting period of 7-30 days (default 30), then KMS
 * deletes it with its aliases (`deletion.ts`). The model allows 1-365 days; values inside
 * the model's range but outside 7-30 get AWS's service message. A multi-Region primary key
 * with replicas becomes PendingReplicaDeletion and has no DeletionDate until its last
 * replica is deleted. The response's KeyId is the key ARN.
 */
import type { Handler } from '../context.ts'
import {
  DEFAULT_PENDING_WINDOW_DAYS,
  MAX_PENDING_WINDOW_DAYS,
  MIN_PENDING_WINDOW_DAYS,
  scheduleDeletion,
} from '../deletion.ts'
import { ValidationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import type { OperationOutputs } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'

export const scheduleKeyDeletion: Handler<'ScheduleKeyDeletion'> = (ctx, input) => {
  const days = input.PendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS
  if (days < MIN_PENDING_WINDOW_DAYS || days > MAX_PENDING_WINDOW_DAYS) {
    // Real KMS's text (observed: Skyscanner/kms-issuer#8).
    throw new ValidationException(
      `PendingWindowInDays must be between ${MIN_PENDING_WINDOW_DAYS} and ${MAX_PENDING_WINDOW_DAYS}`,
    )
  }
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:ScheduleKeyDeletion',
    key,
    conditions: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(days) },
  })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:ScheduleKeyDeletion')
  assertKeyState(key, 'schedule-deletion')
  scheduleDeletion(ctx.core, key, days, ctx.now)
  const out: OperationOutputs['ScheduleKeyDeletion'] = {
    KeyId: key.arn,
    KeyState: key.state,
    PendingWindowInDays: days,
  }
  if (key.deletionDate !== undefined) out.DeletionDate = new Date(key.deletionDate)
  return out
}
