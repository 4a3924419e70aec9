/**
 * ListKeyRotations (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html):
 * the completed rotations of a key, AUTOMATIC and ON_DEMAND, oldest first, in pages of
 * Limit entries (1–1000, checked by the model; default 100) with Marker/NextMarker/Truncated.
 * Works in every key state. Symmetric encryption keys only. Replicas list the rotations of
 * their multi-Region key (shared). Cross-account use: no.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import type { ListKeyRotationsResponse } from '../model.generated.ts'
import { pageMembers, paginate } from '../pagination.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of ListKeyRotations. */
export const listKeyRotations: Handler<'ListKeyRotations'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:ListKeyRotations', key })
  assertKeyState(key, 'any')
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.customKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(
      `${key.arn} key spec is ${key.keySpec}; key rotation applies to symmetric encryption keys outside custom key stores only.`,
    )
  }
  // History is append-only, so the position (zero-padded to sort as text) is a stable sort key.
  const entries = key.rotation.history.map((record, i) => ({ record, position: String(i).padStart(8, '0') }))
  const page = paginate(entries, input, {
    scope: `ListKeyRotations:${key.keyId}`,
    defaultLimit: 100,
    maxLimit: 1000,
    sortKey: (e) => e.position,
  })
  const out: ListKeyRotationsResponse = {
    Rotations: page.items.map(({ record }) => ({
      KeyId: key.keyId,
      RotationDate: new Date(record.at),
      RotationType: record.type,
    })),
    ...pageMembers(page),
  }
  return out
}
