/**
 * ImportKeyMaterial (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html):
 * unwraps the material with the wrapping key of the token's GetParametersForImport
 * (`import-material.ts`), checks it fits the key spec, and installs it. Symmetric, HMAC and
 * asymmetric keys. ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo in
 * the next 365 days ("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
 * LocalStack's AWS snapshot); the material is deleted at ValidTo in clock time and the key
 * returns to PendingImport.
 *
 * ImportType (installed SDK 3.1164.0; not in the shared model): NEW_KEY_MATERIAL is the default
 * for a key that never had material, EXISTING_KEY_MATERIAL afterwards (re-import of the same
 * material only: IncorrectKeyMaterialException otherwise). NEW_KEY_MATERIAL into a symmetric key
 * that already has material stores it "pending rotation" until RotateKeyOnDemand; a second one
 * is refused with AWS's KMSInvalidStateException text (snapshot
 * test_import_key_material_raises_if_there_is_already_key_material_pending). Only symmetric keys
 * take several materials.
 */
import type { Handler } from '../context.ts'
import {
  IncorrectKeyMaterialException,
  KMSInvalidStateException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors.ts'
import {
  importStateOf,
  MAX_VALID_TO_MS,
  materialVersion,
  parametersOfToken,
  scheduleExpiry,
  unwrapMaterial,
} from '../import-material.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged, type ImportState, type KeyMaterialVersion, type KmsKey } from '../key.ts'
import type { ImportKeyMaterialRequest } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'
import { at } from '../../util/index.ts'

/** ExpirationModel and ValidTo of a request, checked (ValidationException with AWS's text where recorded). */
function expiration(
  input: ImportKeyMaterialRequest,
  now: number,
): { model: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'; validTo: number | undefined } {
  const model = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES'
  const validTo = input.ValidTo?.getTime()
  if (model === 'KEY_MATERIAL_EXPIRES') {
    if (validTo === undefined)
      throw new ValidationException('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES')
    if (validTo <= now) throw new ValidationException('The validTo date must be in the future.')
    if (validTo - now > MAX_VALID_TO_MS)
      throw new ValidationException('The validTo date must be no more than 365 days from the current date.')
  } else if (validTo !== undefined)
    throw new ValidationException(
      'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
    )
  return { model, validTo }
}

/** Where an unwrapped material goes: a known slot (re-import), the current slot of a fresh key, or pending rotation. */
function place(
  key: KmsKey,
  state: ImportState,
  fresh: KeyMaterialVersion,
  input: ImportKeyMaterialRequest,
): 'existing' | 'first' | 'pending' {
  const everImported = state.materials.size > 0
  const type = input.ImportType ?? (everImported ? 'EXISTING_KEY_MATERIAL' : 'NEW_KEY_MATERIAL')
  const symmetric = key.keySpec === 'SYMMETRIC_DEFAULT'
  if (
    !symmetric &&
    (input.ImportType !== undefined || input.KeyMaterialId !== undefined || input.KeyMaterialDescription !== undefined)
  )
    throw new ValidationException(
      'ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric encryption keys.',
    )
  if (type === 'NEW_KEY_MATERIAL') {
    if (input.KeyMaterialId !== undefined)
      throw new ValidationException('You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.')
    if (!everImported) return 'first'
    if (!symmetric)
      throw new IncorrectKeyMaterialException(
        `${key.arn} already has key material; only symmetric encryption keys take new key material.`,
      )
    if (state.materials.has(fresh.id))
      throw new IncorrectKeyMaterialException(
        `This key material (id: ${fresh.id}) was already imported into ${key.arn}; use ImportType EXISTING_KEY_MATERIAL.`,
      )
    const pending = state.pendingRotation
    if (pending !== undefined)
      throw new KMSInvalidStateException(
        `New key material (id: ${fresh.id}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.id}) is pending rotation.`,
      )
    return 'pending'
  }
  if (!everImported)
    throw new IncorrectKeyMaterialException(
      `${key.arn} has no key material yet: import it with ImportType NEW_KEY_MATERIAL.`,
    )
  if ((input.KeyMaterialId !== undefined && input.KeyMaterialId !== fresh.id) || !state.materials.has(fresh.id))
    throw new IncorrectKeyMaterialException(
      `The key material is not the same key material that was previously imported into ${key.arn}.`,
    )
  return 'existing'
}

/** Handler of ImportKeyMaterial. */
export const importKeyMaterial: Handler<'ImportKeyMaterial'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:ImportKeyMaterial',
    key,
    conditions: {
      'kms:ExpirationModel': input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES',
      ...(input.ValidTo !== undefined ? { 'kms:ValidTo': String(input.ValidTo.getTime() / 1000) } : {}),
    },
  })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:ImportKeyMaterial')
  const state = importStateOf(key)
  if (key.customKeyStoreId !== undefined)
    throw new UnsupportedOperationException(`${key.arn} is in a custom key store.`)
  assertKeyState(key, 'import')
  const { model, validTo } = expiration(input, ctx.now)
  const params = parametersOfToken(key, state, input.ImportToken, ctx.now)
  const plain = unwrapMaterial(params, input.EncryptedKeyMaterial)
  const fresh = materialVersion(key, plain, key.material.versions.length, ctx.now)
  plain.fill(0)
  const where = place(key, state, fresh, input)
  const versions = key.material.versions
  if (where === 'existing') {
    const i = versions.findIndex((v) => v.id === fresh.id)
    const old = at(versions, i)
    versions[i] = { ...fresh, version: old.version, createdAt: old.createdAt }
  } else if (where === 'first') {
    versions.push(fresh)
    key.material.current = fresh.version
  } else {
    versions.push(fresh)
    state.pendingRotation = versions[versions.length - 1]
  }
  const previous = state.materials.get(fresh.id)
  state.materials.set(fresh.id, {
    id: fresh.id,
    expirationModel: model,
    validTo,
    description: input.KeyMaterialDescription ?? previous?.description,
    present: true,
  })
  if (validTo !== undefined) scheduleExpiry(ctx.core, key, fresh.id, validTo)
  // The key leaves PendingImport once its current material is back (Enabled, importing-keys.html).
  if (key.state === 'PendingImport' && versions[key.material.current]?.id === fresh.id) key.state = 'Enabled'
  ctx.audit.responseElements = { keyId: key.arn, keyMaterialId: fresh.id }
  return { KeyId: key.arn, KeyMaterialId: fresh.id }
}
