/**
 * Custom key stores (https://docs.aws.amazon.com/kms/latest/developerguide/key-store-overview.html):
 * AWS CloudHSM key stores and external key stores (XKS), their connection states in clock
 * time, and what they do to their keys.
 *
 * What is modelled, and what is assumed:
 * - The "HSM" and the "external key manager" are kms-bench's own key material (node:crypto),
 *   stated as such: no CloudHSM cluster and no XKS proxy is contacted. Cluster ids, trust
 *   anchors, passwords, proxy URIs and credentials are validated as the API reference says
 *   (shape, combinations, uniqueness) but never dialled, so the FAILED connection state and its
 *   ConnectionErrorCode values (INVALID_CREDENTIALS, NETWORK_ERRORS, XKS_PROXY_TIMED_OUT, ...)
 *   cannot arise here.
 * - Connecting takes `asyncDelays.customKeyStoreConnectMs` of clock time in CONNECTING before
 *   CONNECTED (AWS: "can take an extended amount of time to complete, up to 20 minutes",
 *   API_ConnectCustomKeyStore.html; default 0 = connected right after the call, whose own
 *   answer still shows CONNECTING). Disconnecting is immediate.
 * - While a store is not CONNECTED its keys are Unavailable ("KMS keys in a disconnected custom
 *   key store are unavailable", key-state.html); their state before is restored on CONNECTED.
 * - Latency: an HSM or a proxy round trip adds to every cryptographic call on these keys.
 *   AWS publishes no figure for CloudHSM; for XKS, KMS times out a proxy call after 250 ms
 *   (keystore-external.html, "proxy timeout"). {@link CUSTOM_KEY_STORE_LATENCY_MS} states the
 *   assumed extra service time for latency models; the request quotas are modelled exactly
 *   (src/quota: the shared pool and the store's own 1,800/s pool).
 */
import type { CoreServices } from './context.ts'
import { CustomKeyStoreNotFoundException } from './errors.ts'
import type { KmsKey } from './key.ts'
import type { CustomKeyStoresListEntry, CustomKeyStoreType } from './model.generated.ts'
import type { CustomKeyStore, RegionState } from './store.ts'

/** Custom key stores per account and Region (resource-limits.html). */
export const MAX_CUSTOM_KEY_STORES = 10

/**
 * Assumed extra service time of one cryptographic call on a key in a custom key store, in ms:
 * a documented assumption, not an AWS figure (see the module comment). @default { AWS_CLOUDHSM: 5, EXTERNAL_KEY_STORE: 20 }
 */
export const CUSTOM_KEY_STORE_LATENCY_MS: Readonly<Record<CustomKeyStoreType, number>> = Object.freeze({
  AWS_CLOUDHSM: 5,
  EXTERNAL_KEY_STORE: 20,
})

export type { CustomKeyStore, XksSettings } from './store.ts'

/** The store `id` of the caller's account and Region, or CustomKeyStoreNotFoundException. */
export function customKeyStore(state: RegionState, id: string): CustomKeyStore {
  const store = state.customKeyStores.get(id)
  if (store === undefined)
    throw new CustomKeyStoreNotFoundException(`Custom key store ${id} does not exist in this account and Region.`)
  return store
}

/** The store's DescribeCustomKeyStores entry (no password, no secret access key). */
export function storeEntry(s: CustomKeyStore): CustomKeyStoresListEntry {
  const e: CustomKeyStoresListEntry = {
    CustomKeyStoreId: s.id,
    CustomKeyStoreName: s.name,
    CustomKeyStoreType: s.type,
    ConnectionState: s.connectionState,
    CreationDate: new Date(s.createdAt),
  }
  if (s.cloudHsmClusterId !== undefined) e.CloudHsmClusterId = s.cloudHsmClusterId
  if (s.trustAnchorCertificate !== undefined) e.TrustAnchorCertificate = s.trustAnchorCertificate
  if (s.xks !== undefined) {
    e.XksProxyConfiguration = {
      Connectivity: s.xks.connectivity,
      AccessKeyId: s.xks.accessKeyId,
      UriEndpoint: s.xks.uriEndpoint,
      UriPath: s.xks.uriPath,
      ...(s.xks.vpcEndpointServiceName !== undefined ? { VpcEndpointServiceName: s.xks.vpcEndpointServiceName } : {}),
    }
  }
  return e
}

/** Keys of the caller's state held in `store`. */
export function keysIn(state: RegionState, store: CustomKeyStore): KmsKey[] {
  const out: KmsKey[] = []
  for (const k of state.keys.values()) if (k.customKeyStoreId === store.id) out.push(k)
  return out
}

/** Marks the store CONNECTED and gives its keys back their states. */
function connected(state: RegionState, store: CustomKeyStore): void {
  store.connectionState = 'CONNECTED'
  for (const key of keysIn(state, store)) {
    const before = store.suspended.get(key.keyId)
    if (key.state === 'Unavailable') key.state = before ?? 'Enabled'
  }
  store.suspended.clear()
}

/** ConnectCustomKeyStore: CONNECTING now, CONNECTED after the connect delay of clock time. */
export function startConnecting(core: CoreServices, state: RegionState, store: CustomKeyStore, now: number): void {
  if (store.connectionState === 'CONNECTED' || store.connectionState === 'CONNECTING') return
  store.connectionState = 'CONNECTING'
  const delay = core.asyncDelays.customKeyStoreConnectMs
  core.scheduler.schedule(now + (delay > 0 ? delay : 0), () => {
    if (state.customKeyStores.get(store.id) === store && store.connectionState === 'CONNECTING') connected(state, store)
  })
}

/** DisconnectCustomKeyStore (and a new store): DISCONNECTED, every key in it Unavailable. */
export function disconnect(state: RegionState, store: CustomKeyStore): void {
  store.connectionState = 'DISCONNECTED'
  for (const key of keysIn(state, store)) {
    if (key.state === 'Unavailable' || key.state === 'PendingDeletion') continue
    store.suspended.set(key.keyId, key.state)
    key.state = 'Unavailable'
  }
}

/** After a snapshot restore: a store left CONNECTING completes, as it would have meanwhile. */
export function finishConnecting(core: CoreServices): void {
  for (const state of core.store.regions())
    for (const store of state.customKeyStores.values())
      if (store.connectionState === 'CONNECTING') connected(state, store)
}
