/**
 * ListAliases (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html):
 * the aliases of the caller's account and Region, ordered by name, or only those of one key
 * (KeyId). Limit 1-100 (default 50; a larger Limit returns at most 100).
 *
 * Like real KMS, the full list also shows the predefined aliases of AWS managed keys that
 * AWS has created but not yet associated with a key: name and ARN, without TargetKeyId
 * ("The response might also include aliases that have no TargetKeyId field"). Once the AWS
 * managed key exists (created on first use of its alias), its alias shows its key.
 */
import type { Handler } from '../context.ts'
import { aliasArn } from '../ids.ts'
import type { KmsKey } from '../key.ts'
import type { AliasListEntry } from '../model.generated.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { resolveKeyId } from '../resolve.ts'

/**
 * The predefined AWS managed aliases a new account lists (observed in real accounts; the
 * same set moto serves).
 */
export const PREDEFINED_AWS_ALIASES: readonly string[] = [
  'alias/aws/acm',
  'alias/aws/dynamodb',
  'alias/aws/ebs',
  'alias/aws/elasticfilesystem',
  'alias/aws/es',
  'alias/aws/glue',
  'alias/aws/kinesisvideo',
  'alias/aws/lambda',
  'alias/aws/rds',
  'alias/aws/redshift',
  'alias/aws/s3',
  'alias/aws/secretsmanager',
  'alias/aws/ssm',
  'alias/aws/xray',
]

export const listAliases: Handler<'ListAliases'> = (ctx, input) => {
  let filter: KmsKey | undefined
  if (input.KeyId !== undefined) {
    filter = resolveKeyId(ctx, input.KeyId, { crossAccount: false }).key
    ctx.audit.resources.push(filter)
  }
  ctx.core.authorize(ctx, { action: 'kms:ListAliases' })
  const { account, region } = ctx.caller
  const entries: AliasListEntry[] = []
  for (const a of ctx.state.aliases.values()) {
    if (filter !== undefined && a.targetKeyId !== filter.keyId) continue
    entries.push({
      AliasName: a.aliasName,
      AliasArn: aliasArn(region, account, a.aliasName),
      TargetKeyId: a.targetKeyId,
      CreationDate: new Date(a.createdAt),
      LastUpdatedDate: new Date(a.updatedAt),
    })
  }
  if (filter === undefined) {
    for (const name of PREDEFINED_AWS_ALIASES) {
      if (!ctx.state.aliases.has(name)) entries.push({ AliasName: name, AliasArn: aliasArn(region, account, name) })
    }
  }
  const page = paginate(entries, input, {
    scope: `ListAliases:${account}:${region}:${filter?.keyId ?? '*'}`,
    defaultLimit: 50,
    maxLimit: 100,
    sortKey: (e) => e.AliasName ?? '',
  })
  return { Aliases: page.items, ...pageMembers(page) }
}
