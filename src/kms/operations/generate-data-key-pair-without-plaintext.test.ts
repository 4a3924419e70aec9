import { createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import type { CallerInput } from '../caller.ts'
import type { AccessRequest } from '../context.ts'
import { KmsCore } from '../core.ts'
import type { KmsKey } from '../key.ts'
import type { KeySpec, KeyUsageType, OperationInputs, OperationName } from '../model.generated.ts'

const ACCOUNT = '111122223333'
const REGION = 'us-east-1'

function setup() {
  const core = new KmsCore({ clock: new VirtualClock(), defaultAccount: ACCOUNT, defaultRegion: REGION })
  const call = <Op extends OperationName>(op: Op, input: OperationInputs[Op], caller?: CallerInput) => core.invoke(op, input, core.caller(caller))
  const createKey = (KeySpec: KeySpec = 'SYMMETRIC_DEFAULT', KeyUsage: KeyUsageType = 'ENCRYPT_DECRYPT') =>
    call('CreateKey', { KeySpec, KeyUsage }).KeyMetadata as { KeyId: string; Arn: string }
  const record = (keyId: string) => core.store.region(ACCOUNT, REGION).keys.get(keyId) as KmsKey
  return { core, call, createKey, record }
}

function failure(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

describe('GenerateDataKeyPairWithoutPlaintext', () => {
  it('returns the public key and the encrypted private key only; Decrypt gives the matching PKCS #8 key', () => {
    const { call, createKey } = setup()
    const key = createKey()
    for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_SECG_P256K1'] as const) {
      const out = call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: spec, EncryptionContext: { k: 'v' } })
      expect(Object.keys(out).sort()).toEqual(['KeyId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey'])
      expect(out).toMatchObject({ KeyId: key.Arn, KeyPairSpec: spec })
      const pkcs8 = call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array, EncryptionContext: { k: 'v' } }).Plaintext as Uint8Array
      const derived = createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' })
      expect(derived.equals(Buffer.from(out.PublicKey as Uint8Array))).toBe(true)
      expect(failure(() => call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array })).name).toBe('InvalidCiphertextException')
    }
  })

  it('checks like GenerateDataKeyPair and names itself', () => {
    const { core, call, createKey, record } = setup()
    const key = createKey()
    expect(failure(() => call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true })).message).toBe(
      'The request would have succeeded, but the DryRun option is set.',
    )
    const signing = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    expect(failure(() => call('GenerateDataKeyPairWithoutPlaintext', { KeyId: signing.KeyId, KeyPairSpec: 'ECC_NIST_P256' })).message).toBe(
      `${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPairWithoutPlaintext.`,
    )
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' })
    expect(asked[0]).toMatchObject({ action: 'kms:GenerateDataKeyPairWithoutPlaintext', conditions: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' } })
    expect(core.audit.events().at(-1)?.resources?.map((r) => r.ARN)).toEqual([key.Arn])
    record(key.KeyId).state = 'PendingDeletion'
    expect(failure(() => call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' })).name).toBe('KMSInvalidStateException')
  })
})
