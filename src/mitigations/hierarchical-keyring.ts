/**
 * The AWS KMS Hierarchical keyring as a mitigation: envelope encryption whose data keys are
 * wrapped locally under a *branch key* instead of being made by KMS per message
 * (https://docs.aws.amazon.com/database-encryption-sdk/latest/devguide/use-hierarchical-keyring.html;
 * awslabs/aws-encryption-sdk-specification `framework/aws-kms/aws-kms-hierarchical-keyring.md`,
 * `framework/branch-key-store.md`; ESDK-JS `KmsHierarchicalKeyRingNode`). The call counts are
 * those of `branch-key-cache.ts`, checked against the real keyring in
 * `test/hierarchical-keyring.test.ts`.
 *
 * - Setup (before the run, not counted in it; reported in stats): each branch key is created
 *   as the branch key store does: 2 × GenerateDataKeyWithoutPlaintext (the version record and the
 *   beacon key) + 1 × ReEncrypt (the ACTIVE record) and one DynamoDB TransactWriteItems.
 * - An application GenerateDataKey (an encrypt) takes the ACTIVE branch key of its tenant's
 *   branch key from the host's cache; a miss costs one DynamoDB GetItem and one KMS Decrypt. The
 *   data key is generated locally and wrapped with AES-256-GCM under a key derived with HKDF
 *   from the branch key and a per-message salt (our own format; the keyring's is KDF-CTR). In
 *   virtual time that local crypto is modelled, like the payload's (hierarchical-wrap.ts).
 * - An application Decrypt takes the branch key *version* the message names (its own cache
 *   entry); a miss costs one GetItem and one Decrypt. Stored messages the scenario made before
 *   the run with KMS data keys are taken as written by this keyring (branch key version 1 of
 *   their tenant): they are re-wrapped once, at first sight, as the writer did before the run.
 * - One cache per host (`cacheCapacity` entries, an entry lives `ttl`); concurrent misses each
 *   fetch, as in the JS keyring. The DynamoDB calls are counted in stats and priced on demand.
 */
import { z } from 'zod'
import {
  type EffectGenerator,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  kmsCall,
  sleep,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
  type ResolvedKey,
  type SetupKms,
  type Exposure,
} from '../load/index.ts'
import {
  BRANCH_KEY_CREATE_CALLS,
  DEFAULT_BRANCH_KEY_CACHE_CAPACITY,
  HierarchicalKeyringModel,
} from './branch-key-cache.ts'
import { blobId } from './call-keys.ts'
import { modelledWrap, realWrap, wrappedIndex } from './hierarchical-wrap.ts'
import { STORM_TRACKING_DEFAULTS } from './storm-tracking-cache.ts'
import { StormTracker } from './storm-tracker.ts'
import { durationOption, enumOption, intOption, invalidMitigation, parseOptions } from './params.ts'

/**
 * DynamoDB on-demand prices of us-east-1 (aws.amazon.com/dynamodb/pricing/on-demand/, since
 * 2024-11-01): $0.125 per million read request units, $0.625 per million write request units.
 * A strongly consistent GetItem of an item up to 4 KB is 1 read unit (the branch key store reads
 * consistently); a transactional write of an item up to 1 KB is 2 write units, 3 items per
 * CreateKey.
 */
export const DYNAMODB_PRICES = Object.freeze({ readUnitUsd: 0.125e-6, writeUnitUsd: 0.625e-6 })
const WRITE_UNITS_PER_CREATE = 3 * 2

/** Options of {@link hierarchicalKeyring}. */
export interface HierarchicalKeyringOptions {
  /** The cache limit TTL: how long branch key materials serve from the cache (`'15m'`, seconds). Required. */
  ttl: string | number
  /** Entries of each host's cache. @default 1000 */
  cacheCapacity?: number
  /** Keyrings share cache entries only within one partition. @default a random one per host */
  partitionId?: string
  /** Branch keys to create (one per tenant for multi-tenant workloads). @default 1 */
  branchKeys?: number
  /** The branch key of a request: tenant number → branch key index. @default tenant mod branchKeys */
  branchKeyIdSupplier?: (tenant: number) => number
  /** The scenario's key that wraps the branch keys. @default the first key */
  kmsKey?: string
  /**
   * The keyring's cache: `default` (the JS keyring's: concurrent misses each fetch) or
   * `storm-tracking` (the MPL's StormTrackingCache with the spec's defaults; storm-tracking-cache.ts).
   * @default 'default'
   */
  cache?: 'default' | 'storm-tracking'
}

const schema = z
  .object({
    ttl: durationOption('ttl', false, ' (the keyring requires a cache limit TTL)'),
    cacheCapacity: intOption('cacheCapacity', 1, 100_000_000).optional(),
    partitionId: z.string().min(1, { error: 'partitionId must be a non-empty string' }).optional(),
    branchKeys: intOption('branchKeys', 1, 1_000_000).optional(),
    branchKeyIdSupplier: z
      .custom<(t: number) => number>((v) => typeof v === 'function', {
        error: 'branchKeyIdSupplier must be a function (tenant) => branch key index',
      })
      .optional(),
    kmsKey: z.string().min(1).optional(),
    cache: enumOption('cache', ['default', 'storm-tracking']).optional(),
  })
  .superRefine((o, ctx) => {
    // aws-kms-hierarchical-keyring.md: a storm tracking cache's grace period must be less than the TTL.
    if (o.cache === 'storm-tracking' && o.ttl <= STORM_TRACKING_DEFAULTS.gracePeriod)
      ctx.addIssue({
        code: 'custom',
        path: ['ttl'],
        message: `ttl must exceed the storm tracking grace period (${STORM_TRACKING_DEFAULTS.gracePeriod} s)`,
      })
  })

/** A branch key as the store holds it: the wrapped ACTIVE and version records. */
interface BranchKey {
  readonly id: string
  readonly version: string
  readonly active: Uint8Array
  readonly versionRecord: Uint8Array
  readonly activeContext: Record<string, string>
  readonly versionContext: Record<string, string>
}

/**
 * The Hierarchical keyring in every host: `hierarchicalKeyring({ ttl: '15m', branchKeys: 50 })`.
 */
export function hierarchicalKeyring(options: HierarchicalKeyringOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('hierarchical-keyring', options, parsed.problems)
  const o = parsed.value
  const branchKeys = o.branchKeys ?? 1
  const capacity = o.cacheCapacity ?? DEFAULT_BRANCH_KEY_CACHE_CAPACITY
  return {
    name: 'hierarchical-keyring',
    params: {
      ttlSeconds: o.ttl,
      cacheCapacity: capacity,
      branchKeys,
      ...(o.partitionId !== undefined ? { partitionId: o.partitionId } : {}),
      ...(o.cache !== undefined ? { cache: o.cache } : {}),
    },
    assumptions: [
      'Hierarchical keyring: one keyring and cache per host; the branch key store reads with one consistent GetItem (1 read unit) per miss.',
      'Hierarchical keyring: in virtual time the local wrapping and unwrapping of each data key (HKDF-SHA256 + AES-256-GCM) is modelled, not executed, like the payload AES-GCM (nothing in the run reads it); real-time runs execute it.',
      `DynamoDB on demand, us-east-1 prices: $${DYNAMODB_PRICES.readUnitUsd * 1e6} per million read units, $${DYNAMODB_PRICES.writeUnitUsd * 1e6} per million write units (aws.amazon.com/dynamodb/pricing/on-demand).`,
    ],
    start: (ctx) => startKeyring(ctx, o, branchKeys, capacity),
  }
}

interface KeyringStats {
  branchKeysCreated: number
  setupKmsCalls: number
  encryptHits: number
  encryptMisses: number
  decryptHits: number
  decryptMisses: number
  dynamodbGetItem: number
  dynamodbTransactWriteItems: number
  passedThrough: number
  /** polls of requests waiting for a branch key another request is fetching (storm tracking) */
  stormBlocked: number
}

function startKeyring(
  ctx: MitigationContext,
  o: {
    ttl: number
    partitionId?: string | undefined
    kmsKey?: string | undefined
    branchKeyIdSupplier?: ((t: number) => number) | undefined
    cache?: 'default' | 'storm-tracking' | undefined
  },
  count: number,
  capacity: number,
): MitigationRun {
  const key: ResolvedKey | undefined = o.kmsKey !== undefined ? ctx.keys.get(o.kmsKey) : [...ctx.keys.values()][0]
  if (key === undefined) throw new Error(`hierarchical-keyring: no scenario key ${JSON.stringify(o.kmsKey ?? '(any)')}`)
  const supplier = o.branchKeyIdSupplier ?? ((t: number) => t % count)
  // Virtual time models the keyring's local crypto as it does the payload's (hierarchical-wrap.ts).
  const codec = ctx.localCrypto === false ? modelledWrap : realWrap
  const stats: KeyringStats = {
    branchKeysCreated: 0,
    setupKmsCalls: 0,
    encryptHits: 0,
    encryptMisses: 0,
    decryptHits: 0,
    decryptMisses: 0,
    dynamodbGetItem: 0,
    dynamodbTransactWriteItems: 0,
    passedThrough: 0,
    stormBlocked: 0,
  }
  const keys: BranchKey[] = []
  /** the writer's branch key materials, for messages stored before the run */
  const writer: Uint8Array[] = []
  /** stored messages' KMS data keys → the same message as the keyring wrote it */
  const rewrapped = new Map<string, Uint8Array>()
  const exposure = { peakMaterials: 0, held: 0, maxAgeMs: 0, maxMessages: 0 }
  let scale = 1
  const ttlMs = o.ttl * 1000
  const caller = {
    account: key.account,
    region: key.region,
    ...(ctx.principals?.[0] ? { principal: ctx.principals[0] } : {}),
  }
  return {
    async setup(kms: SetupKms) {
      for (let i = 0; i < count; i++) keys.push(await createBranchKey(kms, key, i, caller, writer))
      stats.branchKeysCreated = count
      stats.setupKmsCalls =
        count * (BRANCH_KEY_CREATE_CALLS.GenerateDataKeyWithoutPlaintext + BRANCH_KEY_CREATE_CALLS.ReEncrypt)
      stats.dynamodbTransactWriteItems = count * BRANCH_KEY_CREATE_CALLS.TransactWriteItems
    },
    wrap(next: KmsInvoker, host: Host): KmsInvoker {
      const storm = o.cache === 'storm-tracking' ? new StormTracker(STORM_SETTINGS) : undefined
      const model = new HierarchicalKeyringModel({
        ttlSeconds: o.ttl,
        cacheCapacity: capacity,
        ...(o.partitionId !== undefined ? { partitionId: o.partitionId } : {}),
      })
      const materials = new Map<string, { material: Uint8Array; created: number; messages: number }>()
      /** Branch key materials for entry `id`: from the cache, or the store (GetItem + KMS Decrypt). */
      function* material(
        id: string,
        bk: BranchKey,
        active: boolean,
        call: KmsCallSpec,
      ): EffectGenerator<Uint8Array | KmsOutcome> {
        let now = host.now()
        let cached = materials.get(id)
        if (storm !== undefined) {
          // StormTrackingCache: one fetch per key per grace interval, refresh-ahead, others wait.
          const started = now
          for (;;) {
            const fresh = model.fresh(id, now) && cached !== undefined
            const d = storm.decide(
              id,
              fresh ? (cached as { created: number }).created + ttlMs : undefined,
              now,
              now - started,
            )
            if (d === 'fail') return IN_FLIGHT_TTL_EXCEEDED
            if (d !== 'block') {
              if (d === 'fetch') cached = undefined
              break
            }
            stats.stormBlocked++
            yield* sleep(STORM_TRACKING_DEFAULTS.sleepMilli)
            now = host.now()
            cached = materials.get(id)
          }
        }
        if (cached !== undefined && model.fresh(id, now)) {
          if (active) stats.encryptHits++
          else stats.decryptHits++
          cached.messages++
          exposure.maxMessages = Math.max(exposure.maxMessages, cached.messages)
          exposure.maxAgeMs = Math.max(exposure.maxAgeMs, now - cached.created)
          return cached.material
        }
        if (active) stats.encryptMisses++
        else stats.decryptMisses++
        stats.dynamodbGetItem++
        const input = active
          ? { KeyId: key!.arn, CiphertextBlob: bk.active, EncryptionContext: bk.activeContext }
          : { KeyId: key!.arn, CiphertextBlob: bk.versionRecord, EncryptionContext: bk.versionContext }
        const out = yield* next(kmsCall('Decrypt', input, call.caller, call.meta))
        if (!out.ok) return out
        const m = (out.output as { Plaintext?: Uint8Array }).Plaintext as Uint8Array
        const t = host.now()
        model.put(id, t)
        storm?.put(id)
        if (!materials.has(id) && ++exposure.held > exposure.peakMaterials) exposure.peakMaterials = exposure.held
        materials.set(id, { material: new Uint8Array(m), created: t, messages: 1 })
        exposure.maxMessages = Math.max(exposure.maxMessages, 1)
        return materials.get(id)!.material
      }
      function* encrypt(call: KmsCallSpec): EffectGenerator<KmsOutcome> {
        const index = supplier(call.meta.tenant ?? 0)
        const bk = keys[index]
        if (bk === undefined) return branchKeyError(index)
        const m = yield* material(model.encryptEntry(bk.id), bk, true, call)
        if (!(m instanceof Uint8Array)) return m
        const spec = (call.input as { KeySpec?: string; NumberOfBytes?: number }).KeySpec
        const dataKey = codec.dataKey(
          spec === 'AES_128' ? 16 : ((call.input as { NumberOfBytes?: number }).NumberOfBytes ?? 32),
        )
        return {
          ok: true,
          output: { KeyId: key!.arn, Plaintext: dataKey, CiphertextBlob: codec.wrap(m, dataKey, index) },
        } as KmsOutcome
      }
      function* decrypt(call: KmsCallSpec, edk: Uint8Array, index: number): EffectGenerator<KmsOutcome> {
        const bk = keys[index]
        if (bk === undefined) return branchKeyError(index)
        const m = yield* material(model.decryptEntry(bk.id, bk.version), bk, false, call)
        if (!(m instanceof Uint8Array)) return m
        return {
          ok: true,
          output: { KeyId: key!.arn, Plaintext: codec.unwrap(m, edk), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        } as KmsOutcome
      }
      return (call) => {
        if (call.meta.s3 !== undefined || call.meta.service !== undefined) return next(call)
        if (call.operation === 'GenerateDataKey') return encrypt(call)
        if (call.operation !== 'Decrypt') {
          stats.passedThrough++
          return next(call)
        }
        let edk = (call.input as { CiphertextBlob: Uint8Array }).CiphertextBlob
        let index = wrappedIndex(edk)
        if (index === undefined) {
          // A message stored before the run: written by this keyring (version 1 of its tenant's branch key).
          index = supplier(call.meta.tenant ?? 0)
          const id = blobId(edk)
          let r = rewrapped.get(id)
          const w = writer[index]
          if (r === undefined && w !== undefined) rewrapped.set(id, (r = codec.wrap(w, codec.dataKey(32), index)))
          if (r === undefined) return next(call)
          edk = r
        }
        return decrypt(call, edk, index)
      }
    },
    finish: (result) => {
      scale = result.quotaScale ?? 1
    },
    stats: () => {
      // The reads of the run at full size (a scale model divides by its scale), per 730-hour month.
      const readsUsd = (stats.dynamodbGetItem * DYNAMODB_PRICES.readUnitUsd) / scale
      const month = (730 * 3600) / Math.max(ctx.durationSeconds, 1)
      return {
        ...stats,
        dynamodbReadUnits: stats.dynamodbGetItem,
        dynamodbWriteUnits: stats.dynamodbTransactWriteItems * WRITE_UNITS_PER_CREATE,
        dynamodbUsd:
          readsUsd + stats.dynamodbTransactWriteItems * WRITE_UNITS_PER_CREATE * DYNAMODB_PRICES.writeUnitUsd,
        dynamodbUsdPerMonth: readsUsd * month,
      }
    },
    exposure: (): Partial<Exposure> => ({
      maxMessagesPerDataKey: 1,
      notes: [
        `${exposure.peakMaterials.toLocaleString('en-US')} branch key materials held in memory at peak (all hosts); they stay in each host's memory up to the ${o.ttl} s TTL (longest seen ${(exposure.maxAgeMs / 1000).toFixed(1)} s) and protect up to ${exposure.maxMessages.toLocaleString('en-US')} messages each`,
      ],
    }),
    findings: () => {
      const reads = stats.dynamodbGetItem
      const writes = stats.dynamodbTransactWriteItems * WRITE_UNITS_PER_CREATE
      const usd = reads * DYNAMODB_PRICES.readUnitUsd + writes * DYNAMODB_PRICES.writeUnitUsd
      const monthly =
        ((reads * DYNAMODB_PRICES.readUnitUsd) / scale) * ((730 * 3600) / Math.max(ctx.durationSeconds, 1))
      return [
        `DynamoDB (branch key store): ${reads.toLocaleString('en-US')} GetItem in the run, ${stats.dynamodbTransactWriteItems.toLocaleString('en-US')} TransactWriteItems at setup: $${usd.toFixed(6)} on demand; the reads at this rate cost $${monthly.toFixed(2)} a month at full size (counted in the cost at full service).`,
      ]
    },
  }
}

const STORM_SETTINGS = {
  gracePeriodMs: STORM_TRACKING_DEFAULTS.gracePeriod * 1000,
  graceIntervalMs: STORM_TRACKING_DEFAULTS.graceInterval * 1000,
  fanOut: STORM_TRACKING_DEFAULTS.fanOut,
  inFlightTtlMs: STORM_TRACKING_DEFAULTS.inFlightTTL * 1000,
}
const IN_FLIGHT_TTL_EXCEEDED: KmsOutcome = {
  ok: false,
  error: { name: 'InFlightTTLExceeded', message: 'Storm tracking cache: InFlightTTL exceeded' },
}

function branchKeyError(index: number): KmsOutcome {
  return { ok: false, error: { name: 'BranchKeyNotFound', message: `branch key index ${index} does not exist` } }
}

/** CreateKey of the branch key store: the version record, the ACTIVE record (ReEncrypt), the beacon key. */
async function createBranchKey(
  kms: SetupKms,
  key: ResolvedKey,
  i: number,
  caller: { account: string; region: string; principal?: string },
  writer: Uint8Array[],
): Promise<BranchKey> {
  const id = `branch-key-${i}`
  const version = `v1-${i}`
  const base = { 'branch-key-id': id, tablename: 'kms-bench-branch-keys', 'kms-arn': key.arn, 'hierarchy-version': '1' }
  const versionContext = { ...base, type: `branch:version:${version}` }
  const activeContext = { ...base, type: 'branch:ACTIVE', version: `branch:version:${version}` }
  const v = await kms.call(
    'GenerateDataKeyWithoutPlaintext',
    { KeyId: key.arn, NumberOfBytes: 32, EncryptionContext: versionContext },
    caller,
  )
  const a = await kms.call(
    'ReEncrypt',
    {
      CiphertextBlob: v.CiphertextBlob as Uint8Array,
      SourceEncryptionContext: versionContext,
      DestinationKeyId: key.arn,
      DestinationEncryptionContext: activeContext,
    },
    caller,
  )
  await kms.call(
    'GenerateDataKeyWithoutPlaintext',
    { KeyId: key.arn, NumberOfBytes: 32, EncryptionContext: { ...base, type: 'beacon:ACTIVE' } },
    caller,
  )
  // The writer of the messages stored before the run held this branch key's materials.
  const w = await kms.call(
    'Decrypt',
    { CiphertextBlob: v.CiphertextBlob as Uint8Array, EncryptionContext: versionContext },
    caller,
  )
  writer[i] = new Uint8Array(w.Plaintext as Uint8Array)
  return {
    id,
    version,
    active: a.CiphertextBlob as Uint8Array,
    versionRecord: v.CiphertextBlob as Uint8Array,
    activeContext,
    versionContext,
  }
}
