/**
 * ListRetirableGrants (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html):
 * every grant in the caller's Region, on keys of any account, whose retiring principal is
 * RetiringPrincipal, in pages of Limit (1-100, default 50). Authorized by the caller's IAM
 * policy alone (`kms:ListRetirableGrants`), with the retiring principal as the resource;
 * the principal must belong to the caller's account.
 */
import { parseGrantPrincipal } from '../access/principals.ts'
import type { Handler } from '../context.ts'
import { AccessDeniedException, InvalidArnException } from '../errors.ts'
import { grantListEntry, type Grant } from '../grants.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { grantSortKey } from './list-grants.ts'

/** The ListRetirableGrants handler. */
export const listRetirableGrants: Handler<'ListRetirableGrants'> = (ctx, input) => {
  const retiring = input.RetiringPrincipal
  const parsed = parseGrantPrincipal(retiring)
  if (parsed === undefined)
    throw new InvalidArnException(`RetiringPrincipal '${retiring}' is not a valid principal ARN.`)
  ctx.core.authorize(ctx, { action: 'kms:ListRetirableGrants', conditions: { 'kms:RetiringPrincipal': retiring } })
  if ((parsed.kind === 'account' || parsed.kind === 'arn') && parsed.account !== ctx.caller.account) {
    // "You must specify a principal in your AWS account" (API reference).
    throw new AccessDeniedException(
      `User: ${ctx.caller.principal} is not authorized to perform: kms:ListRetirableGrants on resource: ${retiring} because the retiring principal is not in account ${ctx.caller.account}`,
    )
  }
  const matching: Grant[] = []
  for (const state of ctx.core.store.regions()) {
    if (state.region !== ctx.caller.region) continue
    for (const g of state.grants.all()) {
      // Grants of keys deleted since are gone with their key.
      if (g.retiringPrincipal === retiring && state.keys.has(g.keyId)) matching.push(g)
    }
  }
  const page = paginate(matching, input, {
    scope: `ListRetirableGrants:${ctx.caller.region}:${retiring}`,
    defaultLimit: 50,
    maxLimit: 100,
    sortKey: grantSortKey,
  })
  return { Grants: page.items.map(grantListEntry), ...pageMembers(page) }
}
