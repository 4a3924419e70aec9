/**
 * Resolving a `KeyId` parameter: a key id or key ARN everywhere; an alias name or alias ARN
 * only where the operation's documentation says so (`alias-rules.ts`: DescribeKey, Encrypt,
 * GetPublicKey, Sign, ... yes; PutKeyPolicy, EnableKey, TagResource, ... no;
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id). Another
 * account's key can only be named by key ARN or alias ARN. Messages are AWS's (LocalStack's
 * AWS-recorded snapshot, kms-facts.md §6.5).
 */
import { acceptsAlias } from './alias-rules.ts'
import type { OpContext } from './context.ts'
import { NotFoundException } from './errors.ts'
import { aliasArn, keyArn, parseKmsArn } from './ids.ts'
import { noResourcePolicyAllows, type KmsKey } from './key.ts'
import type { RegionState } from './store.ts'

/** How a KeyId was given, for `kms:RequestAlias` and cross-account rules. */
export interface ResolvedKey {
  readonly key: KmsKey
  /** The alias name used, when the KeyId named an alias. */
  readonly alias: string | undefined
  /** Whether the KeyId was an ARN (key or alias). */
  readonly byArn: boolean
}

/** Options for {@link resolveKeyId}. */
export interface ResolveOptions {
  /**
   * The input member that holds the KeyId; whether it accepts aliases is the operation's
   * documented rule ({@link acceptsAlias}).
   * @default 'KeyId'
   */
  member?: 'KeyId' | 'TargetKeyId' | 'SourceKeyId' | 'DestinationKeyId'
  /**
   * Whether a key of another account may be named (by key ARN or alias ARN). Operations
   * whose API reference says "Cross-account use: No" pass false: naming another account's
   * key then fails with AccessDeniedException, as cross-account permissions have no effect
   * for them (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
   * @default true
   */
  crossAccount?: boolean
}

/**
 * Finds the key a KeyId names, from the caller's Region. Throws NotFoundException with
 * AWS's message when there is none. Does not check key state or access.
 */
export function resolveKeyId(ctx: OpContext, keyIdParam: string, options: ResolveOptions = {}): ResolvedKey {
  const resolved = resolveAnyAccount(ctx, keyIdParam, options.member ?? 'KeyId')
  if (options.crossAccount === false && resolved.key.account !== ctx.caller.account) {
    throw noResourcePolicyAllows(ctx.caller.principal, `kms:${ctx.op}`, resolved.key.arn)
  }
  return resolved
}

/** `member` decides whether an alias may be named: looked up only when the KeyId names one (not on the key-id hot path). */
function resolveAnyAccount(ctx: OpContext, keyIdParam: string, member: string): ResolvedKey {
  const region = ctx.caller.region
  if (keyIdParam.startsWith('arn:')) {
    const arn = parseKmsArn(keyIdParam)
    if (arn === undefined) throw new NotFoundException(`Invalid arn ${keyIdParam}`)
    if (arn.region !== region) throw new NotFoundException(`Invalid arn ${arn.region}`)
    const state = ctx.core.store.peekRegion(arn.account, region)
    if (arn.resourceType === 'alias') {
      if (!acceptsAlias(ctx.op, member)) throw new NotFoundException(`Invalid keyId '${keyIdParam}'`)
      const key = aliasTarget(ctx, state, arn.account, arn.resource)
      return { key, alias: arn.resource, byArn: true }
    }
    const key = state?.keys.get(arn.resource)
    if (key === undefined) throw new NotFoundException(`Key '${keyIdParam}' does not exist`)
    return { key, alias: undefined, byArn: true }
  }
  if (keyIdParam.startsWith('alias/')) {
    if (!acceptsAlias(ctx.op, member)) throw new NotFoundException(`Invalid keyId '${keyIdParam}'`)
    const key = aliasTarget(ctx, ctx.state, ctx.caller.account, keyIdParam)
    return { key, alias: keyIdParam, byArn: false }
  }
  if (!ctx.core.keyIds.isKeyId(keyIdParam)) throw new NotFoundException(`Invalid keyId '${keyIdParam}'`)
  const key = ctx.state.keys.get(keyIdParam)
  if (key === undefined)
    throw new NotFoundException(`Key '${keyArn(region, ctx.caller.account, keyIdParam)}' does not exist`)
  return { key, alias: undefined, byArn: false }
}

function aliasTarget(ctx: OpContext, state: RegionState | undefined, account: string, aliasName: string): KmsKey {
  const notFound = (): NotFoundException =>
    new NotFoundException(`Alias ${aliasArn(ctx.caller.region, account, aliasName)} is not found.`)
  const st = state ?? (account === ctx.caller.account ? ctx.state : undefined)
  let alias = st?.aliases.get(aliasName)
  if (alias === undefined && aliasName.startsWith('alias/aws/') && account === ctx.caller.account) {
    // AWS managed keys are created the first time their alias is used.
    ctx.core.ensureAwsManagedKey(ctx.caller.account, ctx.caller.region, aliasName)
    alias = ctx.state.aliases.get(aliasName)
  }
  if (alias === undefined || st === undefined) throw notFound()
  const key = st.keys.get(alias.targetKeyId)
  if (key === undefined) throw notFound()
  return key
}
