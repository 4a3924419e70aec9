/**
 * RevokeGrant (https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html):
 * deletes a grant of a key (key id or key ARN; another account's key by ARN). Authorized by
 * the key policy and IAM (`kms:RevokeGrant`, typically key administrators), unlike
 * RetireGrant. Works in every key state.
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { grantNotFound } from '../grants.ts'
import { assertKeyState } from '../key-state.ts'
import { resolveKeyId } from '../resolve.ts'

/** The RevokeGrant handler. */
export const revokeGrant: Handler<'RevokeGrant'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:RevokeGrant', key })
  assertKeyState(key, 'any')
  const grants = ctx.core.store.region(key.account, key.region).grants
  if (grants.get(key.keyId, input.GrantId) === undefined) throw grantNotFound(input.GrantId)
  endDryRun(input)
  grants.delete(key.keyId, input.GrantId)
  return {}
}
