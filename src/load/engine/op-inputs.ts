/**
 * Ready-made inputs for single KMS operations: what the ad-hoc form
 * (`kms-bench run --op OP --rate RPS`) and scenario requests of kind `op` send, the key each
 * operation needs, and the fixture (a ciphertext, MAC or signature made before the run) that
 * operations consuming earlier output need.
 */
import type { KeySpec, KeyUsageType, OperationName } from '../../kms/index.ts'

/** The key an operation needs. */
export interface KeyNeed {
  readonly spec: KeySpec
  readonly usage: KeyUsageType
}

/** Something made before the run that an operation's input consumes. */
export type FixtureKind = 'ciphertext' | 'mac' | 'signature'

/** How to build an operation's input. */
export interface OpRecipe {
  /** `undefined`: the operation takes no key */
  readonly key: KeyNeed | undefined
  readonly fixture?: FixtureKind
  /** uses an encryption context (symmetric encryption operations only) */
  readonly context: boolean
  /** the input, from the key ARN, a payload, the context and the fixture */
  build(args: {
    keyArn: string
    payload: Uint8Array
    context: Record<string, string> | undefined
    fixture: Uint8Array | undefined
  }): Record<string, unknown>
}

const SYMMETRIC: KeyNeed = { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' }
const HMAC: KeyNeed = { spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' }
const SIGNING: KeyNeed = { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY' }

const withContext = (
  input: Record<string, unknown>,
  context: Record<string, string> | undefined,
): Record<string, unknown> => (context === undefined ? input : { ...input, EncryptionContext: context })

/** Recipes of the operations the ad-hoc form supports. */
export const OP_RECIPES: Readonly<Partial<Record<OperationName, OpRecipe>>> = {
  Encrypt: {
    key: SYMMETRIC,
    context: true,
    build: (a) => withContext({ KeyId: a.keyArn, Plaintext: a.payload }, a.context),
  },
  Decrypt: {
    key: SYMMETRIC,
    context: true,
    fixture: 'ciphertext',
    build: (a) => withContext({ KeyId: a.keyArn, CiphertextBlob: a.fixture }, a.context),
  },
  ReEncrypt: {
    key: SYMMETRIC,
    context: true,
    fixture: 'ciphertext',
    build: (a) => ({
      CiphertextBlob: a.fixture,
      DestinationKeyId: a.keyArn,
      ...(a.context !== undefined
        ? { SourceEncryptionContext: a.context, DestinationEncryptionContext: a.context }
        : {}),
    }),
  },
  GenerateDataKey: {
    key: SYMMETRIC,
    context: true,
    build: (a) => withContext({ KeyId: a.keyArn, KeySpec: 'AES_256' }, a.context),
  },
  GenerateDataKeyWithoutPlaintext: {
    key: SYMMETRIC,
    context: true,
    build: (a) => withContext({ KeyId: a.keyArn, KeySpec: 'AES_256' }, a.context),
  },
  GenerateDataKeyPair: {
    key: SYMMETRIC,
    context: true,
    build: (a) => withContext({ KeyId: a.keyArn, KeyPairSpec: 'ECC_NIST_P256' }, a.context),
  },
  GenerateDataKeyPairWithoutPlaintext: {
    key: SYMMETRIC,
    context: true,
    build: (a) => withContext({ KeyId: a.keyArn, KeyPairSpec: 'ECC_NIST_P256' }, a.context),
  },
  GenerateRandom: {
    key: undefined,
    context: false,
    build: (a) => ({ NumberOfBytes: Math.min(1024, Math.max(1, a.payload.byteLength)) }),
  },
  DescribeKey: { key: SYMMETRIC, context: false, build: (a) => ({ KeyId: a.keyArn }) },
  GetKeyPolicy: { key: SYMMETRIC, context: false, build: (a) => ({ KeyId: a.keyArn }) },
  GetKeyRotationStatus: { key: SYMMETRIC, context: false, build: (a) => ({ KeyId: a.keyArn }) },
  ListResourceTags: { key: SYMMETRIC, context: false, build: (a) => ({ KeyId: a.keyArn }) },
  ListKeys: { key: undefined, context: false, build: () => ({}) },
  ListAliases: { key: undefined, context: false, build: () => ({}) },
  GenerateMac: {
    key: HMAC,
    context: false,
    build: (a) => ({ KeyId: a.keyArn, Message: a.payload, MacAlgorithm: 'HMAC_SHA_256' }),
  },
  VerifyMac: {
    key: HMAC,
    context: false,
    fixture: 'mac',
    build: (a) => ({ KeyId: a.keyArn, Message: a.payload, MacAlgorithm: 'HMAC_SHA_256', Mac: a.fixture }),
  },
  Sign: {
    key: SIGNING,
    context: false,
    build: (a) => ({ KeyId: a.keyArn, Message: a.payload, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
  },
  Verify: {
    key: SIGNING,
    context: false,
    fixture: 'signature',
    build: (a) => ({
      KeyId: a.keyArn,
      Message: a.payload,
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
      Signature: a.fixture,
    }),
  },
  GetPublicKey: { key: SIGNING, context: false, build: (a) => ({ KeyId: a.keyArn }) },
}

/** Operations with a recipe, sorted (for messages). */
export function supportedAdHocOperations(): string[] {
  return Object.keys(OP_RECIPES).sort()
}
