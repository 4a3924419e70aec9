/**
 * The explicit table of implemented KMS operations: one handler per file, same order of
 * steps in each (validate → resolve key → authorize → check state → act → output).
 * Operations of the model missing here answer UnsupportedOperationException.
 */
import type { OperationTable } from '../context.ts'
import { cancelKeyDeletion } from './cancel-key-deletion.ts'
import { connectCustomKeyStore } from './connect-custom-key-store.ts'
import { createCustomKeyStore } from './create-custom-key-store.ts'
import { deleteCustomKeyStore } from './delete-custom-key-store.ts'
import { describeCustomKeyStores } from './describe-custom-key-stores.ts'
import { disconnectCustomKeyStore } from './disconnect-custom-key-store.ts'
import { updateCustomKeyStore } from './update-custom-key-store.ts'
import { createAlias } from './create-alias.ts'
import { createGrant } from './create-grant.ts'
import { createKey } from './create-key.ts'
import { decapsulate } from './decapsulate.ts'
import { decrypt } from './decrypt.ts'
import { deleteAlias } from './delete-alias.ts'
import { deleteImportedKeyMaterial } from './delete-imported-key-material.ts'
import { deriveSharedSecret } from './derive-shared-secret.ts'
import { describeKey } from './describe-key.ts'
import { disableKeyRotation } from './disable-key-rotation.ts'
import { disableKey } from './disable-key.ts'
import { enableKeyRotation } from './enable-key-rotation.ts'
import { enableKey } from './enable-key.ts'
import { encapsulate } from './encapsulate.ts'
import { encrypt } from './encrypt.ts'
import { generateDataKeyPairWithoutPlaintext } from './generate-data-key-pair-without-plaintext.ts'
import { generateDataKeyPair } from './generate-data-key-pair.ts'
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext.ts'
import { generateDataKey } from './generate-data-key.ts'
import { generateMac } from './generate-mac.ts'
import { generateRandom } from './generate-random.ts'
import { getKeyLastUsage } from './get-key-last-usage.ts'
import { getKeyPolicy } from './get-key-policy.ts'
import { getKeyRotationStatus } from './get-key-rotation-status.ts'
import { getParametersForImport } from './get-parameters-for-import.ts'
import { getPublicKey } from './get-public-key.ts'
import { importKeyMaterial } from './import-key-material.ts'
import { listAliases } from './list-aliases.ts'
import { listGrants } from './list-grants.ts'
import { listKeyPolicies } from './list-key-policies.ts'
import { listKeyRotations } from './list-key-rotations.ts'
import { listKeys } from './list-keys.ts'
import { listResourceTags } from './list-resource-tags.ts'
import { listRetirableGrants } from './list-retirable-grants.ts'
import { putKeyPolicy } from './put-key-policy.ts'
import { reEncrypt } from './re-encrypt.ts'
import { replicateKey } from './replicate-key.ts'
import { retireGrant } from './retire-grant.ts'
import { revokeGrant } from './revoke-grant.ts'
import { rotateKeyOnDemand } from './rotate-key-on-demand.ts'
import { scheduleKeyDeletion } from './schedule-key-deletion.ts'
import { sign } from './sign.ts'
import { tagResource } from './tag-resource.ts'
import { untagResource } from './untag-resource.ts'
import { updateAlias } from './update-alias.ts'
import { updateKeyDescription } from './update-key-description.ts'
import { updatePrimaryRegion } from './update-primary-region.ts'
import { verifyMac } from './verify-mac.ts'
import { verify } from './verify.ts'

export const OPERATION_TABLE: OperationTable = {
  CancelKeyDeletion: cancelKeyDeletion,
  ConnectCustomKeyStore: connectCustomKeyStore,
  CreateCustomKeyStore: createCustomKeyStore,
  DeleteCustomKeyStore: deleteCustomKeyStore,
  DescribeCustomKeyStores: describeCustomKeyStores,
  DisconnectCustomKeyStore: disconnectCustomKeyStore,
  UpdateCustomKeyStore: updateCustomKeyStore,
  CreateAlias: createAlias,
  CreateGrant: createGrant,
  CreateKey: createKey,
  Decapsulate: decapsulate,
  Decrypt: decrypt,
  DeleteAlias: deleteAlias,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  DeriveSharedSecret: deriveSharedSecret,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: disableKeyRotation,
  EnableKey: enableKey,
  EnableKeyRotation: enableKeyRotation,
  Encapsulate: encapsulate,
  Encrypt: encrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateMac: generateMac,
  GenerateRandom: generateRandom,
  GetKeyLastUsage: getKeyLastUsage,
  GetKeyPolicy: getKeyPolicy,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetParametersForImport: getParametersForImport,
  GetPublicKey: getPublicKey,
  ImportKeyMaterial: importKeyMaterial,
  ListAliases: listAliases,
  ListGrants: listGrants,
  ListKeyPolicies: listKeyPolicies,
  ListKeyRotations: listKeyRotations,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ListRetirableGrants: listRetirableGrants,
  PutKeyPolicy: putKeyPolicy,
  ReEncrypt: reEncrypt,
  ReplicateKey: replicateKey,
  RetireGrant: retireGrant,
  RevokeGrant: revokeGrant,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateKeyDescription: updateKeyDescription,
  UpdatePrimaryRegion: updatePrimaryRegion,
  Verify: verify,
  VerifyMac: verifyMac,
}
