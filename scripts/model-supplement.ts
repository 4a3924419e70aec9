/**
 * What the shared Smithy model (api-models-aws commit 56c8953e, 2025-04-02) lacks and the
 * installed `@aws-sdk/client-kms` 3.1164.0 has: taken by hand from that SDK's
 * `dist-types/models/models_0.d.ts` and `enums.d.ts` (member names, types and the doc text
 * that decides alias acceptance), in Smithy JSON form so `gen-model.ts` merges it like the
 * model itself. The SDK types carry no length or pattern constraints; where the AWS API
 * reference states one it is given here with its page.
 *
 * - ImportKeyMaterial: ImportType, KeyMaterialDescription, KeyMaterialId; response KeyId,
 *   KeyMaterialId (several key materials per imported key, on-demand rotation of imported keys,
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
 * - DeleteImportedKeyMaterial: KeyMaterialId; response KeyId, KeyMaterialId.
 * - KeyMetadata.CurrentKeyMaterialId; ListKeyRotations IncludeKeyMaterial and the entry's
 *   KeyMaterialId, KeyMaterialDescription, ImportState, KeyMaterialState, ExpirationModel, ValidTo.
 * - The key material a cryptographic call used: KeyMaterialId on the Decrypt, GenerateDataKey,
 *   GenerateDataKeyWithoutPlaintext, GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext
 *   responses, SourceKeyMaterialId / DestinationKeyMaterialId on ReEncrypt's (AWS returns it on
 *   Decrypt: LocalStack's AWS-recorded snapshot, test_encrypt_decrypt_encryption_context,
 *   2025-09-22; Encrypt's response has none, in the SDK and in that recording).
 * - GetKeyLastUsage (API_GetKeyLastUsage.html).
 * - Encapsulate / Decapsulate (ML-KEM): modelled so requests validate; kms-bench answers
 *   UnsupportedOperationException (node:crypto in Node 20 has no ML-KEM). The SDK's ML_DSA_* /
 *   ML_KEM_* key specs, ENCAPSULATE_DECAPSULATE usage and ML_DSA_SHAKE_256 are deliberately NOT
 *   added to the enums: no key of them can be made here (no ML-DSA/ML-KEM in node:crypto), so
 *   CreateKey refuses them in validation, as the shared model does.
 */
type Member = { target: string; traits?: Record<string, unknown> }
/** A Smithy shape fragment: merged member by member into the model's shape of the same name. */
export interface SupplementShape {
  type: string
  members?: Record<string, Member>
  input?: { target: string }
  output?: { target: string }
  errors?: { target: string }[]
  traits?: Record<string, unknown>
}

const NS = 'com.amazonaws.kms#'
const doc = (text: string): Record<string, unknown> => ({ 'smithy.api#documentation': text })
const req = (text: string): Record<string, unknown> => ({ ...doc(text), 'smithy.api#required': {} })
const enumOf = (...values: string[]): SupplementShape => ({
  type: 'enum',
  members: Object.fromEntries(
    values.map((v) => [v, { target: 'smithy.api#Unit', traits: { 'smithy.api#enumValue': v } }]),
  ),
})
const KEY_ONLY = 'Specify the key ID or key ARN of the KMS key.'
const ALIAS_OK =
  'To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN. When using an alias name, prefix it with "alias/".'
const KEY_MATERIAL_ID = { target: `${NS}BackingKeyIdType` }

/** Operations to add to the service (their shapes are below). */
export const SUPPLEMENT_OPERATIONS = ['GetKeyLastUsage', 'Encapsulate', 'Decapsulate']

/** Shapes to add or extend, keyed by full Smithy id. */
export const SUPPLEMENT_SHAPES: Record<string, SupplementShape> = {
  [`${NS}ImportType`]: enumOf('NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'),
  [`${NS}ImportState`]: enumOf('IMPORTED', 'PENDING_IMPORT'),
  [`${NS}IncludeKeyMaterial`]: enumOf('ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'),
  [`${NS}KeyMaterialState`]: enumOf(
    'NON_CURRENT',
    'CURRENT',
    'PENDING_ROTATION',
    'PENDING_MULTI_REGION_IMPORT_AND_ROTATION',
  ),
  // Length 0..256 (API_ImportKeyMaterial.html, KeyMaterialDescription).
  [`${NS}KeyMaterialDescriptionType`]: { type: 'string', traits: { 'smithy.api#length': { min: 0, max: 256 } } },
  [`${NS}BackingKeyIdType`]: {
    type: 'string',
    traits: { 'smithy.api#length': { min: 64, max: 64 }, 'smithy.api#pattern': '^[a-f0-9]+$' },
  },
  [`${NS}ImportKeyMaterialRequest`]: {
    type: 'structure',
    members: {
      ImportType: { target: `${NS}ImportType` },
      KeyMaterialDescription: { target: `${NS}KeyMaterialDescriptionType` },
      KeyMaterialId: KEY_MATERIAL_ID,
    },
  },
  [`${NS}ImportKeyMaterialResponse`]: {
    type: 'structure',
    members: { KeyId: { target: `${NS}KeyIdType` }, KeyMaterialId: KEY_MATERIAL_ID },
  },
  [`${NS}DeleteImportedKeyMaterialRequest`]: { type: 'structure', members: { KeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}DeleteImportedKeyMaterialResponse`]: {
    type: 'structure',
    members: { KeyId: { target: `${NS}KeyIdType` }, KeyMaterialId: KEY_MATERIAL_ID },
  },
  [`${NS}DeleteImportedKeyMaterial`]: {
    type: 'operation',
    output: { target: `${NS}DeleteImportedKeyMaterialResponse` },
  },
  [`${NS}KeyMetadata`]: { type: 'structure', members: { CurrentKeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}DecryptResponse`]: { type: 'structure', members: { KeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}GenerateDataKeyResponse`]: { type: 'structure', members: { KeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}GenerateDataKeyWithoutPlaintextResponse`]: { type: 'structure', members: { KeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}GenerateDataKeyPairResponse`]: { type: 'structure', members: { KeyMaterialId: KEY_MATERIAL_ID } },
  [`${NS}GenerateDataKeyPairWithoutPlaintextResponse`]: {
    type: 'structure',
    members: { KeyMaterialId: KEY_MATERIAL_ID },
  },
  [`${NS}ReEncryptResponse`]: {
    type: 'structure',
    members: { SourceKeyMaterialId: KEY_MATERIAL_ID, DestinationKeyMaterialId: KEY_MATERIAL_ID },
  },
  [`${NS}ListKeyRotationsRequest`]: {
    type: 'structure',
    members: { IncludeKeyMaterial: { target: `${NS}IncludeKeyMaterial` } },
  },
  [`${NS}RotationsListEntry`]: {
    type: 'structure',
    members: {
      KeyMaterialId: KEY_MATERIAL_ID,
      KeyMaterialDescription: { target: `${NS}KeyMaterialDescriptionType` },
      ImportState: { target: `${NS}ImportState` },
      KeyMaterialState: { target: `${NS}KeyMaterialState` },
      ExpirationModel: { target: `${NS}ExpirationModelType` },
      ValidTo: { target: `${NS}DateType` },
    },
  },
  [`${NS}EncapsulationAlgorithmSpec`]: enumOf('ML_KEM'),
  [`${NS}KeyLastUsageTrackingOperation`]: enumOf(
    'Decapsulate',
    'Decrypt',
    'DeriveSharedSecret',
    'Encapsulate',
    'Encrypt',
    'GenerateDataKey',
    'GenerateDataKeyPair',
    'GenerateDataKeyPairWithoutPlaintext',
    'GenerateDataKeyWithoutPlaintext',
    'GenerateMac',
    'ReEncrypt',
    'Sign',
    'Verify',
    'VerifyMac',
  ),
  [`${NS}GetKeyLastUsage`]: {
    type: 'operation',
    input: { target: `${NS}GetKeyLastUsageRequest` },
    output: { target: `${NS}GetKeyLastUsageResponse` },
    errors: [
      { target: `${NS}InvalidArnException` },
      { target: `${NS}KMSInternalException` },
      { target: `${NS}KMSInvalidStateException` },
      { target: `${NS}NotFoundException` },
    ],
  },
  [`${NS}GetKeyLastUsageRequest`]: {
    type: 'structure',
    members: {
      KeyId: {
        target: `${NS}KeyIdType`,
        traits: req(
          `Identifies the KMS key to get usage information for. To specify a KMS key, use its key ID or key ARN. Alias names are not supported. ${KEY_ONLY}`,
        ),
      },
    },
  },
  [`${NS}KeyLastUsageData`]: {
    type: 'structure',
    members: {
      Operation: { target: `${NS}KeyLastUsageTrackingOperation` },
      Timestamp: { target: `${NS}DateType` },
      CloudTrailEventId: { target: `${NS}KeyIdType` },
      KmsRequestId: { target: `${NS}KeyIdType` },
    },
  },
  [`${NS}GetKeyLastUsageResponse`]: {
    type: 'structure',
    members: {
      KeyId: { target: `${NS}KeyIdType` },
      KeyLastUsage: { target: `${NS}KeyLastUsageData` },
      TrackingStartDate: { target: `${NS}DateType` },
    },
  },
  [`${NS}Encapsulate`]: {
    type: 'operation',
    input: { target: `${NS}EncapsulateRequest` },
    output: { target: `${NS}EncapsulateResponse` },
    errors: [
      { target: `${NS}DisabledException` },
      { target: `${NS}DryRunOperationException` },
      { target: `${NS}InvalidGrantTokenException` },
      { target: `${NS}InvalidKeyUsageException` },
      { target: `${NS}KeyUnavailableException` },
      { target: `${NS}KMSInternalException` },
      { target: `${NS}KMSInvalidStateException` },
      { target: `${NS}NotFoundException` },
    ],
  },
  [`${NS}EncapsulateRequest`]: {
    type: 'structure',
    members: {
      KeyId: { target: `${NS}KeyIdType`, traits: req(`Identifies an asymmetric ML-KEM KMS key. ${ALIAS_OK}`) },
      EncapsulationAlgorithm: { target: `${NS}EncapsulationAlgorithmSpec`, traits: req('ML_KEM') },
      GrantTokens: { target: `${NS}GrantTokenList` },
      DryRun: { target: `${NS}NullableBooleanType` },
    },
  },
  [`${NS}EncapsulateResponse`]: {
    type: 'structure',
    members: {
      KeyId: { target: `${NS}KeyIdType` },
      SharedSecret: { target: `${NS}PlaintextType` },
      SharedSecretCiphertextBlob: { target: `${NS}CiphertextType` },
      EncapsulationAlgorithm: { target: `${NS}EncapsulationAlgorithmSpec` },
    },
  },
  [`${NS}Decapsulate`]: {
    type: 'operation',
    input: { target: `${NS}DecapsulateRequest` },
    output: { target: `${NS}DecapsulateResponse` },
    errors: [
      { target: `${NS}DisabledException` },
      { target: `${NS}DryRunOperationException` },
      { target: `${NS}IncorrectKeyException` },
      { target: `${NS}InvalidCiphertextException` },
      { target: `${NS}InvalidGrantTokenException` },
      { target: `${NS}InvalidKeyUsageException` },
      { target: `${NS}KeyUnavailableException` },
      { target: `${NS}KMSInternalException` },
      { target: `${NS}KMSInvalidStateException` },
      { target: `${NS}NotFoundException` },
    ],
  },
  [`${NS}DecapsulateRequest`]: {
    type: 'structure',
    members: {
      KeyId: {
        target: `${NS}KeyIdType`,
        traits: req(`Identifies the asymmetric ML-KEM KMS key whose public key was used. ${ALIAS_OK}`),
      },
      SharedSecretCiphertextBlob: { target: `${NS}CiphertextType`, traits: req('The encapsulated shared secret.') },
      EncapsulationAlgorithm: { target: `${NS}EncapsulationAlgorithmSpec`, traits: req('ML_KEM') },
      GrantTokens: { target: `${NS}GrantTokenList` },
      DryRun: { target: `${NS}NullableBooleanType` },
    },
  },
  [`${NS}DecapsulateResponse`]: {
    type: 'structure',
    members: {
      KeyId: { target: `${NS}KeyIdType` },
      SharedSecret: { target: `${NS}PlaintextType` },
      EncapsulationAlgorithm: { target: `${NS}EncapsulationAlgorithmSpec` },
    },
  },
}
