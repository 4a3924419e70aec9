/**
 * The call pattern of the AWS KMS Hierarchical keyring and its branch key store, as the
 * specification and the TypeScript implementation define them:
 * - awslabs/aws-encryption-sdk-specification `framework/aws-kms/aws-kms-hierarchical-keyring.md`
 *   (cache limit TTL, a cache of 1000 entries unless given, partition ID, shared cache, cache
 *   entry identifiers per branch key for encrypt and per branch key *version* for decrypt) and
 *   `framework/branch-key-store.md` (GetActiveBranchKey / GetBranchKeyVersion: one DynamoDB
 *   `GetItem` and one KMS `Decrypt`; CreateKey / VersionKey: GenerateDataKeyWithoutPlaintext
 *   and ReEncrypt, then one `TransactWriteItems`);
 * - `@aws-crypto/kms-keyring-node` 5.0.2 `KmsHierarchicalKeyRingNode` (ESDK-JS 4.1+): an entry
 *   older than `cacheLimitTtl` (`age > ttl`) is fetched again; concurrent misses each fetch (no
 *   single-flight in the JS keyring);
 * - https://docs.aws.amazon.com/database-encryption-sdk/latest/devguide/use-hierarchical-keyring.html.
 * `hierarchical-keyring.test.ts` runs the real keyring through kms-bench's endpoint and moto's
 * DynamoDB and checks these counts. Times are epoch ms; no clock of its own.
 */
import { LRUCache } from 'lru-cache'

/** Entries of the keyring's cache when none is given (the spec's and the JS keyring's 1000). */
export const DEFAULT_BRANCH_KEY_CACHE_CAPACITY = 1000

/**
 * Calls to create a branch key (CreateKey: the decrypt-only record, the ACTIVE record and the
 * beacon key), or to version one (VersionKey), per the branch key store spec and the JS store.
 */
export const BRANCH_KEY_CREATE_CALLS = Object.freeze({
  GenerateDataKeyWithoutPlaintext: 2,
  ReEncrypt: 1,
  TransactWriteItems: 1,
})
/** VersionKey: GetItem of the ACTIVE record, its ReEncrypt check, a new GenerateDataKeyWithoutPlaintext + ReEncrypt, one TransactWriteItems. */
export const BRANCH_KEY_VERSION_CALLS = Object.freeze({
  GetItem: 1,
  GenerateDataKeyWithoutPlaintext: 1,
  ReEncrypt: 2,
  TransactWriteItems: 1,
})

/** A cryptographic materials cache of branch key materials; pass one to several keyrings to share it. */
export class BranchKeyCache {
  readonly capacity: number
  readonly #lru: LRUCache<string, { created: number }>
  /** entries evicted because the cache was full */
  evicted = 0

  constructor(capacity = DEFAULT_BRANCH_KEY_CACHE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`cacheCapacity must be an integer >= 1, got ${capacity}`)
    this.capacity = capacity
    this.#lru = new LRUCache({
      max: capacity,
      dispose: (_v, _k, reason) => void (reason === 'evict' && this.evicted++),
    })
  }

  /** The entry's creation time, if cached. */
  created(id: string): number | undefined {
    return this.#lru.get(id)?.created
  }

  put(id: string, now: number): void {
    this.#lru.set(id, { created: now })
  }

  get size(): number {
    return this.#lru.size
  }
}

/** Key-store calls one keyring operation made (0 on a cache hit). */
export interface KeyStoreCalls {
  /** DynamoDB GetItem */
  readonly getItem: number
  /** KMS Decrypt of the branch key */
  readonly decrypt: number
}

const HIT: KeyStoreCalls = Object.freeze({ getItem: 0, decrypt: 0 })
const MISS: KeyStoreCalls = Object.freeze({ getItem: 1, decrypt: 1 })

/** Options of {@link HierarchicalKeyringModel}. */
export interface HierarchicalKeyringModelOptions {
  /** the cache limit TTL, seconds (required by the keyring) */
  readonly ttlSeconds: number
  /** keyrings share entries only with the same partition ID (and logical key store). @default a random one per keyring */
  readonly partitionId?: string
  /** @default 'kms-bench' */
  readonly logicalKeyStoreName?: string
  /** a shared cache. @default a new cache of `cacheCapacity` entries */
  readonly cache?: BranchKeyCache
  /** @default 1000 */
  readonly cacheCapacity?: number
}

let partitions = 0

/** One hierarchical keyring: which of its encrypts and decrypts reach the branch key store. */
export class HierarchicalKeyringModel {
  readonly ttlMs: number
  readonly cache: BranchKeyCache
  readonly #prefix: string

  constructor(o: HierarchicalKeyringModelOptions) {
    if (!(o.ttlSeconds >= 0) || !Number.isFinite(o.ttlSeconds))
      throw new RangeError(`ttl must be a non-negative number of seconds, got ${o.ttlSeconds}`)
    if (o.cache !== undefined && o.cacheCapacity !== undefined)
      throw new RangeError('cacheCapacity cannot be given with a shared cache (the keyring refuses it too)')
    this.ttlMs = o.ttlSeconds * 1000
    this.cache = o.cache ?? new BranchKeyCache(o.cacheCapacity)
    // The spec's cache entry identifier: logical key store name, partition ID, branch key ID [, version].
    this.#prefix = `${o.logicalKeyStoreName ?? 'kms-bench'}\u0000${o.partitionId ?? `random-${++partitions}`}\u0000`
  }

  /** The cache entry identifier of OnEncrypt: the ACTIVE branch key of `branchKeyId`. */
  encryptEntry(branchKeyId: string): string {
    return `${this.#prefix}${branchKeyId}`
  }

  /** The cache entry identifier of OnDecrypt: the branch key version the message names. */
  decryptEntry(branchKeyId: string, version: string): string {
    return `${this.#prefix}${branchKeyId}\u0000${version}`
  }

  /** Whether entry `id` may serve at `now` (cached and `age <= ttl`). */
  fresh(id: string, now: number): boolean {
    const created = this.cache.created(id)
    return created !== undefined && now - created <= this.ttlMs
  }

  /** The key store answered: the entry is (re)created at `now`. */
  put(id: string, now: number): void {
    this.cache.put(id, now)
  }

  /** OnEncrypt in one step (the fetch completing at once): the key-store calls it makes. */
  onEncrypt(branchKeyId: string, now: number): KeyStoreCalls {
    return this.#lookup(this.encryptEntry(branchKeyId), now)
  }

  /** OnDecrypt in one step. */
  onDecrypt(branchKeyId: string, version: string, now: number): KeyStoreCalls {
    return this.#lookup(this.decryptEntry(branchKeyId, version), now)
  }

  #lookup(id: string, now: number): KeyStoreCalls {
    if (this.fresh(id, now)) return HIT
    this.put(id, now)
    return MISS
  }
}
