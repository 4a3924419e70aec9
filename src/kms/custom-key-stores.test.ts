import { HSM_STORE as HSM, XKS_STORE as XKS } from './test-support.ts'
import { describe, expect, it } from 'vitest'
import { keyStoresOfCall } from './custom-key-stores.ts'
import { coreHarness } from './test-support.ts'

describe('keyStoresOfCall (the latency model key store term)', () => {
  it('names one round trip per store key a crypto call uses, none for other keys or operations', () => {
    const { call, clock, core, newKey } = coreHarness()
    const caller = core.caller(undefined)
    const of = (op: string, input: unknown) => keyStoresOfCall(core, op, input, caller)
    const plain = newKey()
    expect(of('Encrypt', { KeyId: plain, Plaintext: new Uint8Array([1]) })).toEqual([])
    const hsm = call('CreateCustomKeyStore', HSM).CustomKeyStoreId as string
    const xks = call('CreateCustomKeyStore', XKS).CustomKeyStoreId as string
    call('ConnectCustomKeyStore', { CustomKeyStoreId: hsm })
    call('ConnectCustomKeyStore', { CustomKeyStoreId: xks })
    clock.advance(1)
    const hsmKey = call('CreateKey', { CustomKeyStoreId: hsm, Origin: 'AWS_CLOUDHSM' }).KeyMetadata?.KeyId as string
    const xksKey = call('CreateKey', { CustomKeyStoreId: xks, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'x1' })
      .KeyMetadata?.Arn as string
    call('CreateAlias', { AliasName: 'alias/xks', TargetKeyId: xksKey })
    const ct = call('Encrypt', { KeyId: hsmKey, Plaintext: new Uint8Array([1]) }).CiphertextBlob as Uint8Array
    expect(of('Encrypt', { KeyId: hsmKey })).toEqual(['AWS_CLOUDHSM'])
    expect(of('GenerateDataKey', { KeyId: 'alias/xks' })).toEqual(['EXTERNAL_KEY_STORE'])
    expect(of('GenerateDataKeyWithoutPlaintext', { KeyId: xksKey })).toEqual(['EXTERNAL_KEY_STORE'])
    expect(of('Decrypt', { CiphertextBlob: ct })).toEqual(['AWS_CLOUDHSM'])
    expect(of('ReEncrypt', { CiphertextBlob: ct, DestinationKeyId: 'alias/xks' })).toEqual([
      'AWS_CLOUDHSM',
      'EXTERNAL_KEY_STORE',
    ])
    expect(of('ReEncrypt', { CiphertextBlob: ct, DestinationKeyId: plain })).toEqual(['AWS_CLOUDHSM'])
    expect(of('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: hsm })).toEqual(['AWS_CLOUDHSM'])
    expect(of('GenerateRandom', { NumberOfBytes: 8 })).toEqual([])
    // Not served by the store (not in its quota row), unknown keys, junk input.
    expect(of('DescribeKey', { KeyId: hsmKey })).toEqual([])
    expect(of('Encrypt', { KeyId: plain })).toEqual([])
    expect(of('Encrypt', { KeyId: 'alias/none' })).toEqual([])
    expect(of('Encrypt', null)).toEqual([])
    expect(of('Decrypt', { CiphertextBlob: 'junk' })).toEqual([])
  })
})
