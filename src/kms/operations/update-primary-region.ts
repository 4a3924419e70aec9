/**
 * UpdatePrimaryRegion (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdatePrimaryRegion.html):
 * makes the replica in PrimaryRegion the primary of its multi-Region key and the former
 * primary a replica. The key must be named in the current primary's Region (key id or key
 * ARN); PrimaryRegion must already hold a replica. Shared properties (material, automatic
 * rotation) now follow the new primary. Both keys are transiently Updating (crypto still
 * works) for `core.asyncDelays.primaryRegionUpdateMs` (0: the update completes at once), then
 * get their former states back. No output. Cross-account use: no.
 */
import type { Caller } from '../caller.ts'
import type { Handler, OpContext } from '../context.ts'
import { NotFoundException, UnsupportedOperationException, ValidationException } from '../errors.ts'
import { keyArn } from '../ids.ts'
import {
  assertMultiRegionManageable,
  assertRegionFor,
  completeLater,
  endTransientState,
  notPrimaryError,
} from '../multi-region.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of UpdatePrimaryRegion. */
export const updatePrimaryRegion: Handler<'UpdatePrimaryRegion'> = (ctx, input) => {
  const { key: primary } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(primary)
  const region = input.PrimaryRegion
  ctx.core.authorize(ctx, {
    action: 'kms:UpdatePrimaryRegion',
    key: primary,
    conditions: { 'kms:PrimaryRegion': region },
  })
  const link = primary.multiRegion
  if (link === undefined) throw new UnsupportedOperationException(`${primary.arn} is not a multi-region key.`)
  if (link.primaryRegion !== primary.region) throw notPrimaryError(primary)
  assertMultiRegionManageable(primary)
  assertRegionFor(primary, region, 'PrimaryRegion')
  if (region === primary.region)
    throw new ValidationException(`PrimaryRegion '${region}' is already the primary Region of ${primary.arn}.`)
  const replicaCaller: Caller = { ...ctx.caller, region }
  const replicaState = ctx.core.store.peekRegion(primary.account, region)
  const replica = replicaState?.keys.get(primary.keyId)
  if (replicaState === undefined || replica === undefined) {
    throw new NotFoundException(`Key '${keyArn(region, primary.account, primary.keyId)}' does not exist`)
  }
  ctx.audit.resources.push(replica)
  // "kms:UpdatePrimaryRegion on the current replica key (in the replica key's Region)".
  const replicaCtx: OpContext = { ...ctx, caller: replicaCaller, state: replicaState }
  ctx.core.authorize(replicaCtx, {
    action: 'kms:UpdatePrimaryRegion',
    key: replica,
    conditions: { 'kms:PrimaryRegion': region },
  })
  assertMultiRegionManageable(replica)
  link.primaryRegion = region
  const formerPrimaryState = primary.state
  const newPrimaryState = replica.state
  primary.state = 'Updating'
  replica.state = 'Updating'
  completeLater(ctx.core, ctx.now, ctx.core.asyncDelays.primaryRegionUpdateMs, () => {
    endTransientState(primary, 'Updating', formerPrimaryState)
    endTransientState(replica, 'Updating', newPrimaryState)
  })
  return {}
}
