/**
 * ReplicateKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html):
 * creates a replica of a multi-Region primary key in another Region of the same partition:
 * the same key id and key material (shared, so ciphertext from either Region decrypts in the
 * other with no cross-Region call), the same rotation state; its own key policy (default
 * policy unless given), description (default empty) and tags. Cross-account use: no.
 *
 * The response shows the replica in its transient Creating state (Enabled: false), as AWS
 * does (LocalStack's AWS-recorded snapshot); it becomes Enabled after
 * `core.asyncDelays.replicaCreationMs` (0: before the next call). One replica per Region:
 * AlreadyExistsException when the Region already holds the key, even pending deletion.
 * CloudTrail records ReplicateKey in the primary's Region and CreateKey in the replica's.
 */
import { buildAuditEvent } from '../audit.ts'
import type { Caller } from '../caller.ts'
import type { Handler, OpContext } from '../context.ts'
import { AlreadyExistsException, ValidationException } from '../errors.ts'
import { newReplicaRecord } from '../key-factory.ts'
import { keyMetadata } from '../key.ts'
import type { ReplicateKeyResponse } from '../model.generated.ts'
import {
  assertMultiRegionManageable,
  assertRegionFor,
  completeLater,
  endTransientState,
  notPrimaryError,
} from '../multi-region.ts'
import { parseKeyPolicy } from '../policy-document.ts'
import { resolveKeyId } from '../resolve.ts'
import { requestTagConditions, tagsFromInput } from '../tags.ts'
import { assertKeyQuota } from './create-key.ts'

/** Handler of ReplicateKey. */
export const replicateKey: Handler<'ReplicateKey'> = (ctx, input) => {
  const { key: primary } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(primary)
  const region = input.ReplicaRegion
  ctx.core.authorize(ctx, { action: 'kms:ReplicateKey', key: primary, conditions: { 'kms:ReplicaRegion': region } })
  const link = primary.multiRegion
  if (link === undefined || link.primaryRegion !== primary.region) throw notPrimaryError(primary)
  assertMultiRegionManageable(primary)
  assertRegionFor(primary, region, 'ReplicaRegion')
  if (region === primary.region) {
    throw new ValidationException(
      `ReplicaRegion '${region}' is the Region of the primary key ${primary.arn}; a replica must be in another Region.`,
    )
  }
  const replicaState = ctx.core.store.region(primary.account, region)
  const existing = replicaState.keys.get(primary.keyId)
  if (existing !== undefined || link.regions.has(region)) {
    throw new AlreadyExistsException(`A replica of ${primary.arn} already exists in ${region}.`)
  }
  if (input.Policy !== undefined) parseKeyPolicy(input.Policy)
  const tags = tagsFromInput(input.Tags)
  const bypass = input.BypassPolicyLockoutSafetyCheck === true
  // The replica is created by a CreateKey in its own Region, authorized there
  // ("kms:CreateKey in an IAM policy in the replica Region"; Tags need kms:TagResource).
  const replicaCaller: Caller = { ...ctx.caller, region }
  const replicaCtx: OpContext = { ...ctx, caller: replicaCaller, state: replicaState }
  ctx.core.authorize(replicaCtx, {
    action: 'kms:CreateKey',
    conditions: {
      'kms:KeySpec': primary.keySpec,
      'kms:KeyUsage': primary.keyUsage,
      'kms:KeyOrigin': primary.origin,
      'kms:MultiRegion': true,
      'kms:MultiRegionKeyType': 'REPLICA',
      'kms:BypassPolicyLockoutSafetyCheck': bypass,
      ...(tags.size > 0 ? requestTagConditions(tags) : {}),
    },
  })
  if (tags.size > 0)
    ctx.core.authorize(replicaCtx, { action: 'kms:TagResource', conditions: requestTagConditions(tags) })
  if (input.Policy !== undefined && !bypass) ctx.core.assertPolicyKeepsAccess(replicaCtx, input.Policy, undefined)
  assertKeyQuota(replicaState)
  const replica = newReplicaRecord(primary, region, ctx.now, input.Policy, input.Description ?? '', tags)
  replicaState.keys.set(replica.keyId, replica)
  const out: ReplicateKeyResponse = { ReplicaKeyMetadata: keyMetadata(replica), ReplicaPolicy: replica.policy }
  if (input.Tags !== undefined && input.Tags.length > 0)
    out.ReplicaTags = input.Tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }))
  // "This key state changes to Enabled (or PendingImport) after a few seconds": a replica of a
  // key with imported material is created without material (API_ReplicateKey.html).
  const settled = primary.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled'
  completeLater(ctx.core, ctx.now, ctx.core.asyncDelays.replicaCreationMs, () =>
    endTransientState(replica, 'Creating', settled),
  )
  if (ctx.core.audit.enabled) {
    const createInput = {
      Description: replica.description,
      KeyUsage: replica.keyUsage,
      KeySpec: replica.keySpec,
      Origin: replica.origin,
      MultiRegion: true,
      ...(input.Tags !== undefined ? { Tags: input.Tags } : {}),
    }
    ctx.core.audit.record(
      buildAuditEvent({
        op: 'CreateKey',
        input: createInput,
        caller: replicaCaller,
        now: ctx.now,
        draft: { resources: [replica] },
      }),
    )
  }
  return out
}
