/**
 * DeleteImportedKeyMaterial (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html):
 * deletes imported key material at once (the current one, or KeyMaterialId's — installed SDK
 * 3.1164.0). A key whose current material is deleted returns to PendingImport and Enabled false
 * (LocalStack's AWS snapshot, describe-key-after-deleted-import); only the same material can be
 * re-imported. Origin EXTERNAL only; key ID or key ARN; not cross-account.
 */
import type { Handler } from '../context.ts'
import { NotFoundException } from '../errors.ts'
import { deleteMaterial, importStateOf } from '../import-material.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of DeleteImportedKeyMaterial. */
export const deleteImportedKeyMaterial: Handler<'DeleteImportedKeyMaterial'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:DeleteImportedKeyMaterial', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:DeleteImportedKeyMaterial')
  const state = importStateOf(key)
  assertKeyState(key, 'import')
  const id = input.KeyMaterialId ?? key.material.versions[key.material.current]?.id
  if (id === undefined || !state.materials.has(id))
    throw new NotFoundException(
      input.KeyMaterialId === undefined
        ? `${key.arn} has no imported key material.`
        : `Key material ${input.KeyMaterialId} is not associated with ${key.arn}.`,
    )
  deleteMaterial(key, id)
  return { KeyId: key.arn, KeyMaterialId: id }
}
