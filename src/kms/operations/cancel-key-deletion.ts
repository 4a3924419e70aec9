/**
 * CancelKeyDeletion (https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html):
 * stops a scheduled deletion; the key becomes Disabled (use EnableKey to use it again).
 * Only while PendingDeletion (or PendingReplicaDeletion); otherwise
 * `KMSInvalidStateException: <key ARN> is not pending deletion.` The response's KeyId is
 * the key ARN.
 */
import type { Handler } from '../context.ts'
import { cancelDeletion } from '../deletion.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const cancelKeyDeletion: Handler<'CancelKeyDeletion'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:CancelKeyDeletion', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:CancelKeyDeletion')
  assertKeyState(key, 'cancel-deletion')
  cancelDeletion(key)
  return { KeyId: key.arn }
}
