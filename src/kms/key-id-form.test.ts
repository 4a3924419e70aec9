/**
 * The form of every KeyId a response carries, checked against the model's documentation of
 * that member ("The Amazon Resource Name (key ARN) of the KMS key ..." → key ARN) and, where
 * the documentation says only "Identifies ...", against AWS's recordings (LocalStack snapshot:
 * GenerateMac/VerifyMac/Sign/Verify answer the ARN; test_rotate_on_demand_returns_arn_for_key_id).
 */
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SHAPES, OPERATIONS, type OperationName } from './model.generated.ts'
import { coreHarness } from './test-support.ts'

const ARN = /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Expected form of each response member that names a key: 'arn' or 'id' (bare key id). */
const EXPECTED: Record<string, Record<string, 'arn' | 'id'>> = {
  CancelKeyDeletion: { KeyId: 'arn' },
  Decrypt: { KeyId: 'arn' },
  DeleteImportedKeyMaterial: { KeyId: 'arn' },
  DeriveSharedSecret: { KeyId: 'arn' },
  Encrypt: { KeyId: 'arn' },
  GenerateDataKey: { KeyId: 'arn' },
  GenerateDataKeyPair: { KeyId: 'arn' },
  GenerateDataKeyPairWithoutPlaintext: { KeyId: 'arn' },
  GenerateDataKeyWithoutPlaintext: { KeyId: 'arn' },
  GenerateMac: { KeyId: 'arn' },
  GetParametersForImport: { KeyId: 'arn' },
  GetPublicKey: { KeyId: 'arn' },
  ImportKeyMaterial: { KeyId: 'arn' },
  ReEncrypt: { KeyId: 'arn', SourceKeyId: 'arn' },
  RotateKeyOnDemand: { KeyId: 'arn' },
  ScheduleKeyDeletion: { KeyId: 'arn' },
  Sign: { KeyId: 'arn' },
  Verify: { KeyId: 'arn' },
  VerifyMac: { KeyId: 'arn' },
  // "Identifies the specified symmetric encryption KMS key": no recording shows an ARN (kept the id).
  GetKeyRotationStatus: { KeyId: 'id' },
  // "The globally unique identifier for the KMS key" (API_GetKeyLastUsage.html).
  GetKeyLastUsage: { KeyId: 'id' },
}

describe('KeyId form of every response', () => {
  it('covers every output shape member that names a key, and ARN wherever the model says "key ARN"', () => {
    for (const [op, def] of Object.entries(OPERATIONS)) {
      const out = SHAPES[def.output]
      for (const m of ['KeyId', 'SourceKeyId']) {
        if (out?.members?.[m] === undefined) continue
        if (op === 'Encapsulate' || op === 'Decapsulate') continue // UnsupportedOperationException (no ML-KEM)
        expect(EXPECTED[op]?.[m], `${op}.${m} has no expected form`).toBeDefined()
      }
    }
  })

  it('answers each form in a real call', () => {
    const h = coreHarness()
    const { call } = h
    const sym = h.newKey()
    const rsa = h.createKey('RSA_2048', 'ENCRYPT_DECRYPT').KeyId
    const ecc = h.createKey('ECC_NIST_P256', 'SIGN_VERIFY').KeyId
    const ka = h.createKey('ECC_NIST_P256', 'KEY_AGREEMENT').KeyId
    const hmac = h.createKey('HMAC_256', 'GENERATE_VERIFY_MAC').KeyId
    const pt = new Uint8Array([1, 2, 3])
    const ct = call('Encrypt', { KeyId: sym, Plaintext: pt }).CiphertextBlob as Uint8Array
    const sig = call('Sign', { KeyId: ecc, Message: pt, SigningAlgorithm: 'ECDSA_SHA_256' }).Signature as Uint8Array
    const mac = call('GenerateMac', { KeyId: hmac, Message: pt, MacAlgorithm: 'HMAC_SHA_256' }).Mac as Uint8Array
    const peer = call('GetPublicKey', { KeyId: ka }).PublicKey as Uint8Array
    const doomed = h.newKey()
    const outputs: Partial<Record<OperationName, object>> = {
      Encrypt: call('Encrypt', { KeyId: sym, Plaintext: pt }),
      Decrypt: call('Decrypt', { CiphertextBlob: ct }),
      ReEncrypt: call('ReEncrypt', { CiphertextBlob: ct, DestinationKeyId: sym }),
      GenerateDataKey: call('GenerateDataKey', { KeyId: sym, NumberOfBytes: 32 }),
      GenerateDataKeyWithoutPlaintext: call('GenerateDataKeyWithoutPlaintext', { KeyId: sym, NumberOfBytes: 32 }),
      GenerateDataKeyPair: call('GenerateDataKeyPair', { KeyId: sym, KeyPairSpec: 'ECC_NIST_P256' }),
      GenerateDataKeyPairWithoutPlaintext: call('GenerateDataKeyPairWithoutPlaintext', {
        KeyId: sym,
        KeyPairSpec: 'ECC_NIST_P256',
      }),
      GetPublicKey: call('GetPublicKey', { KeyId: rsa }),
      Sign: call('Sign', { KeyId: ecc, Message: pt, SigningAlgorithm: 'ECDSA_SHA_256' }),
      Verify: call('Verify', { KeyId: ecc, Message: pt, Signature: sig, SigningAlgorithm: 'ECDSA_SHA_256' }),
      GenerateMac: call('GenerateMac', { KeyId: hmac, Message: pt, MacAlgorithm: 'HMAC_SHA_256' }),
      VerifyMac: call('VerifyMac', { KeyId: hmac, Message: pt, Mac: mac, MacAlgorithm: 'HMAC_SHA_256' }),
      DeriveSharedSecret: call('DeriveSharedSecret', { KeyId: ka, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }),
      RotateKeyOnDemand: call('RotateKeyOnDemand', { KeyId: sym }),
      GetKeyRotationStatus: call('GetKeyRotationStatus', { KeyId: sym }),
      ScheduleKeyDeletion: call('ScheduleKeyDeletion', { KeyId: doomed, PendingWindowInDays: 7 }),
      CancelKeyDeletion: call('CancelKeyDeletion', { KeyId: doomed }),
    }
    for (const [op, out] of Object.entries(outputs)) {
      for (const [member, form] of Object.entries(EXPECTED[op] ?? {}))
        expect((out as Record<string, unknown> | undefined)?.[member], `${op}.${member}`).toMatch(
          form === 'arn' ? ARN : ID,
        )
    }
    // ListGrants' entries name the key by ARN; ListKeys and DescribeKey by id (plus KeyArn / Arn).
    call('CreateGrant', { KeyId: sym, GranteePrincipal: 'arn:aws:iam::111122223333:role/r', Operations: ['Decrypt'] })
    expect(call('ListGrants', { KeyId: sym }).Grants?.[0]?.KeyId).toMatch(ARN)
    expect(call('DescribeKey', { KeyId: sym }).KeyMetadata?.KeyId).toMatch(ID)
    expect(call('ListKeys', {}).Keys?.[0]?.KeyId).toMatch(ID)
  })

  it('answers the key ARN from the import operations and the key id from GetKeyLastUsage', () => {
    const { call } = coreHarness()
    const KeyId = call('CreateKey', { Origin: 'EXTERNAL' }).KeyMetadata?.KeyId as string
    const p = call('GetParametersForImport', {
      KeyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    })
    const key = createPublicKey({ key: Buffer.from(p.PublicKey as Uint8Array), format: 'der', type: 'spki' })
    const wrapped = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    )
    const imported = call('ImportKeyMaterial', {
      KeyId,
      ImportToken: p.ImportToken as Uint8Array,
      EncryptedKeyMaterial: wrapped,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    })
    expect(p.KeyId).toMatch(ARN)
    expect(imported.KeyId).toMatch(ARN)
    expect(call('GetKeyLastUsage', { KeyId }).KeyId).toMatch(ID)
    expect(call('DeleteImportedKeyMaterial', { KeyId }).KeyId).toMatch(ARN)
  })
})
