/**
 * ListKeyRotations (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html):
 * the completed rotations of a key, AUTOMATIC and ON_DEMAND, oldest first, in pages of
 * Limit entries (1–1000, checked by the model; default 100) with Marker/NextMarker/Truncated.
 * Works in every key state. Symmetric encryption keys only. Replicas list the rotations of
 * their multi-Region key (shared). Cross-account use: no.
 *
 * Each entry names its key material (installed SDK's RotationsListEntry): KeyMaterialId,
 * KeyMaterialState (CURRENT, NON_CURRENT, PENDING_ROTATION) and, for imported material,
 * ImportState, ExpirationModel, ValidTo and KeyMaterialDescription. IncludeKeyMaterial
 * ALL_KEY_MATERIAL adds the first key material and an imported material pending rotation,
 * which have no RotationDate or RotationType ("This field is not present for the first key
 * material or an imported key material in PENDING_ROTATION state"); the default
 * ROTATIONS_ONLY lists rotations only.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import type { KmsKey } from '../key.ts'
import type { ListKeyRotationsResponse, RotationsListEntry } from '../model.generated.ts'
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
  const current = key.material.versions[key.material.current]?.id
  const entries: { entry: RotationsListEntry; position: string }[] = []
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL'
  const first = key.material.versions[0]
  if (all && first !== undefined) entries.push({ entry: materialEntry(key, first.id, current), position: 'a' })
  key.rotation.history.forEach((record, i) => {
    entries.push({
      entry: {
        ...materialEntry(key, record.materialId, current),
        RotationDate: new Date(record.at),
        RotationType: record.type,
      },
      position: `b${String(i).padStart(8, '0')}`,
    })
  })
  const pending = key.imported?.pendingRotation
  if (all && pending !== undefined)
    entries.push({
      entry: { ...materialEntry(key, pending.id, current), KeyMaterialState: 'PENDING_ROTATION' },
      position: 'c',
    })
  const page = paginate(entries, input, {
    scope: `ListKeyRotations:${key.keyId}`,
    defaultLimit: 100,
    maxLimit: 1000,
    sortKey: (e) => e.position,
  })
  const out: ListKeyRotationsResponse = { Rotations: page.items.map((e) => e.entry), ...pageMembers(page) }
  return out
}

/** The members of an entry that describe its key material (the rotation's own fields aside). */
function materialEntry(key: KmsKey, materialId: string, current: string | undefined): RotationsListEntry {
  const e: RotationsListEntry = {
    KeyId: key.keyId,
    KeyMaterialId: materialId,
    KeyMaterialState: materialId === current ? 'CURRENT' : 'NON_CURRENT',
  }
  const imported = key.imported?.materials.get(materialId)
  if (key.imported !== undefined) {
    e.ImportState = imported?.present === true ? 'IMPORTED' : 'PENDING_IMPORT'
    if (imported?.present === true) {
      e.ExpirationModel = imported.expirationModel
      if (imported.validTo !== undefined) e.ValidTo = new Date(imported.validTo)
    }
    if (imported?.description !== undefined) e.KeyMaterialDescription = imported.description
  }
  return e
}
