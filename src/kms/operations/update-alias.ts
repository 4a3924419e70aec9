/**
 * UpdateAlias (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html):
 * points an existing alias at another customer managed key of the same account and Region.
 * The new key must be of the same type (symmetric, asymmetric or HMAC) and have the same key
 * usage as the current one, so code using the alias keeps working; it must not be pending
 * deletion (the current key may be: key-state.html, detail [10]). The alias name cannot
 * change. Both keys are authorized (kms:UpdateAlias on the current and the new key).
 */
import type { Handler } from '../context.ts'
import { NotFoundException, ValidationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged, type KmsKey } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertAliasQuota, assertCustomerAliasName, existingAlias } from './create-alias.ts'

/** The key types UpdateAlias distinguishes. */
function keyType(key: KmsKey): 'symmetric' | 'HMAC' | 'asymmetric' {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') return 'symmetric'
  return key.keySpec.startsWith('HMAC_') ? 'HMAC' : 'asymmetric'
}

export const updateAlias: Handler<'UpdateAlias'> = (ctx, input) => {
  const name = input.AliasName
  assertCustomerAliasName(name)
  const alias = existingAlias(ctx, name)
  const current = ctx.state.keys.get(alias.targetKeyId)
  if (current === undefined) throw new NotFoundException(`Key '${alias.targetKeyId}' does not exist`)
  const { key: target } = resolveKeyId(ctx, input.TargetKeyId, { member: 'TargetKeyId', crossAccount: false })
  ctx.audit.resources.push(current)
  if (target !== current) ctx.audit.resources.push(target)
  ctx.core.authorize(ctx, { action: 'kms:UpdateAlias', key: current, requestAlias: name })
  if (target !== current) ctx.core.authorize(ctx, { action: 'kms:UpdateAlias', key: target, requestAlias: name })
  assertCustomerManaged(target, ctx.caller.principal, 'kms:UpdateAlias')
  assertKeyState(target, 'manage')
  if (keyType(target) !== keyType(current) || target.keyUsage !== current.keyUsage) {
    throw new ValidationException(
      `${name} points to a ${keyType(current)} key with key usage ${current.keyUsage}; it cannot be updated to ${target.arn}, ` +
        `a ${keyType(target)} key with key usage ${target.keyUsage}. Use DeleteAlias and CreateAlias instead.`,
    )
  }
  if (target !== current) assertAliasQuota(ctx, target)
  alias.targetKeyId = target.keyId
  alias.updatedAt = ctx.now
  return {}
}
