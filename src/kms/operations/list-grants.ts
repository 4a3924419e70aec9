/**
 * ListGrants (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html): the
 * grants of one key (key id or key ARN; another account's key by ARN), optionally only the
 * grant with GrantId or those of one GranteePrincipal, oldest first, in pages of Limit
 * (1-100, default 50). Grant tokens are never listed. Works in every key state.
 */
import type { Handler } from '../context.ts'
import { grantListEntry, grantNotFound, isGrantId, type Grant } from '../grants.ts'
import { assertKeyState } from '../key-state.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { resolveKeyId } from '../resolve.ts'

/** The paging sort key of a grant: creation time, then id (so pages list grants oldest first). */
export function grantSortKey(g: Grant): string {
  return `${String(g.createdAt).padStart(16, '0')}:${g.keyId}:${g.grantId}`
}

/** The ListGrants handler. */
export const listGrants: Handler<'ListGrants'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:ListGrants', key })
  assertKeyState(key, 'any')
  if (input.GrantId !== undefined && !isGrantId(input.GrantId)) throw grantNotFound(input.GrantId)
  const grants = ctx.core.store.peekRegion(key.account, key.region)?.grants
  const matching: Grant[] = []
  for (const g of grants?.forKey(key.keyId) ?? []) {
    if (input.GrantId !== undefined && g.grantId !== input.GrantId) continue
    if (input.GranteePrincipal !== undefined && g.granteePrincipal !== input.GranteePrincipal) continue
    matching.push(g)
  }
  const page = paginate(matching, input, {
    scope: `ListGrants:${key.arn}:${input.GrantId ?? ''}:${input.GranteePrincipal ?? ''}`,
    defaultLimit: 50,
    maxLimit: 100,
    sortKey: grantSortKey,
  })
  return { Grants: page.items.map(grantListEntry), ...pageMembers(page) }
}
