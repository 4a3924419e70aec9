/**
 * Custom key stores (https://docs.aws.amazon.com/kms/latest/developerguide/key-store-overview.html):
 * AWS CloudHSM key stores and external key stores (XKS), their connection states in clock
 * time, and what they do to their keys.
 *
 * What is modelled, and what is assumed:
 * - The "HSM" and the "external key manager" are kms-bench's own key material (node:crypto),
 *   stated as such: no CloudHSM cluster and no XKS proxy is contacted. Cluster ids, trust
 *   anchors, passwords, proxy URIs and credentials are validated as the API reference says
 *   (shape, combinations, uniqueness) but never dialled.
 * - A connection attempt ends FAILED with a documented ConnectionErrorCode
 *   (CustomKeyStoresListEntry.ConnectionErrorCode, {@link CONNECTION_ERROR_CODES}) when the
 *   simulated backing store has a problem. Two ways to give it one, both deterministic:
 *   1. the XKS proxy URI endpoint's host is under `.invalid`, the DNS name RFC 6761 §6.4
 *      reserves to never resolve: the proxy is unreachable. With PUBLIC_ENDPOINT connectivity
 *      CreateCustomKeyStore and UpdateCustomKeyStore test the proxy first and answer
 *      XksProxyUriUnreachableException (create-xks-keystore.html, "Considerations": "If this
 *      test request fails, the operation to create the external key store fails"); with
 *      VPC_ENDPOINT_SERVICE connectivity only the connection tests it, and ends FAILED with
 *      XKS_PROXY_NOT_REACHABLE;
 *   2. {@link setConnectionFailure} (the endpoint's `PUT /kms-bench/custom-key-store-failure`)
 *      gives a store any code documented for its type, e.g. USER_LOCKED_OUT or
 *      INSUFFICIENT_CLOUDHSM_HSMS, until it is cleared.
 *   A FAILED store is not connected: its keys stay Unavailable; ConnectCustomKeyStore answers
 *   CustomKeyStoreInvalidStateException until DisconnectCustomKeyStore ("To reconnect a custom
 *   key store in a FAILED state, disconnect it ... then connect it", the exception's doc).
 * - Connecting takes `asyncDelays.customKeyStoreConnectMs` of clock time in CONNECTING before
 *   CONNECTED (AWS: "can take an extended amount of time to complete, up to 20 minutes",
 *   API_ConnectCustomKeyStore.html; default 0 = connected right after the call, whose own
 *   answer still shows CONNECTING). Disconnecting is immediate.
 * - While a store is not CONNECTED its keys are Unavailable ("KMS keys in a disconnected custom
 *   key store are unavailable", key-state.html); their state before is restored on CONNECTED.
 * - Latency: an HSM or a proxy round trip adds to every cryptographic call on these keys.
 *   AWS publishes no figure for CloudHSM; for XKS, KMS times out a proxy call after 250 ms
 *   (keystore-external.html, "proxy timeout"). {@link CUSTOM_KEY_STORE_LATENCY_MS} states the
 *   assumed extra service time, which the latency model (src/load/scenario/latency-model.ts,
 *   `customKeyStore`) adds to calls that {@link keyStoreTypeOfCall} names; the request quotas
 *   are modelled exactly (src/quota: the shared pool and the store's own 1,800/s pool).
 */
import type { CoreServices } from './context.ts'
import { CustomKeyStoreNotFoundException, ValidationException, XksProxyUriUnreachableException } from './errors.ts'
import type { KmsKey } from './key.ts'
import type { ConnectionErrorCodeType, CustomKeyStoresListEntry, CustomKeyStoreType } from './model.generated.ts'
import type { CustomKeyStore, KmsStore, RegionState, XksSettings } from './store.ts'

/** Custom key stores per account and Region (resource-limits.html). */
export const MAX_CUSTOM_KEY_STORES = 10

/**
 * Assumed extra service time of one round trip to a custom key store, in ms: the latency
 * model's `customKeyStore` term in its `aws` preset (src/load/scenario/latency-model.ts). An
 * assumption, not an AWS figure: AWS publishes none for CloudHSM or XKS; the one bound it
 * documents is that KMS gives an XKS proxy 250 ms to answer before the call fails
 * (keystore-external.html, "proxy timeout"). 5 ms is an HSM operation on a cluster in the
 * same Region; 20 ms a proxy reached through a VPC endpoint or over the internet nearby.
 * @default { AWS_CLOUDHSM: 5, EXTERNAL_KEY_STORE: 20 }
 */
export const CUSTOM_KEY_STORE_LATENCY_MS: Readonly<Record<CustomKeyStoreType, number>> = Object.freeze({
  AWS_CLOUDHSM: 5,
  EXTERNAL_KEY_STORE: 20,
})

export type { CustomKeyStore, XksSettings } from './store.ts'

const ALL_STORES: readonly ConnectionErrorCodeType[] = ['INTERNAL_ERROR', 'NETWORK_ERRORS']
/**
 * The ConnectionErrorCode values AWS documents for each store type
 * (API_CustomKeyStoresListEntry.html, ConnectionErrorCode: "All custom key stores",
 * "CloudHSM key stores", "External key stores").
 */
export const CONNECTION_ERROR_CODES: Readonly<Record<CustomKeyStoreType, readonly ConnectionErrorCodeType[]>> =
  Object.freeze({
    AWS_CLOUDHSM: [
      ...ALL_STORES,
      'CLUSTER_NOT_FOUND',
      'INSUFFICIENT_CLOUDHSM_HSMS',
      'INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET',
      'INVALID_CREDENTIALS',
      'SUBNET_NOT_FOUND',
      'USER_LOCKED_OUT',
      'USER_LOGGED_IN',
      'USER_NOT_FOUND',
    ],
    EXTERNAL_KEY_STORE: [
      ...ALL_STORES,
      'INVALID_CREDENTIALS',
      'XKS_PROXY_ACCESS_DENIED',
      'XKS_PROXY_INVALID_CONFIGURATION',
      'XKS_PROXY_INVALID_RESPONSE',
      'XKS_PROXY_INVALID_TLS_CONFIGURATION',
      'XKS_PROXY_NOT_REACHABLE',
      'XKS_PROXY_TIMED_OUT',
      'XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION',
      'XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND',
    ],
  })

/** True when the proxy URI's host is under `.invalid` (RFC 6761 §6.4: never resolves), i.e. unreachable. */
export function proxyUnreachable(xks: XksSettings): boolean {
  let host: string
  try {
    host = new URL(xks.uriEndpoint).hostname.toLowerCase()
  } catch {
    return false
  }
  return host === 'invalid' || host.endsWith('.invalid')
}

/**
 * CreateCustomKeyStore / UpdateCustomKeyStore of an external key store with public endpoint
 * connectivity test the proxy first (create-xks-keystore.html, "Considerations").
 */
export function assertProxyReachable(xks: XksSettings): void {
  if (xks.connectivity === 'PUBLIC_ENDPOINT' && proxyUnreachable(xks))
    throw new XksProxyUriUnreachableException(
      `KMS was unable to reach the specified XksProxyUriPath ${xks.uriEndpoint}${xks.uriPath}. The path must be reachable before you create the external key store or update its settings.`,
    )
}

/** The code a connection attempt of `store` would fail with now, if any (see the module comment). */
export function connectionProblem(store: CustomKeyStore): ConnectionErrorCodeType | undefined {
  if (store.simulatedFailure !== undefined) return store.simulatedFailure
  if (store.xks !== undefined && proxyUnreachable(store.xks)) return 'XKS_PROXY_NOT_REACHABLE'
  return undefined
}

/**
 * Gives the store `id` (in any account and Region) a simulated backing-store problem: its
 * connection attempts end FAILED with `code` until it is cleared with `undefined`. A code not
 * documented for the store's type is a ValidationException naming the valid ones. Changes no
 * connection state by itself (a CONNECTED store stays CONNECTED until reconnected).
 */
export function setConnectionFailure(store: KmsStore, id: string, code: string | undefined): CustomKeyStore {
  let found: CustomKeyStore | undefined
  for (const state of store.regions()) found ??= state.customKeyStores.get(id)
  if (found === undefined) throw new CustomKeyStoreNotFoundException(`Custom key store ${id} does not exist.`)
  if (code === undefined) {
    found.simulatedFailure = undefined
    return found
  }
  const valid = CONNECTION_ERROR_CODES[found.type]
  if (!valid.includes(code as ConnectionErrorCodeType))
    throw new ValidationException(
      `ConnectionErrorCode ${JSON.stringify(code)} is not documented for a ${found.type} key store; use one of ${valid.join(', ')}.`,
    )
  found.simulatedFailure = code as ConnectionErrorCodeType
  return found
}

const NO_STORES: readonly CustomKeyStoreType[] = Object.freeze([])
const HSM_ONLY: readonly CustomKeyStoreType[] = Object.freeze(['AWS_CLOUDHSM'])
const XKS_ONLY: readonly CustomKeyStoreType[] = Object.freeze(['EXTERNAL_KEY_STORE'])

/** The side-effect-free lookups {@link keyStoresOfCall} needs (the KMS core has them). */
export interface KeyPeek<C> {
  readonly store: KmsStore
  peekKey(keyId: unknown, caller: C): KmsKey | undefined
  peekCiphertextKey(blob: unknown, caller: C): KmsKey | undefined
}

function typeOf(key: KmsKey | undefined): CustomKeyStoreType | undefined {
  const o = key?.origin
  return o === 'AWS_CLOUDHSM' || o === 'EXTERNAL_KEY_STORE' ? o : undefined
}

function only(t: CustomKeyStoreType | undefined): readonly CustomKeyStoreType[] {
  return t === undefined ? NO_STORES : t === 'AWS_CLOUDHSM' ? HSM_ONLY : XKS_ONLY
}

/**
 * The custom key stores a call contacts, one entry per round trip to an HSM cluster or an XKS
 * proxy, for the latency model's key-store term: the operations the "Custom key store request
 * quotas" row lists (Decrypt, DeriveSharedSecret, Encrypt, GenerateDataKey,
 * GenerateDataKeyWithoutPlaintext, GenerateRandom, ReEncrypt; kms-facts.md §1.2) on a key in a
 * store (ReEncrypt: its source and its destination key), GenerateRandom with a CustomKeyStoreId.
 * Side-effect free (no audit, no errors); empty when no custom key store exists at all.
 */
export function keyStoresOfCall<C extends { readonly account: string; readonly region: string }>(
  core: KeyPeek<C>,
  op: string,
  input: unknown,
  caller: C,
): readonly CustomKeyStoreType[] {
  if (!core.store.hasCustomKeyStores() || typeof input !== 'object' || input === null) return NO_STORES
  const i = input as Record<string, unknown>
  switch (op) {
    case 'Encrypt':
    case 'GenerateDataKey':
    case 'GenerateDataKeyWithoutPlaintext':
    case 'DeriveSharedSecret':
      return only(typeOf(core.peekKey(i.KeyId, caller)))
    case 'Decrypt':
      return only(
        typeOf(
          i.KeyId !== undefined ? core.peekKey(i.KeyId, caller) : core.peekCiphertextKey(i.CiphertextBlob, caller),
        ),
      )
    case 'ReEncrypt': {
      const src = typeOf(
        i.SourceKeyId !== undefined
          ? core.peekKey(i.SourceKeyId, caller)
          : core.peekCiphertextKey(i.CiphertextBlob, caller),
      )
      const dst = typeOf(core.peekKey(i.DestinationKeyId, caller))
      return src === undefined ? only(dst) : dst === undefined ? only(src) : [src, dst]
    }
    case 'GenerateRandom':
      return typeof i.CustomKeyStoreId === 'string'
        ? only(core.store.peekRegion(caller.account, caller.region)?.customKeyStores.get(i.CustomKeyStoreId)?.type)
        : NO_STORES
    default:
      return NO_STORES
  }
}

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
    ...(s.connectionState === 'FAILED' && s.connectionErrorCode !== undefined
      ? { ConnectionErrorCode: s.connectionErrorCode }
      : {}),
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

/** Ends a connection attempt: FAILED with the store's problem, else CONNECTED (keys back in their states). */
function connected(state: RegionState, store: CustomKeyStore): void {
  const problem = connectionProblem(store)
  if (problem !== undefined) {
    store.connectionState = 'FAILED'
    store.connectionErrorCode = problem
    return
  }
  store.connectionState = 'CONNECTED'
  for (const key of keysIn(state, store)) {
    const before = store.suspended.get(key.keyId)
    if (key.state === 'Unavailable') key.state = before ?? 'Enabled'
  }
  store.suspended.clear()
}

/** ConnectCustomKeyStore: CONNECTING now, CONNECTED (or FAILED) after the connect delay of clock time. */
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
  store.connectionErrorCode = undefined
  for (const key of keysIn(state, store)) {
    if (key.state === 'Unavailable' || key.state === 'PendingDeletion') continue
    store.suspended.set(key.keyId, key.state)
    key.state = 'Unavailable'
  }
}

/** After a snapshot restore: a store left CONNECTING completes (or fails), as it would have meanwhile. */
export function finishConnecting(core: CoreServices): void {
  for (const state of core.store.regions())
    for (const store of state.customKeyStores.values())
      if (store.connectionState === 'CONNECTING') connected(state, store)
}
