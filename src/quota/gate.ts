/**
 * The quota gate: decides, before an operation runs, whether the call is admitted or
 * throttled, and charges the pools it counts against
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
 *
 * Who is charged:
 * - the **calling** account in the caller's Region, cross-account calls included ("For
 *   cross-account requests, AWS KMS throttles the account that makes the requests, not the
 *   account that owns the KMS key");
 * - calls AWS services make on the caller's behalf (S3 SSE-KMS, `caller.viaService`) count
 *   the same way ("API requests made on your behalf");
 * - **AWS owned keys count against nothing** ("The use of AWS owned keys does not count
 *   against request quotas for your AWS account").
 *
 * What is charged: see `pools.ts`. Particulars:
 * - a key in a custom key store charges the shared pool *and* the store's own pool;
 * - ReEncrypt uses two keys. The docs say each shared quota "applies to all requests for
 *   these operations in the AWS account and Region with the given key type", and name no
 *   rule for mixed types, so a ReEncrypt is charged once to the pool of each key type it
 *   uses: the source key's and the destination key's (once when both are the same type),
 *   and to each custom key store involved;
 * - ReplicateKey counts 1 ReplicateKey in the primary Region plus 2 CreateKey in the replica
 *   Region; UpdatePrimaryRegion counts 1 in each affected Region (the per-API table);
 * - a key the gate cannot find is charged to the operation's default pool (the call then
 *   fails in the core, as it would at AWS: throttling is decided before validation).
 *
 * A call charged to several pools is admitted only when every pool has room, and then
 * charged to all; a throttled call is charged to none (it did no work). Its throttle is
 * metered on the pools that had no room.
 */
import { isKnownRegion } from '../regions.ts'
import type { Clock } from '../clock.ts'
import type { ResolvedQuotaConfig } from './config.ts'
import { LimiterSlot } from './limiter.ts'
import { MeterEntry } from './meter.ts'
import {
  API_POOL_PREFIX,
  CUSTOM_KEY_STORE_POOL,
  HOT_KEY_POOL,
  KEY_PAIR_POOL_PREFIX,
  KEY_PAIR_SPECS,
  OPERATION_CHARGES,
  sharedPoolOfKeySpec,
  type SharedPool,
} from './pools.ts'
import type { PoolUsage, QuotaUsage, UsageSecond } from './usage.ts'

/** What the gate needs to know about the caller. */
export interface QuotaCaller {
  readonly account: string
  readonly region: string
}

/** What the gate needs to know about a key (a subset of the core's key record). */
export interface QuotaKey {
  readonly arn: string
  readonly account: string
  readonly region: string
  readonly keySpec: string
  readonly customKeyStoreId: string | undefined
  /** AWS owned keys count against no quota. */
  readonly awsOwned?: boolean
}

/** Side-effect-free key lookups the gate uses to pick pools (implemented by the KMS core). */
export interface KeyLookup<C extends QuotaCaller> {
  /** The key a KeyId parameter (id, ARN, alias) names for `caller`, if it exists. */
  peekKey(keyId: unknown, caller: C): QuotaKey | undefined
  /** The key a symmetric ciphertext names, if it exists in the caller's Region. */
  peekCiphertextKey(ciphertext: unknown, caller: C): QuotaKey | undefined
  /**
   * A number that moves whenever keys may have changed; when given, the gate memoizes the
   * pool of repeated calls with the same caller and KeyId until it moves.
   */
  readonly stateVersion?: number
}

/** A pool's limiter and meter. */
interface Counter {
  readonly slot: LimiterSlot
  readonly meter: MeterEntry
}

/** `null` = the pool has no quota; `undefined` = not looked up yet. */
type CounterRef = Counter | null

const HOT_KEY_SWEEP_AT = 1024
// Module-local copies of imports used per call: under vitest's module transform (Vite's SSR
// transform, not native ESM) an imported binding becomes a property read through a getter on
// every access. Native ESM (node, tsx: this package is "type": "module") reads it directly.
const CHARGES = OPERATION_CHARGES
const poolOfKeySpec = sharedPoolOfKeySpec
const KEY_PAIR_SPEC_SET: ReadonlySet<string> = new Set(KEY_PAIR_SPECS)
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({})

class RegionQuotas {
  readonly account: string
  readonly region: string
  readonly shared: Record<SharedPool, CounterRef | undefined> = {
    symmetric: undefined,
    rsa: undefined,
    ecc: undefined,
    'ml-dsa': undefined,
  }
  readonly named = new Map<string, CounterRef>()
  readonly hotKeys = new Map<string, Counter>()
  hotKeyMeter: MeterEntry | null | undefined
  hotKeyLimit = 0
  /** Size at which idle hot-key limiters are next swept (amortized: doubles with live keys). */
  hotKeySweepAt = HOT_KEY_SWEEP_AT

  constructor(account: string, region: string) {
    this.account = account
    this.region = region
  }
}

/** Decides and meters the request quotas of every account × Region. */
export class QuotaGate<C extends QuotaCaller = QuotaCaller> {
  readonly config: ResolvedQuotaConfig
  readonly #clock: Clock
  readonly #accounts = new Map<string, Map<string, RegionQuotas>>()
  readonly #stores = new Map<string, CounterRef>()
  readonly #meters: MeterEntry[] = []
  // scratch list of the pools one call is charged to
  readonly #counters: Counter[] = []
  readonly #costs: number[] = []
  #n = 0
  // the memo of admit()'s crypto case
  #memoKeyId: string | undefined
  #memoCaller: C | undefined
  #memoCharge: unknown
  #memoVersion = -1
  #memoCounter: CounterRef = null

  constructor(config: ResolvedQuotaConfig, clock: Clock) {
    this.config = config
    this.#clock = clock
  }

  /**
   * Decides one call: `true` admits it (and charges its pools), `false` throttles it (and
   * charges nothing). `input` is the operation's raw input, not yet validated.
   */
  admit(op: string, input: unknown, caller: C, keys: KeyLookup<C>): boolean {
    const charge = CHARGES.get(op)
    if (charge === undefined) return true
    const inp = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : EMPTY
    switch (charge.kind) {
      case 'crypto': {
        // A one-entry memo of the last crypto call's pool: load runs repeat the same caller,
        // KeyId and operation millions of times. Valid while the core's state does not change.
        const keyId = inp.KeyId
        const version = keys.stateVersion
        if (
          keyId === this.#memoKeyId &&
          caller === this.#memoCaller &&
          charge === this.#memoCharge &&
          version !== undefined &&
          version === this.#memoVersion
        ) {
          return this.#single(this.#memoCounter, 1)
        }
        const key = keys.peekKey(keyId, caller)
        if (
          key !== undefined &&
          key.awsOwned !== true &&
          (!charge.customKeyStore || key.customKeyStoreId === undefined) &&
          typeof keyId === 'string' &&
          version !== undefined
        ) {
          const rs = this.#region(caller.account, caller.region)
          const pool = poolOfKeySpec(key.keySpec) ?? charge.defaultPool
          this.#memoCounter = rs.shared[pool] ?? this.#shared(rs, pool)
          this.#memoKeyId = keyId
          this.#memoCaller = caller
          this.#memoCharge = charge
          this.#memoVersion = version
          return this.#single(this.#memoCounter, 1)
        }
        return this.#crypto(caller, key, charge.defaultPool, charge.customKeyStore)
      }
      case 'decrypt': {
        const key =
          inp.KeyId !== undefined ? keys.peekKey(inp.KeyId, caller) : keys.peekCiphertextKey(inp.CiphertextBlob, caller)
        return this.#crypto(caller, key, 'symmetric', true)
      }
      case 'reencrypt':
        return this.#reEncrypt(caller, inp, keys)
      case 'random': {
        const rs = this.#region(caller.account, caller.region)
        this.#n = 0
        this.#add(this.#shared(rs, 'symmetric'), 1)
        const store = inp.CustomKeyStoreId
        if (typeof store === 'string' && store.length > 0)
          this.#add(this.#store(store, caller.account, caller.region), 1)
        return this.#commit()
      }
      case 'key-pair': {
        const key = inp.KeyId !== undefined ? keys.peekKey(inp.KeyId, caller) : undefined
        const spec = inp.KeyPairSpec
        if (key?.awsOwned === true || typeof spec !== 'string' || !KEY_PAIR_SPEC_SET.has(spec)) return true
        const rs = this.#region(caller.account, caller.region)
        return this.#single(this.#named(rs, KEY_PAIR_POOL_PREFIX + spec), 1)
      }
      case 'api': {
        const keyId = charge.keyParam !== undefined ? inp[charge.keyParam] : undefined
        const key = keyId !== undefined ? keys.peekKey(keyId, caller) : undefined
        if (key?.awsOwned === true) return true
        const rs = this.#region(caller.account, caller.region)
        const api = this.#named(rs, API_POOL_PREFIX + op)
        if (!charge.hotKey || typeof keyId !== 'string') return this.#single(api, 1)
        this.#n = 0
        this.#add(api, 1)
        this.#add(this.#hotKey(rs, key?.arn ?? keyId), 1)
        return this.#commit()
      }
      case 'replicate-key': {
        const key = keys.peekKey(inp.KeyId, caller)
        if (key?.awsOwned === true) return true
        this.#n = 0
        this.#add(this.#named(this.#region(caller.account, caller.region), `${API_POOL_PREFIX}ReplicateKey`), 1)
        const replica = inp.ReplicaRegion
        // One real CreateKey and one dry run in the replica Region (per-API table).
        if (typeof replica === 'string' && isKnownRegion(replica))
          this.#add(this.#named(this.#region(caller.account, replica), `${API_POOL_PREFIX}CreateKey`), 2)
        return this.#commit()
      }
      case 'update-primary-region': {
        const keyId = inp.KeyId
        const key = keys.peekKey(keyId, caller)
        if (key?.awsOwned === true) return true
        const rs = this.#region(caller.account, caller.region)
        this.#n = 0
        this.#add(this.#named(rs, `${API_POOL_PREFIX}UpdatePrimaryRegion`), 1)
        const target = inp.PrimaryRegion
        if (typeof target === 'string' && isKnownRegion(target))
          this.#add(this.#named(this.#region(caller.account, target), `${API_POOL_PREFIX}UpdatePrimaryRegion`), 1)
        if (typeof keyId === 'string') this.#add(this.#hotKey(rs, key?.arn ?? keyId), 1)
        return this.#commit()
      }
    }
  }

  /** Everything metered so far, sorted by account, Region and pool; the series oldest first. */
  usage(): QuotaUsage {
    const pools: PoolUsage[] = this.#meters.map((m) => m.usage())
    pools.sort((a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.pool, b.pool))
    const seconds: UsageSecond[] = this.#meters.flatMap((m) => m.series())
    seconds.sort((a, b) => a.epochSecond - b.epochSecond || cmp(a.key, b.key))
    return { pools, seconds }
  }

  /** The limit (requests/s, scaled) of `pool` in `region`, or `undefined` when it has none. */
  limit(region: string, pool: string): number | undefined {
    return this.config.limit(region, pool)
  }

  /** Number of limiter slots held (pools in use plus hot keys with a live window), for memory checks. */
  get slotCount(): number {
    let n = this.#stores.size
    for (const regions of this.#accounts.values()) {
      for (const rs of regions.values()) {
        n += rs.named.size + rs.hotKeys.size
        for (const c of Object.values(rs.shared)) if (c !== undefined) n++
      }
    }
    return n
  }

  /** Forgets all usage and limiter state. */
  reset(): void {
    this.#accounts.clear()
    this.#stores.clear()
    this.#meters.length = 0
    this.#n = 0
    this.#memoVersion = -1
    this.#memoCaller = undefined
    this.#memoCounter = null
  }

  #crypto(caller: C, key: QuotaKey | undefined, defaultPool: SharedPool, customKeyStore: boolean): boolean {
    if (key?.awsOwned === true) return true
    const rs = this.#region(caller.account, caller.region)
    const pool = key === undefined ? defaultPool : (poolOfKeySpec(key.keySpec) ?? defaultPool)
    const shared = rs.shared[pool] ?? this.#shared(rs, pool)
    const store = customKeyStore ? key?.customKeyStoreId : undefined
    if (store === undefined) return this.#single(shared, 1)
    this.#n = 0
    this.#add(shared, 1)
    this.#add(this.#store(store, key?.account ?? caller.account, key?.region ?? caller.region), 1)
    return this.#commit()
  }

  #reEncrypt(caller: C, inp: Readonly<Record<string, unknown>>, keys: KeyLookup<C>): boolean {
    const source =
      inp.SourceKeyId !== undefined
        ? keys.peekKey(inp.SourceKeyId, caller)
        : keys.peekCiphertextKey(inp.CiphertextBlob, caller)
    const destination = keys.peekKey(inp.DestinationKeyId, caller)
    const rs = this.#region(caller.account, caller.region)
    this.#n = 0
    for (const key of [source, destination]) {
      if (key?.awsOwned === true) continue
      const pool = key === undefined ? 'symmetric' : (poolOfKeySpec(key.keySpec) ?? 'symmetric')
      this.#addOnce(this.#shared(rs, pool))
      if (key?.customKeyStoreId !== undefined) this.#addOnce(this.#store(key.customKeyStoreId, key.account, key.region))
    }
    return this.#commit()
  }

  #region(account: string, region: string): RegionQuotas {
    let regions = this.#accounts.get(account)
    if (regions === undefined) this.#accounts.set(account, (regions = new Map()))
    let rs = regions.get(region)
    if (rs === undefined) regions.set(region, (rs = new RegionQuotas(account, region)))
    return rs
  }

  #shared(rs: RegionQuotas, pool: SharedPool): CounterRef {
    let c = rs.shared[pool]
    if (c === undefined) rs.shared[pool] = c = this.#newCounter(rs.account, rs.region, pool)
    return c
  }

  #named(rs: RegionQuotas, pool: string): CounterRef {
    let c = rs.named.get(pool)
    if (c === undefined) rs.named.set(pool, (c = this.#newCounter(rs.account, rs.region, pool)))
    return c
  }

  /** A custom key store's pool, shared by every account that uses keys in it; metered under the store's account and Region. */
  #store(storeId: string, account: string, region: string): CounterRef {
    let c = this.#stores.get(storeId)
    if (c === undefined)
      this.#stores.set(storeId, (c = this.#newCounter(account, region, `${CUSTOM_KEY_STORE_POOL}:${storeId}`)))
    return c
  }

  /** One limiter per key (metered together as the Region's `hot-key` pool). */
  #hotKey(rs: RegionQuotas, keyRef: string): CounterRef {
    if (rs.hotKeyMeter === undefined) {
      const limit = this.config.limit(rs.region, HOT_KEY_POOL)
      if (limit === undefined) rs.hotKeyMeter = null
      else {
        rs.hotKeyLimit = limit
        rs.hotKeyMeter = new MeterEntry(
          rs.account,
          rs.region,
          HOT_KEY_POOL,
          limit,
          new LimiterSlot(limit, this.config.mode).plan.seconds,
          this.config.retentionSeconds,
        )
        this.#meters.push(rs.hotKeyMeter)
      }
    }
    const meter = rs.hotKeyMeter
    if (meter === null) return null
    let c = rs.hotKeys.get(keyRef)
    if (c === undefined) {
      if (rs.hotKeys.size >= rs.hotKeySweepAt) {
        // Limiters whose window is over hold nothing a fresh one would not: drop them, so
        // memory follows the keys changed in the current window, not the run length.
        const now = this.#clock.now()
        for (const [k, v] of rs.hotKeys) if (v.slot.idleAt(now)) rs.hotKeys.delete(k)
        rs.hotKeySweepAt = Math.max(HOT_KEY_SWEEP_AT, 2 * rs.hotKeys.size)
      }
      c = { slot: new LimiterSlot(rs.hotKeyLimit, this.config.mode), meter }
      rs.hotKeys.set(keyRef, c)
    }
    return c
  }

  #newCounter(account: string, region: string, pool: string): CounterRef {
    const limit = this.config.limit(region, pool)
    if (limit === undefined) return null
    const slot = new LimiterSlot(limit, this.config.mode)
    const meter = new MeterEntry(account, region, pool, limit, slot.plan.seconds, this.config.retentionSeconds)
    this.#meters.push(meter)
    return { slot, meter }
  }

  #single(c: CounterRef, cost: number): boolean {
    if (c === null) return true
    const now = this.#clock.now()
    if (c.slot.tryTake(now, cost)) {
      c.meter.accept(now, cost)
      return true
    }
    c.meter.reject(now, cost)
    return false
  }

  #add(c: CounterRef, cost: number): void {
    if (c === null) return
    for (let i = 0; i < this.#n; i++) {
      if (this.#counters[i] === c) {
        this.#costs[i] = (this.#costs[i] as number) + cost
        return
      }
    }
    this.#counters[this.#n] = c
    this.#costs[this.#n] = cost
    this.#n++
  }

  #addOnce(c: CounterRef): void {
    if (c === null) return
    for (let i = 0; i < this.#n; i++) if (this.#counters[i] === c) return
    this.#add(c, 1)
  }

  #commit(): boolean {
    const n = this.#n
    this.#n = 0
    if (n === 0) return true
    const now = this.#clock.now()
    let ok = true
    for (let i = 0; i < n; i++) {
      const c = this.#counters[i] as Counter
      c.slot.refresh(now)
      if (!c.slot.fits(this.#costs[i] as number)) ok = false
    }
    for (let i = 0; i < n; i++) {
      const c = this.#counters[i] as Counter
      const cost = this.#costs[i] as number
      if (ok) {
        c.slot.take(cost)
        c.meter.accept(now, cost)
      } else if (!c.slot.fits(cost)) {
        c.meter.reject(now, cost)
      }
    }
    return ok
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
