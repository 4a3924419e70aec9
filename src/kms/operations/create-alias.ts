/**
 * CreateAlias (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html):
 * a friendly name for a customer managed key, unique per account and Region. The rules
 * shared with UpdateAlias and DeleteAlias live here too:
 * - the name starts with `alias/` (ValidationException with AWS's text, recorded in the
 *   LocalStack snapshot) and then has at least one of `[a-zA-Z0-9/_-]` (the alias docs; the
 *   model's pattern also lets `:` through, for ARNs);
 * - `alias/aws/` is reserved for AWS managed keys (kms-alias.html). Decided: real KMS refuses it
 *   with `NotAuthorizedException`, an error outside the Smithy model (moto reproduces it from
 *   AWS's answer; the API reference lists only InvalidAliasNameException, for names that break
 *   the pattern, which `alias/aws/x` does not). Checked before the target key, as name checks
 *   need no resource;
 * - TargetKeyId is a key id or key ARN of the caller's account, never an alias;
 * - at most 50 aliases per key (resource-limits.html, LimitExceededException).
 */
import type { Handler, OpContext } from '../context.ts'
import {
  AlreadyExistsException,
  LimitExceededException,
  NotAuthorizedException,
  NotFoundException,
  ValidationException,
} from '../errors.ts'
import { aliasArn, isReservedAliasName } from '../ids.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged, type KmsKey } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'
import type { AliasRecord } from '../store.ts'

/** Aliases per KMS key (resource-limits.html). */
export const MAX_ALIASES_PER_KEY = 50

/** AWS's message for an alias name without the prefix (LocalStack snapshot, `test_create_alias`). */
export const ALIAS_PREFIX_MESSAGE =
  'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html'

/**
 * Checks an AliasName given to CreateAlias, UpdateAlias or DeleteAlias (the model has
 * already checked its length and `^[a-zA-Z0-9:/_-]+$`).
 */
export function assertCustomerAliasName(name: string): void {
  if (!name.startsWith('alias/')) throw new ValidationException(ALIAS_PREFIX_MESSAGE)
  if (name.length === 'alias/'.length)
    throw new ValidationException(`Alias name ${name} is empty after the prefix "alias/".`)
  if (name.includes(':')) throw new ValidationException(`${name} contains invalid characters for an alias`)
  if (isReservedAliasName(name))
    throw new NotAuthorizedException(`${name} is reserved: the alias/aws/ prefix is reserved for AWS managed keys`)
}

/** The stored alias `name` of the caller's account and Region, or AWS's NotFoundException. */
export function existingAlias(ctx: OpContext, name: string): AliasRecord {
  const alias = ctx.state.aliases.get(name)
  if (alias === undefined)
    throw new NotFoundException(`Alias ${aliasArn(ctx.caller.region, ctx.caller.account, name)} is not found.`)
  return alias
}

/** Throws LimitExceededException when `key` already has the maximum number of aliases. */
export function assertAliasQuota(ctx: OpContext, key: KmsKey): void {
  if (ctx.state.aliasesOf(key.keyId).length >= MAX_ALIASES_PER_KEY) {
    throw new LimitExceededException(
      `${key.arn} already has ${MAX_ALIASES_PER_KEY} aliases, the maximum for a KMS key.`,
    )
  }
}

export const createAlias: Handler<'CreateAlias'> = (ctx, input) => {
  const name = input.AliasName
  assertCustomerAliasName(name)
  // Decided (the evidence at hand records neither order): the target key is resolved and the
  // call authorized before the alias namespace is looked at, so an alias name that exists and
  // a TargetKeyId that is an alias answer NotFoundException (TargetKeyId takes "the key ID or
  // key ARN", API_CreateAlias.html), and a caller without kms:CreateAlias cannot probe which
  // aliases exist: KMS authorizes before it reveals resources (AccessDeniedException first,
  // https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
  const { key } = resolveKeyId(ctx, input.TargetKeyId, { member: 'TargetKeyId', crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:CreateAlias', key, requestAlias: name })
  if (ctx.state.aliases.has(name)) {
    // AWS names the alias by ARN here (LocalStack, validated against AWS).
    throw new AlreadyExistsException(
      `An alias with the name ${aliasArn(ctx.caller.region, ctx.caller.account, name)} already exists`,
    )
  }
  assertCustomerManaged(key, ctx.caller.principal, 'kms:CreateAlias')
  assertKeyState(key, 'manage')
  assertAliasQuota(ctx, key)
  ctx.state.aliases.set(name, { aliasName: name, targetKeyId: key.keyId, createdAt: ctx.now, updatedAt: ctx.now })
  return {}
}
