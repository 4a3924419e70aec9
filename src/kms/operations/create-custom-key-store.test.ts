import { HSM_STORE as HSM, XKS_STORE as XKS } from '../test-support.ts'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'
import { setConnectionFailure } from '../custom-key-stores.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('custom key stores', () => {
  it('CloudHSM: create, connect (clock time), keys, Unavailable when disconnected, delete rules', () => {
    const { call, clock, core } = coreHarness()
    core.asyncDelays.customKeyStoreConnectMs = 60_000
    const id = call('CreateCustomKeyStore', HSM).CustomKeyStoreId as string
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/)
    expect(failure(() => call('CreateCustomKeyStore', { ...HSM, CloudHsmClusterId: 'cluster-3a23b4cdefg' })).name).toBe(
      'CustomKeyStoreNameInUseException',
    )
    expect(failure(() => call('CreateCustomKeyStore', { ...HSM, CustomKeyStoreName: 'other' })).name).toBe(
      'CloudHsmClusterInUseException',
    )
    expect(
      failure(() => call('CreateCustomKeyStore', { CustomKeyStoreName: 'x', CloudHsmClusterId: HSM.CloudHsmClusterId }))
        .name,
    ).toBe('ValidationException')
    const entry = () => call('DescribeCustomKeyStores', { CustomKeyStoreId: id }).CustomKeyStores?.[0]
    expect(entry()).toMatchObject({
      ConnectionState: 'DISCONNECTED',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      CloudHsmClusterId: HSM.CloudHsmClusterId,
    })
    expect(JSON.stringify(entry())).not.toContain(HSM.KeyStorePassword)
    const create = () => call('CreateKey', { CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM' })
    expect(failure(create).name).toBe('CustomKeyStoreInvalidStateException')
    call('ConnectCustomKeyStore', { CustomKeyStoreId: id })
    expect(entry()?.ConnectionState).toBe('CONNECTING')
    clock.advance(60_000)
    expect(entry()?.ConnectionState).toBe('CONNECTED')
    expect(failure(() => call('CreateKey', { CustomKeyStoreId: id })).name).toBe('ValidationException') // Origin AWS_KMS
    expect(
      failure(() =>
        call('CreateKey', {
          CustomKeyStoreId: id,
          Origin: 'AWS_CLOUDHSM',
          KeySpec: 'RSA_2048',
          KeyUsage: 'SIGN_VERIFY',
        }),
      ).name,
    ).toBe('UnsupportedOperationException')
    const md = create().KeyMetadata
    expect(md).toMatchObject({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, KeyState: 'Enabled' })
    const ct = call('Encrypt', { KeyId: md?.KeyId as string, Plaintext: new Uint8Array([1]) })
      .CiphertextBlob as Uint8Array
    expect(call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id }).Plaintext?.byteLength).toBe(8)
    expect(failure(() => call('DeleteCustomKeyStore', { CustomKeyStoreId: id })).name).toBe(
      'CustomKeyStoreInvalidStateException',
    )
    call('DisconnectCustomKeyStore', { CustomKeyStoreId: id })
    expect(failure(() => call('DisconnectCustomKeyStore', { CustomKeyStoreId: id })).name).toBe(
      'CustomKeyStoreInvalidStateException',
    )
    const e = failure(() => call('Decrypt', { CiphertextBlob: ct }))
    expect([e.name, e.message]).toEqual(['KMSInvalidStateException', `${md?.Arn} is unavailable.`])
    expect(call('DescribeKey', { KeyId: md?.KeyId as string }).KeyMetadata?.KeyState).toBe('Unavailable')
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id })).name).toBe(
      'CustomKeyStoreInvalidStateException',
    )
    call('UpdateCustomKeyStore', { CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' })
    expect(failure(() => call('DeleteCustomKeyStore', { CustomKeyStoreId: id })).name).toBe(
      'CustomKeyStoreHasCMKsException',
    )
    call('ConnectCustomKeyStore', { CustomKeyStoreId: id })
    clock.advance(60_000)
    expect([...(call('Decrypt', { CiphertextBlob: ct }).Plaintext as Uint8Array)]).toEqual([1])
    expect(entry()?.CustomKeyStoreName).toBe('renamed')
    expect(failure(() => call('DescribeCustomKeyStores', { CustomKeyStoreId: 'cks-00000000000000000' })).name).toBe(
      'CustomKeyStoreNotFoundException',
    )
  })

  it('external key store: proxy settings validated, XksKeyId required and unique', () => {
    const { call } = coreHarness()
    expect(
      failure(() => call('CreateCustomKeyStore', { ...XKS, XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' })).name,
    ).toBe('ValidationException')
    expect(failure(() => call('CreateCustomKeyStore', { ...XKS, KeyStorePassword: 'kmsuserpw' })).name).toBe(
      'ValidationException',
    )
    const id = call('CreateCustomKeyStore', XKS).CustomKeyStoreId as string
    expect(failure(() => call('CreateCustomKeyStore', { ...XKS, CustomKeyStoreName: 'xks2' })).name).toBe(
      'XksProxyUriInUseException',
    )
    call('ConnectCustomKeyStore', { CustomKeyStoreId: id })
    expect(failure(() => call('CreateKey', { CustomKeyStoreId: id, Origin: 'EXTERNAL_KEY_STORE' })).name).toBe(
      'ValidationException',
    )
    const md = call('CreateKey', {
      CustomKeyStoreId: id,
      Origin: 'EXTERNAL_KEY_STORE',
      XksKeyId: 'ext-key-1',
    }).KeyMetadata
    expect(md).toMatchObject({ Origin: 'EXTERNAL_KEY_STORE', XksKeyConfiguration: { Id: 'ext-key-1' } })
    expect(
      failure(() => call('CreateKey', { CustomKeyStoreId: id, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'ext-key-1' }))
        .name,
    ).toBe('XksKeyAlreadyInUseException')
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id })).name).toBe(
      'UnsupportedOperationException',
    )
    const entry = call('DescribeCustomKeyStores', { CustomKeyStoreName: 'xks' }).CustomKeyStores?.[0]
    expect(entry?.XksProxyConfiguration).toEqual({
      Connectivity: 'PUBLIC_ENDPOINT',
      AccessKeyId: XKS.XksProxyAuthenticationCredential.AccessKeyId,
      UriEndpoint: XKS.XksProxyUriEndpoint,
      UriPath: XKS.XksProxyUriPath,
    })
  })

  it('counts crypto calls on a store key in the shared symmetric pool and the store pool exactly', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'aws-default', audit: { capacity: 0 } })
    const id = kms.callSync('CreateCustomKeyStore', HSM).CustomKeyStoreId as string
    kms.callSync('ConnectCustomKeyStore', { CustomKeyStoreId: id })
    clock.advance(1000)
    const inStore = kms.callSync('CreateKey', { CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM' }).KeyMetadata
      ?.KeyId as string
    const plain = kms.callSync('CreateKey', {}).KeyMetadata?.KeyId as string
    clock.advance(1000)
    let ok = 0
    let throttled = 0
    for (let i = 0; i < 2000; i++) {
      const r = kms.tryCall('Encrypt', { KeyId: inStore, Plaintext: new Uint8Array([1]) })
      if (r.ok) ok++
      else if (r.error.name === 'ThrottlingException') throttled++
    }
    // The store's own quota: 1,800/s (kms-facts.md §1.2, not adjustable).
    expect([ok, throttled]).toEqual([1800, 200])
    for (let i = 0; i < 100; i++) kms.callSync('Encrypt', { KeyId: plain, Plaintext: new Uint8Array([1]) })
    const pools = kms.usage().pools
    const store = pools.find((p) => p.pool === `custom-key-store:${id}`)
    const symmetric = pools.find((p) => p.pool === 'symmetric')
    expect(store).toMatchObject({ accepted: 1800, throttled: 200 })
    // The shared pool counts every accepted store call plus the ordinary key's 100.
    expect(symmetric?.accepted).toBe(1900)
  })

  it('FAILED: an unreachable proxy (.invalid host) and a simulated HSM problem, in clock time', () => {
    const { call, clock, core } = coreHarness()
    core.asyncDelays.customKeyStoreConnectMs = 5_000
    const unreachable = 'https://xks.example.invalid'
    // Public endpoint: AWS tests the proxy before creating the store (create-xks-keystore.html).
    const e = failure(() => call('CreateCustomKeyStore', { ...XKS, XksProxyUriEndpoint: unreachable }))
    expect(e.name).toBe('XksProxyUriUnreachableException')
    expect(call('DescribeCustomKeyStores', {}).CustomKeyStores).toEqual([])
    // VPC endpoint service: only the connection tests it.
    const xks = call('CreateCustomKeyStore', {
      ...XKS,
      XksProxyUriEndpoint: unreachable,
      XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
      XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-example',
    }).CustomKeyStoreId as string
    const entry = (id: string) => call('DescribeCustomKeyStores', { CustomKeyStoreId: id }).CustomKeyStores?.[0]
    call('ConnectCustomKeyStore', { CustomKeyStoreId: xks })
    expect(entry(xks)?.ConnectionState).toBe('CONNECTING')
    clock.advance(4_999)
    expect(entry(xks)?.ConnectionState).toBe('CONNECTING')
    clock.advance(1)
    expect(entry(xks)).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'XKS_PROXY_NOT_REACHABLE' })
    // FAILED: no reconnect before a disconnect, no keys (the exception's documentation).
    expect(failure(() => call('ConnectCustomKeyStore', { CustomKeyStoreId: xks })).name).toBe(
      'CustomKeyStoreInvalidStateException',
    )
    expect(
      failure(() => call('CreateKey', { CustomKeyStoreId: xks, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'k1' })).name,
    ).toBe('CustomKeyStoreInvalidStateException')
    call('DisconnectCustomKeyStore', { CustomKeyStoreId: xks })
    expect(entry(xks)?.ConnectionState).toBe('DISCONNECTED')
    expect(entry(xks)?.ConnectionErrorCode).toBeUndefined()
    call('UpdateCustomKeyStore', { CustomKeyStoreId: xks, XksProxyUriEndpoint: 'https://xks.example.com' })
    call('ConnectCustomKeyStore', { CustomKeyStoreId: xks })
    clock.advance(5_000)
    expect(entry(xks)?.ConnectionState).toBe('CONNECTED')

    // CloudHSM: a simulated problem of the cluster, with a code documented for the type.
    const hsm = call('CreateCustomKeyStore', HSM).CustomKeyStoreId as string
    call('ConnectCustomKeyStore', { CustomKeyStoreId: hsm })
    clock.advance(5_000)
    const key = call('CreateKey', { CustomKeyStoreId: hsm, Origin: 'AWS_CLOUDHSM' }).KeyMetadata
    expect(key?.CloudHsmClusterId).toBe(HSM.CloudHsmClusterId)
    expect(call('DescribeKey', { KeyId: key?.KeyId as string }).KeyMetadata?.CloudHsmClusterId).toBe(
      HSM.CloudHsmClusterId,
    )
    expect(failure(() => setConnectionFailure(core.store, hsm, 'XKS_PROXY_TIMED_OUT')).name).toBe('ValidationException')
    expect(failure(() => setConnectionFailure(core.store, 'cks-00000000000000000', 'NETWORK_ERRORS')).name).toBe(
      'CustomKeyStoreNotFoundException',
    )
    setConnectionFailure(core.store, hsm, 'USER_LOCKED_OUT')
    expect(entry(hsm)?.ConnectionState).toBe('CONNECTED') // a problem shows at the next attempt
    call('DisconnectCustomKeyStore', { CustomKeyStoreId: hsm })
    call('ConnectCustomKeyStore', { CustomKeyStoreId: hsm })
    clock.advance(5_000)
    expect(entry(hsm)).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'USER_LOCKED_OUT' })
    const d = failure(() => call('Encrypt', { KeyId: key?.KeyId as string, Plaintext: new Uint8Array([1]) }))
    expect([d.name, d.message]).toEqual(['KMSInvalidStateException', `${key?.Arn} is unavailable.`])
    expect(failure(() => call('DeleteCustomKeyStore', { CustomKeyStoreId: hsm })).name).toBe(
      'CustomKeyStoreInvalidStateException',
    )
    setConnectionFailure(core.store, hsm, undefined)
    call('DisconnectCustomKeyStore', { CustomKeyStoreId: hsm })
    call('ConnectCustomKeyStore', { CustomKeyStoreId: hsm })
    clock.advance(5_000)
    expect(entry(hsm)?.ConnectionState).toBe('CONNECTED')
    expect(call('DescribeKey', { KeyId: key?.KeyId as string }).KeyMetadata?.KeyState).toBe('Enabled')
  })
})
