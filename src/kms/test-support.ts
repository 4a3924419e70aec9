/**
 * Shared setup of the core's unit tests (`*.test.ts` under `src/kms`): a real {@link KmsCore}
 * on a virtual clock (or a given one), a typed `call` that runs an operation as a caller, key
 * helpers, and {@link failure} to get the error an expected failure throws. Not part of the
 * public API; it holds no stubs, only shorthands for real calls.
 */
import { VirtualClock, type Clock } from '../clock.ts'
import type { CallerInput } from './caller.ts'
import { KmsCore } from './core.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import type { KmsKey } from './key.ts'
import type { KeySpec, KeyUsageType, OperationInputs, OperationName, OperationOutputs } from './model.generated.ts'

/** The core's default account in these tests. */
export const TEST_ACCOUNT = '111122223333'
/** The core's default Region in these tests. */
export const TEST_REGION = 'us-east-1'

/** What {@link coreHarness} returns. */
export interface CoreHarness<C extends Clock> {
  readonly clock: C
  readonly core: KmsCore
  /** Runs `op` synchronously as `caller` (default: the account's root user in {@link TEST_REGION}). */
  call<Op extends OperationName>(op: Op, input: OperationInputs[Op], caller?: CallerInput): OperationOutputs[Op]
  /** CreateKey with `input`; returns the new key's id. */
  newKey(input?: OperationInputs['CreateKey'], caller?: CallerInput): string
  /** CreateKey of a spec and usage; returns the new key's id and ARN. */
  createKey(keySpec?: KeySpec, keyUsage?: KeyUsageType, caller?: CallerInput): { KeyId: string; Arn: string }
  /** The stored record of a key of {@link TEST_ACCOUNT}. @default region TEST_REGION */
  record(keyId: string, region?: string): KmsKey
}

/** A fresh core with default account {@link TEST_ACCOUNT} and Region {@link TEST_REGION}, on a new virtual clock. */
export function coreHarness(): CoreHarness<VirtualClock>
/** The same on a given clock. */
export function coreHarness<C extends Clock>(clock: C): CoreHarness<C>
export function coreHarness(clock: Clock = new VirtualClock()): CoreHarness<Clock> {
  const core = new KmsCore({
    operations: OPERATION_TABLE,
    clock,
    defaultAccount: TEST_ACCOUNT,
    defaultRegion: TEST_REGION,
  })
  const call = <Op extends OperationName>(
    op: Op,
    input: OperationInputs[Op],
    caller?: CallerInput,
  ): OperationOutputs[Op] => core.invoke(op, input, core.caller(caller))
  return {
    clock,
    core,
    call,
    newKey: (input = {}, caller) => call('CreateKey', input, caller).KeyMetadata?.KeyId as string,
    createKey: (KeySpec = 'SYMMETRIC_DEFAULT', KeyUsage = 'ENCRYPT_DECRYPT', caller) =>
      call('CreateKey', { KeySpec, KeyUsage }, caller).KeyMetadata as { KeyId: string; Arn: string },
    record: (keyId, region = TEST_REGION) => {
      const key = core.store.peekRegion(TEST_ACCOUNT, region)?.keys.get(keyId)
      if (key === undefined) throw new Error(`no key ${keyId} in ${TEST_ACCOUNT}/${region}`)
      return key
    },
  }
}

/** The error `fn` throws; throws itself when `fn` returns, so a test cannot pass on a call that did not fail. */
export function failure(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

/** The key id an alias (or any KeyId) names, through DescribeKey: for operations that take no alias. */
export function keyIdOf(call: CoreHarness<Clock>['call'], ref: string): string {
  return call('DescribeKey', { KeyId: ref }).KeyMetadata?.KeyId as string
}

/** CreateCustomKeyStore input of a CloudHSM key store (the AWS docs' example values). */
export const HSM_STORE = {
  CustomKeyStoreName: 'hsm',
  CloudHsmClusterId: 'cluster-2a23b4cdefg',
  TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  KeyStorePassword: 'kmsuserpw',
}
/** CreateCustomKeyStore input of an external key store with a public proxy endpoint. */
export const XKS_STORE = {
  CustomKeyStoreName: 'xks',
  CustomKeyStoreType: 'EXTERNAL_KEY_STORE' as const,
  XksProxyUriEndpoint: 'https://xks.example.com',
  XksProxyUriPath: '/example/kms/xks/v1',
  XksProxyConnectivity: 'PUBLIC_ENDPOINT' as const,
  XksProxyAuthenticationCredential: {
    AccessKeyId: 'ABCDEFGHIJKLMNOPQRSTUV',
    RawSecretAccessKey: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123',
  },
}
