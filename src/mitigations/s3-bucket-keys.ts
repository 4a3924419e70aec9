/**
 * S3 Bucket Keys for SSE-KMS (kms-facts.md §4; https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
 *
 * Without a bucket key, S3 calls KMS on the requester's behalf for every request:
 * GenerateDataKey per PUT and Decrypt per GET, with the object ARN as encryption context
 * (the workload's `s3-put` / `s3-get` requests). With one:
 *
 * - S3 gets a **bucket-level key** from KMS (GenerateDataKey, encryption context
 *   `{"aws:s3:arn": "arn:aws:s3:::<bucket>"}`) and derives each object's key from it locally
 *   for a limited time: one bucket key per (bucket, KMS key, requester), "fetched at least
 *   once per requester", so each requester's use shows in CloudTrail;
 * - an object records the bucket key it was written under; a GET needs that bucket key in
 *   plaintext for the requester: S3 calls Decrypt (bucket ARN context) once per (requester,
 *   bucket key) per lifetime, then serves GETs with no KMS call and no key-policy check;
 * - objects written before Bucket Keys were enabled keep their own data keys: their GETs
 *   still call Decrypt with the object ARN (`legacyObjectShare` of the objects);
 * - objects written before the run (after Bucket Keys were enabled) were written under
 *   `existingBucketKeys` bucket keys, made before the run.
 *
 * AWS does not publish the bucket key's lifetime ("short-lived", "time-limited"): it is the
 * `lifetime` parameter, reported as an assumption. Concurrent requests of one requester that
 * need the same bucket key wait for S3's one KMS call (an assumption too).
 */
import { z } from 'zod'
import type { OperationOutputs } from '../kms/index.ts'
import {
  Flight,
  isContinuation,
  wait,
  withInput,
  type EffectGenerator,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  type SyncKms,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
  type ResolvedKey,
  type SetupKms,
  type Exposure,
} from '../load/index.ts'
import { durationOption, intOption, invalidMitigation, numberOption, parseOptions } from './params.ts'

/** The default bucket-key lifetime, in seconds: an assumption (see {@link S3BucketKeysOptions.lifetime}). */
export const DEFAULT_BUCKET_KEY_LIFETIME_SECONDS = 300

/** Options of {@link s3BucketKeys}. */
export interface S3BucketKeysOptions {
  /**
   * How long S3 uses one bucket-level key (and a requester's decrypted copy of it): `'5m'`,
   * seconds. Not published by AWS; 5 minutes is how long other AWS services keep KMS material
   * (Kinesis Data Streams calls KMS about every 5 minutes per data key, kms-facts.md §4).
   * @default '5m'
   */
  lifetime?: string | number
  /**
   * Distinct requesters the fleet's S3 requests come from (roles, accounts, or one role with
   * different session policies: each counts as its own requester); host i acts as requester
   * i mod n. @default one per scenario principal
   */
  requesters?: number
  /** Share (0..1) of the objects written before Bucket Keys were enabled: their GETs call Decrypt per object. @default 0 */
  legacyObjectShare?: number
  /** Bucket keys the objects that existed before the run were written under. @default 1 */
  existingBucketKeys?: number
}

const schema = z.object({
  lifetime: durationOption('lifetime', true).optional(),
  requesters: intOption('requesters', 1, 1_000_000).optional(),
  legacyObjectShare: numberOption('legacyObjectShare', 0, 1).optional(),
  existingBucketKeys: intOption('existingBucketKeys', 1, 100_000).optional(),
})

interface BucketKey {
  readonly id: number
  /** the bucket key encrypted under the KMS key (what S3 stores and decrypts) */
  readonly blob: Uint8Array
  readonly created: number
  lastUsed: number
  /** objects written under it */
  objects: number
  bytes: number
  readonly principals: Set<string>
}

/** What S3 answers a request it served with a bucket key it holds (no KMS call). */
const SERVED: KmsOutcome = Object.freeze({
  ok: true as const,
  output: Object.freeze({}) as OperationOutputs['GenerateDataKey'],
})
/** Most object → bucket key records kept (objects beyond are treated as written before the run). */
const MAX_OBJECTS = 5_000_000

const fmt = (n: number): string => n.toLocaleString('en-US')

/** FNV-1a of a string, in [0, 1): a stable per-object draw. */
function unitHash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) / 2 ** 32
}

/** S3 Bucket Keys on the scenario's SSE-KMS requests. `s3BucketKeys({ lifetime: '5m' })`. */
export function s3BucketKeys(options: S3BucketKeysOptions = {}): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('s3-bucket-keys', options, parsed.problems)
  const o = parsed.value
  const lifetime = o.lifetime ?? DEFAULT_BUCKET_KEY_LIFETIME_SECONDS
  const lifetimeMs = lifetime * 1000
  const legacyShare = o.legacyObjectShare ?? 0
  const existingCount = o.existingBucketKeys ?? 1
  const assumptions = [
    `S3 Bucket Keys: a bucket-level key is used for ${lifetime} s per (bucket, KMS key, requester)${o.lifetime === undefined ? ' (the default: AWS publishes no lifetime, only "short-lived")' : ' (AWS publishes no lifetime)'}; a requester's decrypted copy of a bucket key lasts as long.`,
    'S3 Bucket Keys: concurrent requests of one requester needing the same bucket key wait for one KMS call.',
    `S3 Bucket Keys: objects that existed before the run were written under ${existingCount} bucket key${existingCount === 1 ? '' : 's'}${legacyShare > 0 ? `; ${legacyShare * 100}% of them before Bucket Keys were enabled (per-object Decrypt)` : ''}.`,
  ]
  if (o.requesters !== undefined)
    assumptions.push(
      `S3 Bucket Keys: the fleet's S3 requests come from ${o.requesters} distinct requesters (host i is requester i mod ${o.requesters}).`,
    )

  return {
    name: 's3-bucket-keys',
    params: {
      lifetimeSeconds: lifetime,
      ...(o.requesters !== undefined ? { requesters: o.requesters } : {}),
      ...(legacyShare > 0 ? { legacyObjectShare: legacyShare } : {}),
      existingBucketKeys: existingCount,
    },
    assumptions,
    start(ctx: MitigationContext): MitigationRun {
      const stats = {
        s3Puts: 0,
        s3Gets: 0,
        bucketKeysCreated: 0,
        bucketKeyDecrypts: 0,
        legacyDecrypts: 0,
        servedWithoutKms: 0,
        kmsFailures: 0,
      }
      let nextId = 0
      const all: BucketKey[] = []
      /** bucket key blobs made before the run, by `bucket\nkeyName` */
      const existing = new Map<string, BucketKey[]>()
      /** the bucket key each (bucket, KMS key, requester) writes with */
      const writers = new Map<string, BucketKey>()
      /** until when a requester holds a bucket key in plaintext, by `requester\nid` */
      const holds = new Map<string, number>()
      /** the bucket key each object was written under in this run, by `bucket/object` */
      const objects = new Map<string, BucketKey>()
      const flights = new Map<string, Flight<KmsOutcome>>()
      const contexts = new Map<string, { 'aws:s3:arn': string }>()
      const bucketContext = (bucket: string): { 'aws:s3:arn': string } => {
        let c = contexts.get(bucket)
        if (c === undefined) contexts.set(bucket, (c = { 'aws:s3:arn': `arn:aws:s3:::${bucket}` }))
        return c
      }
      const newBucketKey = (blob: Uint8Array, now: number): BucketKey => {
        const bk: BucketKey = {
          id: nextId++,
          blob,
          created: now,
          lastUsed: now,
          objects: 0,
          bytes: 0,
          principals: new Set(),
        }
        all.push(bk)
        return bk
      }
      const use = (bk: BucketKey, requester: string, now: number, bytes: number | undefined): void => {
        bk.lastUsed = now
        bk.principals.add(requester)
        if (bytes !== undefined) {
          bk.objects++
          bk.bytes += bytes
        }
      }

      return {
        async setup(kms: SetupKms): Promise<void> {
          // The bucket keys of objects written before the run, one set per (bucket, KMS key).
          const now = ctx.clock.now()
          for (const r of ctx.requests ?? []) {
            if (r.kind !== 's3-put' && r.kind !== 's3-get') continue
            const id = `${r.bucket}\n${r.key}`
            const key: ResolvedKey | undefined = ctx.keys.get(r.key)
            if (existing.has(id) || key === undefined) continue
            const list: BucketKey[] = []
            for (let i = 0; i < existingCount; i++) {
              const out = await kms.call(
                'GenerateDataKeyWithoutPlaintext',
                { KeyId: key.arn, KeySpec: 'AES_256', EncryptionContext: bucketContext(r.bucket) },
                { account: key.account, region: key.region },
              )
              if (out.CiphertextBlob === undefined)
                throw new Error(`GenerateDataKeyWithoutPlaintext returned no ciphertext for bucket ${r.bucket}`)
              list.push(newBucketKey(out.CiphertextBlob, now))
            }
            existing.set(id, list)
          }
        },
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          const nextSync = next.sync
          const requesterOf = (call: KmsCallSpec): string =>
            o.requesters !== undefined
              ? `requester-${host.index % o.requesters}`
              : (call.meta.s3?.requester ?? host.principal)

          /** Runs a KMS call S3 makes (sync when it can), then `after` on its outcome. */
          const kms = (
            call: KmsCallSpec,
            exec: SyncKms | undefined,
            flightId: string,
            after: (out: KmsOutcome) => KmsOutcome,
          ): KmsOutcome | EffectGenerator<KmsOutcome> => {
            if (exec !== undefined && nextSync !== undefined) {
              const r = nextSync(call, exec)
              if (!isContinuation(r)) return after(r)
              return finishFlight(flightId, r, after)
            }
            return finishFlight(flightId, next(call), after)
          }
          function* finishFlight(
            flightId: string,
            gen: EffectGenerator<KmsOutcome>,
            after: (out: KmsOutcome) => KmsOutcome,
          ): EffectGenerator<KmsOutcome> {
            const flight = new Flight<KmsOutcome>()
            flights.set(flightId, flight)
            try {
              const out = after(yield* gen)
              flights.delete(flightId)
              flight.resolve(out)
              return out
            } finally {
              // Stopped at its deadline: the requests waiting for this bucket key get the aborted call's error.
              if (!flight.settled) {
                if (flights.get(flightId) === flight) flights.delete(flightId)
                flight.resolve({
                  ok: false,
                  error: {
                    name: 'AbortError',
                    message: 'the shared call was aborted: its request reached its deadline',
                  },
                })
              }
            }
          }
          function* retryAfter(flight: Flight<KmsOutcome>, call: KmsCallSpec): EffectGenerator<KmsOutcome> {
            const out = yield* wait(flight)
            if (!out.ok) return out
            const again = handle(call, undefined)
            return isContinuation(again) ? yield* again : again
          }

          const handle = (call: KmsCallSpec, exec: SyncKms | undefined): KmsOutcome | EffectGenerator<KmsOutcome> => {
            const s3 = call.meta.s3 as NonNullable<KmsCallSpec['meta']['s3']>
            const now = host.now()
            const requester = requesterOf(call)
            const keyId = (call.input as { KeyId?: string }).KeyId ?? ''
            const objectId = `${s3.bucket}/${s3.object}`
            if (s3.operation === 'PUT') {
              const writerId = `W\n${s3.bucket}\n${keyId}\n${requester}`
              const bk = writers.get(writerId)
              if (bk !== undefined && now - bk.created < lifetimeMs) {
                use(bk, requester, now, call.meta.bytes ?? 0)
                if (objects.size < MAX_OBJECTS || objects.has(objectId)) objects.set(objectId, bk)
                stats.servedWithoutKms++
                return SERVED
              }
              const flight = flights.get(writerId)
              if (flight !== undefined) return retryAfter(flight, call)
              // A new bucket-level key: GenerateDataKey with the bucket ARN as context.
              stats.bucketKeysCreated++
              const input = { KeyId: keyId, KeySpec: 'AES_256' as const, EncryptionContext: bucketContext(s3.bucket) }
              return kms(withInput(call as KmsCallSpec<'GenerateDataKey'>, input), exec, writerId, (out) => {
                if (!out.ok) {
                  stats.kmsFailures++
                  return out
                }
                const t = host.now()
                const made = newBucketKey((out.output as { CiphertextBlob: Uint8Array }).CiphertextBlob, t)
                writers.set(writerId, made)
                holds.set(`H\n${requester}\n${made.id}`, t + lifetimeMs)
                use(made, requester, t, call.meta.bytes ?? 0)
                if (objects.size < MAX_OBJECTS || objects.has(objectId)) objects.set(objectId, made)
                return out
              })
            }
            // GET: the object's bucket key, or its own data key if it predates Bucket Keys.
            let bk = objects.get(objectId)
            if (bk === undefined) {
              if (legacyShare > 0 && unitHash(objectId) < legacyShare) {
                stats.legacyDecrypts++
                return exec !== undefined && nextSync !== undefined ? nextSync(call, exec) : next(call)
              }
              const list = existing.get(`${s3.bucket}\n${call.meta.keyName ?? ''}`)
              bk = list?.[Math.floor(unitHash(`${objectId}#existing`) * list.length)]
              if (bk === undefined)
                return exec !== undefined && nextSync !== undefined ? nextSync(call, exec) : next(call)
            }
            const holdId = `H\n${requester}\n${bk.id}`
            const until = holds.get(holdId)
            if (until !== undefined && now < until) {
              use(bk, requester, now, undefined)
              stats.servedWithoutKms++
              return SERVED
            }
            const flight = flights.get(holdId)
            if (flight !== undefined) return retryAfter(flight, call)
            stats.bucketKeyDecrypts++
            const target = bk
            const input = { KeyId: keyId, CiphertextBlob: target.blob, EncryptionContext: bucketContext(s3.bucket) }
            return kms(withInput(call as KmsCallSpec<'Decrypt'>, input), exec, holdId, (out) => {
              if (!out.ok) {
                stats.kmsFailures++
                return out
              }
              const t = host.now()
              holds.set(holdId, t + lifetimeMs)
              use(target, requester, t, undefined)
              return out
            })
          }

          const count = (call: KmsCallSpec): void => {
            if (call.meta.s3?.operation === 'PUT') stats.s3Puts++
            else stats.s3Gets++
          }
          const invoker: KmsInvoker = (call) => {
            if (call.meta.s3 === undefined) return next(call)
            count(call)
            const r = handle(call, undefined)
            return isContinuation(r)
              ? r
              : (function* (): EffectGenerator<KmsOutcome> {
                  return r
                })()
          }
          if (nextSync !== undefined) {
            invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
              if (call.meta.s3 === undefined) return nextSync(call, exec)
              count(call)
              return handle(call, exec)
            }
          }
          return invoker
        },
        stats: () => ({ ...stats, kmsCalls: stats.bucketKeysCreated + stats.bucketKeyDecrypts + stats.legacyDecrypts }),
        exposure: (): Partial<Exposure> => {
          let objectsMax = 0
          let bytesMax = 0
          let secondsMax = 0
          let principalsMax = 0
          for (const bk of all) {
            objectsMax = Math.max(objectsMax, bk.objects)
            bytesMax = Math.max(bytesMax, bk.bytes)
            secondsMax = Math.max(secondsMax, (bk.lastUsed - bk.created) / 1000)
            principalsMax = Math.max(principalsMax, bk.principals.size)
          }
          const requests = stats.s3Puts + stats.s3Gets
          const calls = stats.bucketKeysCreated + stats.bucketKeyDecrypts + stats.legacyDecrypts
          return {
            maxMessagesPerDataKey: objectsMax,
            maxBytesPerDataKey: bytesMax,
            maxSecondsPerDataKey: secondsMax,
            principalsPerBucketKey: principalsMax,
            notes: [
              'with a bucket key the KMS encryption context is the bucket ARN, not the object ARN: key policies and grants conditioned on kms:EncryptionContext:aws:s3:arn with object ARNs stop matching',
              `CloudTrail: ${fmt(calls)} KMS events for ${fmt(requests)} S3 requests (one per request without a bucket key)`,
              'bucket-level keys are held in plaintext by S3, not by the application',
            ],
          }
        },
        findings: () => {
          const requests = stats.s3Puts + stats.s3Gets
          const calls = stats.bucketKeysCreated + stats.bucketKeyDecrypts + stats.legacyDecrypts
          if (requests === 0) return ['No S3 SSE-KMS request ran: S3 Bucket Keys changed nothing.']
          const saved = 1 - calls / requests
          return [
            `S3 Bucket Keys: ${fmt(calls)} KMS calls for ${fmt(requests)} SSE-KMS requests (${(saved * 100).toFixed(saved > 0.99 ? 3 : 1)}% fewer than one per request): ${fmt(stats.bucketKeysCreated)} bucket keys generated, ${fmt(stats.bucketKeyDecrypts)} bucket-key decrypts, ${fmt(stats.legacyDecrypts)} per-object decrypts of objects older than the bucket key.`,
          ]
        },
      }
    },
  }
}
