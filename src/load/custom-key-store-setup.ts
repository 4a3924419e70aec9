/**
 * The custom key stores a scenario's keys live in (`keys[].customKeyStore`): one per account,
 * Region and store type, found by name on a long-lived endpoint or created, then connected
 * (CONNECTING, then CONNECTED: API_ConnectCustomKeyStore.html). The cluster id, trust anchor,
 * password, proxy URI and credential are placeholders: kms-bench dials nothing, and its "HSM"
 * or "external key manager" is its own key material (kms `custom-key-stores.ts`). Against real
 * AWS these calls fail with AWS's own error (no such cluster or proxy), as they should.
 */
import type { CallerInput, CustomKeyStoreType } from '../kms/index.ts'
import type { SetupKms } from './scenario/index.ts'

/** What a store needs from the run: its setup client and a way to wait in the run's clock. */
export interface StoreSetupEnv {
  readonly setup: SetupKms
  /** Waits `ms` (the run's wall clock; a no-op in tests that need none). */
  readonly sleep: (ms: number) => Promise<void>
}

/** Longest wait for a store to leave CONNECTING (AWS: "up to 20 minutes"). @default 20 minutes */
export const CONNECT_TIMEOUT_MS = 20 * 60_000
const POLL_MS = 500

/** Thrown when a store cannot be made CONNECTED; the message names the store and its state. */
export class CustomKeyStoreSetupError extends Error {
  override readonly name = 'CustomKeyStoreSetupError'
}

/** The id of a CONNECTED store of `type` for `caller`, created and connected if needed. */
export async function ensureCustomKeyStore(
  env: StoreSetupEnv,
  caller: CallerInput,
  type: CustomKeyStoreType,
): Promise<string> {
  const name = `kms-bench-${type === 'AWS_CLOUDHSM' ? 'cloudhsm' : 'xks'}`
  const { setup } = env
  const found = await setup
    .call('DescribeCustomKeyStores', { CustomKeyStoreName: name }, caller)
    .then((o) => o.CustomKeyStores?.[0])
    .catch((e: unknown) => {
      // Setup calls fail with the KMS error code in `code` (targets' SetupError), else in `name`.
      const err = e as { code?: string; name?: string }
      if ((err.code ?? err.name) === 'CustomKeyStoreNotFoundException') return undefined
      throw e
    })
  const id =
    found?.CustomKeyStoreId ??
    ((await setup.call('CreateCustomKeyStore', storeInput(name, type, caller), caller)).CustomKeyStoreId as string)
  let state = found?.ConnectionState ?? 'DISCONNECTED'
  if (state === 'FAILED') {
    await setup.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, caller)
    state = 'DISCONNECTED'
  }
  if (state === 'DISCONNECTED') await setup.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, caller)
  for (let waited = 0; ; waited += POLL_MS) {
    const s = (await setup.call('DescribeCustomKeyStores', { CustomKeyStoreId: id }, caller)).CustomKeyStores?.[0]
    if (s?.ConnectionState === 'CONNECTED') return id
    if (s?.ConnectionState !== 'CONNECTING' || waited >= CONNECT_TIMEOUT_MS)
      throw new CustomKeyStoreSetupError(
        `custom key store ${name} (${id}) is ${s?.ConnectionState ?? 'gone'}${s?.ConnectionErrorCode !== undefined ? ` (${s.ConnectionErrorCode})` : ''}, not CONNECTED`,
      )
    await env.sleep(POLL_MS)
  }
}

function storeInput(name: string, type: CustomKeyStoreType, caller: CallerInput) {
  if (type === 'AWS_CLOUDHSM')
    return {
      CustomKeyStoreName: name,
      CustomKeyStoreType: type,
      // One cluster per store and account (CloudHsmClusterInUseException otherwise).
      // (pattern cluster-[2-7a-zA-Z]{11,16}: the account's last 6 digits spelled as letters)
      CloudHsmClusterId: `cluster-kmsbench${[...String(caller.account ?? '000000').slice(-6)].map((d) => String.fromCharCode(97 + Number(d))).join('')}`,
      TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nkms-bench placeholder\n-----END CERTIFICATE-----',
      KeyStorePassword: 'kms-bench-kmsuser',
    }
  return {
    CustomKeyStoreName: name,
    CustomKeyStoreType: type,
    XksProxyUriEndpoint: 'https://xks.kms-bench.example.com',
    XksProxyUriPath: `/kms-bench/${caller.account ?? 'default'}/kms/xks/v1`,
    XksProxyConnectivity: 'PUBLIC_ENDPOINT' as const,
    XksProxyAuthenticationCredential: {
      AccessKeyId: 'KMSBENCHPLACEHOLDERIDA',
      RawSecretAccessKey: 'kmsbenchplaceholdersecretaccesskeykmsbenchplaceholder00',
    },
  }
}
