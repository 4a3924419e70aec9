/**
 * In-memory KMS state, per account × Region. One emulator holds many accounts and Regions;
 * a single-Region key exists only in its Region's state, a multi-Region key has one record
 * per Region that holds it.
 */
import { type ChangeTracker, NO_TRACKING, TrackedMap } from './changes.ts'
import { GrantStore } from './grants.ts'
import type { KmsKey } from './key.ts'
import type {
  ConnectionErrorCodeType,
  ConnectionStateType,
  CustomKeyStoreType,
  KeyState,
  XksProxyConnectivityType,
} from './model.generated.ts'

/** An alias (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html). */
export interface AliasRecord {
  /** Including the `alias/` prefix. */
  readonly aliasName: string
  targetKeyId: string
  readonly createdAt: number
  updatedAt: number
}

/** The XKS proxy settings of an external key store (the secret access key is kept only as given). */
export interface XksSettings {
  uriEndpoint: string
  uriPath: string
  connectivity: XksProxyConnectivityType
  vpcEndpointServiceName: string | undefined
  accessKeyId: string
  secretAccessKey: string
}

/** One custom key store. */
export interface CustomKeyStore {
  readonly id: string
  name: string
  readonly type: CustomKeyStoreType
  readonly account: string
  readonly region: string
  readonly createdAt: number
  cloudHsmClusterId: string | undefined
  readonly trustAnchorCertificate: string | undefined
  /** The kmsuser password (CloudHSM): kept to model UpdateCustomKeyStore, never echoed. */
  keyStorePassword: string | undefined
  xks: XksSettings | undefined
  connectionState: ConnectionStateType
  /** Why the last connection attempt failed; set only while `connectionState` is FAILED. */
  connectionErrorCode?: ConnectionErrorCodeType | undefined
  /**
   * A problem of the (simulated) backing key store that makes every connection attempt end
   * FAILED with this code until cleared (`setConnectionFailure` in custom-key-stores.ts).
   */
  simulatedFailure?: ConnectionErrorCodeType | undefined
  /** Key states before the store disconnected, restored when it is CONNECTED again. */
  readonly suspended: Map<string, KeyState>
}

/** Everything KMS holds for one account in one Region. */
export class RegionState {
  /** Keys by key id. */
  readonly keys: Map<string, KmsKey>
  /** Aliases by alias name (`alias/...`). */
  readonly aliases: Map<string, AliasRecord>
  /** Grants on this state's keys (grants.ts). */
  readonly grants: GrantStore
  /**
   * Custom key stores by id (`custom-key-stores.ts`). Few and small: saved whole by the
   * journal's by-value comparison of untracked fields (state-records.ts), so a plain Map.
   */
  readonly customKeyStores = new Map<string, CustomKeyStore>()

  readonly account: string
  readonly region: string

  /** `tracker` learns which entries change (`changes.ts`); a new field that is a map should be a TrackedMap too. */
  constructor(account: string, region: string, tracker: ChangeTracker = NO_TRACKING) {
    this.account = account
    this.region = region
    const id = `${account}/${region}`
    this.keys = new TrackedMap(tracker, id, 'keys')
    this.aliases = new TrackedMap(tracker, id, 'aliases')
    this.grants = new GrantStore(tracker, id)
  }

  /** Aliases that point at `keyId`, sorted by name. */
  aliasesOf(keyId: string): AliasRecord[] {
    const out: AliasRecord[] = []
    for (const a of this.aliases.values()) if (a.targetKeyId === keyId) out.push(a)
    return out.sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0))
  }
}

/** All accounts and Regions. */
export class KmsStore {
  readonly #states = new Map<string, RegionState>()
  /**
   * The same states by account, then Region: the hot path looks a state up without building
   * the `account/region` string (a concatenation and its hash on every call).
   */
  readonly #byAccount = new Map<string, Map<string, RegionState>>()
  /** Which records change (for incremental persistence, `changes.ts`). */
  readonly changes: ChangeTracker
  /** The state last looked up, by its account and Region (most calls name the same ones as the last). */
  #last: RegionState | undefined

  constructor(changes: ChangeTracker) {
    this.changes = changes
  }

  /** The state of `account` in `region`, created empty on first use. */
  region(account: string, region: string): RegionState {
    const s = this.peekRegion(account, region)
    if (s !== undefined) return s
    const created = new RegionState(account, region, this.changes)
    this.#states.set(`${account}/${region}`, created)
    let regions = this.#byAccount.get(account)
    if (regions === undefined) {
      regions = new Map()
      this.#byAccount.set(account, regions)
    }
    regions.set(region, created)
    return created
  }

  /** The state of `account` in `region` if it exists. */
  peekRegion(account: string, region: string): RegionState | undefined {
    const last = this.#last
    if (last !== undefined && last.account === account && last.region === region) return last
    const s = this.#byAccount.get(account)?.get(region)
    if (s !== undefined) this.#last = s
    return s
  }

  /** Every account × Region state that exists, in the order they were created. */
  /** True when some account and Region has a custom key store (a quick test for latency models). */
  hasCustomKeyStores(): boolean {
    for (const state of this.#states.values()) if (state.customKeyStores.size > 0) return true
    return false
  }

  regions(): IterableIterator<RegionState> {
    return this.#states.values()
  }

  /** Forgets everything. */
  clear(): void {
    this.changes.clearAll()
    this.#states.clear()
    this.#byAccount.clear()
    this.#last = undefined
  }
}
