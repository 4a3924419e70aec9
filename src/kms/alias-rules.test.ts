import { describe, expect, it } from 'vitest'
import { acceptsAlias } from './alias-rules.ts'
import { KEY_ID_ALIAS_RULES, OPERATION_NAMES, type OperationName } from './model.generated.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import { coreHarness } from './test-support.ts'

/** A minimal input of each operation with its key member set to `ref` (other members valid). */
function inputWith(op: string, member: string, ref: string, keyId: string): Record<string, unknown> {
  const msg = new TextEncoder().encode('m')
  const base: Record<string, Record<string, unknown>> = {
    CreateAlias: { AliasName: 'alias/new-one' },
    CreateGrant: { GranteePrincipal: 'arn:aws:iam::111122223333:role/r', Operations: ['Decrypt'] },
    Decapsulate: { SharedSecretCiphertextBlob: msg, EncapsulationAlgorithm: 'ML_KEM' },
    Decrypt: { CiphertextBlob: new Uint8Array(200) },
    DeriveSharedSecret: { KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(91) },
    Encapsulate: { EncapsulationAlgorithm: 'ML_KEM' },
    Encrypt: { Plaintext: msg },
    GenerateDataKey: { NumberOfBytes: 32 },
    GenerateDataKeyPair: { KeyPairSpec: 'ECC_NIST_P256' },
    GenerateDataKeyPairWithoutPlaintext: { KeyPairSpec: 'ECC_NIST_P256' },
    GenerateDataKeyWithoutPlaintext: { NumberOfBytes: 32 },
    GenerateMac: { Message: msg, MacAlgorithm: 'HMAC_SHA_256' },
    GetKeyPolicy: { PolicyName: 'default' },
    GetParametersForImport: { WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
    ImportKeyMaterial: { ImportToken: msg, EncryptedKeyMaterial: msg },
    PutKeyPolicy: { Policy: '{"Version":"2012-10-17","Statement":[]}', PolicyName: 'default' },
    ReEncrypt: { CiphertextBlob: new Uint8Array(200), DestinationKeyId: keyId },
    ReplicateKey: { ReplicaRegion: 'us-west-2' },
    RetireGrant: { GrantId: 'a'.repeat(64) },
    RevokeGrant: { GrantId: 'a'.repeat(64) },
    ScheduleKeyDeletion: { PendingWindowInDays: 7 },
    Sign: { Message: msg, SigningAlgorithm: 'ECDSA_SHA_256' },
    TagResource: { Tags: [{ TagKey: 'k', TagValue: 'v' }] },
    UntagResource: { TagKeys: ['k'] },
    UpdateAlias: { AliasName: 'alias/existing' },
    UpdateKeyDescription: { Description: 'd' },
    UpdatePrimaryRegion: { PrimaryRegion: 'us-west-2' },
    Verify: { Message: msg, Signature: msg, SigningAlgorithm: 'ECDSA_SHA_256' },
    VerifyMac: { Message: msg, Mac: msg, MacAlgorithm: 'HMAC_SHA_256' },
  }
  return { ...base[op], [member]: ref }
}

describe('alias acceptance per operation (read from the model documentation)', () => {
  it('has a rule for every key-identifying member of every operation', () => {
    const ops = Object.keys(KEY_ID_ALIAS_RULES)
    expect(ops.length).toBeGreaterThanOrEqual(45)
    for (const op of ops) expect(OPERATION_NAMES as readonly string[]).toContain(op)
    // The list: documented as key ID or key ARN only.
    for (const op of [
      'PutKeyPolicy',
      'CancelKeyDeletion',
      'ScheduleKeyDeletion',
      'EnableKey',
      'DisableKey',
      'GetKeyPolicy',
      'ListKeyPolicies',
      'ListResourceTags',
      'TagResource',
      'UntagResource',
      'UpdateKeyDescription',
      'ListAliases',
    ])
      expect(acceptsAlias(op, 'KeyId'), op).toBe(false)
    for (const op of [
      'DescribeKey',
      'Encrypt',
      'Decrypt',
      'GetPublicKey',
      'Sign',
      'Verify',
      'GenerateMac',
      'VerifyMac',
    ])
      expect(acceptsAlias(op, 'KeyId'), op).toBe(true)
    expect(acceptsAlias('ReEncrypt', 'DestinationKeyId')).toBe(true)
    expect(acceptsAlias('CreateAlias', 'TargetKeyId')).toBe(false)
    expect(acceptsAlias('UpdateAlias', 'TargetKeyId')).toBe(false)
  })

  // Operations without a handler answer UnsupportedOperationException before resolving a key.
  const unimplemented = Object.keys(KEY_ID_ALIAS_RULES).filter((op) => !(op in OPERATION_TABLE))
  it('every operation with a key member has a handler', () => {
    expect(unimplemented).toEqual([])
  })
  const rows = Object.entries(KEY_ID_ALIAS_RULES)
    .filter(([op]) => !unimplemented.includes(op))
    .flatMap(([op, members]) => Object.keys(members).map((member) => [op, member] as const))
  it.each(rows)('%s %s: an alias name and an alias ARN are accepted exactly when documented', (op, member) => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/existing', TargetKeyId: keyId })
    const aliasArn = 'arn:aws:kms:us-east-1:111122223333:alias/existing'
    for (const ref of ['alias/existing', aliasArn]) {
      let error: Error | undefined
      try {
        call(op as OperationName, inputWith(op, member, ref, keyId) as never)
      } catch (e) {
        error = e as Error
      }
      const refused = error?.name === 'NotFoundException' && error.message === `Invalid keyId '${ref}'`
      expect(refused, `${op}.${member} with ${ref}: ${error?.name} ${error?.message}`).toBe(!acceptsAlias(op, member))
    }
  })
})
