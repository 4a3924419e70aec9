/**
 * RetireGrant (https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html):
 * deletes a grant named by its grant token, or by key id/ARN and grant id. The grant decides
 * who may retire it (grant-delete.html): its retiring principal, its grantee when the grant
 * allows RetireGrant, or the account that created it (which can delegate that with
 * `kms:RetireGrant` in IAM). Works in every key state and across accounts.
 */
import { RETIRE_GRANT_ID_CONDITION } from '../access/authorizer.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { ValidationException } from '../errors.ts'
import { grantNotFound, parseGrantToken } from '../grants.ts'
import { keyArn } from '../ids.ts'
import { assertKeyState } from '../key-state.ts'
import type { KmsKey } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** The RetireGrant handler. */
export const retireGrant: Handler<'RetireGrant'> = (ctx, input) => {
  let key: KmsKey
  let grantId: string
  if (input.GrantToken !== undefined) {
    const ref = parseGrantToken(input.GrantToken)
    grantId = ref.grantId
    key = resolveKeyId(ctx, keyArn(ref.region, ref.account, ref.keyId)).key
    if (input.KeyId !== undefined && resolveKeyId(ctx, input.KeyId).key !== key) {
      throw new ValidationException('The KeyId does not identify the key of the grant that GrantToken names.')
    }
    if (input.GrantId !== undefined && input.GrantId !== grantId)
      throw new ValidationException('The GrantId does not identify the grant that GrantToken names.')
  } else {
    if (input.KeyId === undefined || input.GrantId === undefined) {
      throw new ValidationException(
        'Specify a GrantToken, or both a KeyId and a GrantId, to identify the grant to retire.',
      )
    }
    key = resolveKeyId(ctx, input.KeyId).key
    grantId = input.GrantId
  }
  ctx.audit.resources.push(key)
  const grants = ctx.core.store.region(key.account, key.region).grants
  if (grants.get(key.keyId, grantId) === undefined) throw grantNotFound(grantId)
  ctx.core.authorize(ctx, { action: 'kms:RetireGrant', key, conditions: { [RETIRE_GRANT_ID_CONDITION]: grantId } })
  assertKeyState(key, 'any')
  endDryRun(input)
  grants.delete(key.keyId, grantId)
  return {}
}
