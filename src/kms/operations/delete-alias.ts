/**
 * DeleteAlias (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html):
 * removes an alias of the caller's account and Region; the key is not affected. Works
 * whatever the key's state. AWS managed aliases (`alias/aws/...`) cannot be deleted.
 * Authorized on the key the alias points to.
 */
import type { Handler } from '../context.ts'
import { assertCustomerAliasName, existingAlias } from './create-alias.ts'

export const deleteAlias: Handler<'DeleteAlias'> = (ctx, input) => {
  const name = input.AliasName
  assertCustomerAliasName(name)
  const alias = existingAlias(ctx, name)
  const key = ctx.state.keys.get(alias.targetKeyId)
  if (key !== undefined) {
    ctx.audit.resources.push(key)
    ctx.core.authorize(ctx, { action: 'kms:DeleteAlias', key, requestAlias: name })
  }
  ctx.state.aliases.delete(name)
  return {}
}
