/**
 * Data-key caching with the AWS Encryption SDK's semantics (the caching cryptographic
 * materials manager over a local cache; kms-facts.md §5;
 * https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/data-key-caching.html,
 * aws/aws-encryption-sdk-javascript `modules/cache-material/src/caching_cryptographic_materials_decorators.ts`
 * and `get_local_cryptographic_materials_cache.ts`):
 *
 * - one in-memory LRU cache per application host (`capacity` entries, `lru-cache`), one
 *   caching CMM per KMS key on it (its partition);
 * - **encrypt** entries are keyed by the data-key request (key, data-key size, algorithm
 *   suite, encryption context: an empty context is a context too) and hold the plaintext data
 *   key from GenerateDataKey; **decrypt** entries are keyed by the encrypted data key and the
 *   encryption context and hold the key Decrypt returned;
 * - a new encrypt entry counts its first message (`messagesEncrypted = 1`, `bytesEncrypted =`
 *   the message size); each hit adds one message and its size *before* the limits are
 *   checked, and an entry is evicted when `age > maxAge`, `messages > maxMessagesEncrypted` or
 *   `bytes > maxBytesEncrypted` (strictly greater), the request then going to KMS;
 * - a message larger than `maxBytesEncrypted` is encrypted with a fresh data key that is not
 *   cached; calls of unknown size (no byte count) and suites without a KDF are never cached;
 * - decrypt entries have no message or byte counters: only their age limits them;
 * - the plaintext data key is zeroed when its entry leaves the cache (evicted, replaced,
 *   expired), and every hit gets its own copy of it, as the SDK clones materials.
 *
 * `singleFlight` (not an Encryption SDK feature) makes concurrent misses on one entry share one
 * KMS call: the first request calls KMS, the others wait for it (the engine's `wait` effect)
 * and then use the new entry as hits. Without it, as in the SDK, each concurrent miss calls
 * KMS and the last one's data key stays cached.
 *
 * Calls S3 makes on the caller's behalf (SSE-KMS) are not the application's to cache: they
 * pass through.
 */
import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import {
  Flight,
  isContinuation,
  wait,
  type EffectGenerator,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  type SyncKms,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
  type Exposure,
} from '../load/index.ts'
import { dataKeyRequestId } from './call-keys.ts'
import { DEFAULT_ESDK_SUITE, ESDK_SUITES, esdkSuite } from './esdk-suites.ts'
import { booleanOption, durationOption, enumOption, intOption, invalidMitigation, parseOptions } from './params.ts'
import { type KmsOutput, plaintextOf } from './outputs.ts'

/** What requests sharing a miss get when the request that made the call was stopped at its deadline. */
const ABORTED: KmsOutcome = {
  ok: false,
  error: { name: 'AbortError', message: 'the shared call was aborted: the request that made it reached its deadline' },
}

/** `Maximum.MESSAGES_PER_CACHED_KEY_LIMIT` of the Encryption SDK. */
export const MAX_MESSAGES_PER_CACHED_KEY = 2 ** 32
/** `Maximum.BYTES_PER_CACHED_KEY_LIMIT` of the Encryption SDK for JavaScript (2^53 − 1). */
export const MAX_BYTES_PER_CACHED_KEY = Number.MAX_SAFE_INTEGER
/** Entries per host cache when `capacity` is not given: the AWS example's value (sample-cache-example.html). */
export const DEFAULT_CACHE_CAPACITY = 100

/** Options of {@link dataKeyCache}. */
export interface DataKeyCacheOptions {
  /**
   * Longest a cached data key is used, from when KMS returned it: `'5m'`, `'300s'`, or a
   * number of seconds (the Encryption SDK for JavaScript takes milliseconds). Required, > 0.
   */
  maxAge: string | number
  /** Messages one data key may encrypt, 1..2^32. @default 2^32 */
  maxMessagesEncrypted?: number
  /**
   * Bytes one data key may encrypt, 0..2^53−1; 0 lets only empty messages use the cache (the
   * documented meaning; the JavaScript SDK treats 0 as "not set").
   * @default 2^53−1
   */
  maxBytesEncrypted?: number
  /** Entries of each host's LRU cache. @default 100 */
  capacity?: number
  /** The caching CMM's partition name (reported). @default one random partition per host and KMS key, as the SDK does */
  partition?: string
  /** Which calls are cached: GenerateDataKey (`encrypt`), Decrypt (`decrypt`). @default ['encrypt', 'decrypt'] */
  operations?: ('encrypt' | 'decrypt')[]
  /** The Encryption SDK algorithm suite (id or name); suites without a KDF are never cached. @default 0x0578 */
  algorithmSuite?: number | string
  /** Concurrent misses on one entry make one KMS call (not an Encryption SDK feature). @default false */
  singleFlight?: boolean
}

const schema = z.object({
  maxAge: durationOption('maxAge', true, ' (the Encryption SDK refuses to cache without a maximum age)'),
  maxMessagesEncrypted: intOption(
    'maxMessagesEncrypted',
    1,
    MAX_MESSAGES_PER_CACHED_KEY,
    " (the Encryption SDK's range)",
  ).optional(),
  maxBytesEncrypted: intOption(
    'maxBytesEncrypted',
    0,
    MAX_BYTES_PER_CACHED_KEY,
    " (the Encryption SDK's range)",
  ).optional(),
  capacity: intOption('capacity', 1, 100_000_000, ' (entries of each host cache)').optional(),
  partition: z
    .string({ error: 'partition must be a non-empty string' })
    .min(1, { error: 'partition must be a non-empty string' })
    .optional(),
  operations: z
    .array(enumOption('operations', ['encrypt', 'decrypt']))
    .min(1, { error: "operations must name 'encrypt', 'decrypt' or both" })
    .optional(),
  algorithmSuite: z
    .union([z.number(), z.string()])
    .refine((v) => esdkSuite(v) !== undefined, {
      error: (iss) =>
        `algorithmSuite ${JSON.stringify(iss.input)} is not an Encryption SDK suite; known: ${ESDK_SUITES.map((s) => `0x${s.id.toString(16).padStart(4, '0')}`).join(', ')}`,
    })
    .optional(),
  singleFlight: booleanOption('singleFlight').optional(),
})

interface Entry {
  /** the KMS output the entry was made from (shared; hits get a copy of the plaintext) */
  readonly output: KmsOutput
  /** the cache's own copy of the plaintext data key, zeroed when the entry leaves */
  readonly plaintext: Uint8Array
  /** epoch ms the entry was cached */
  readonly created: number
  messages: number
  bytes: number
}

const ENCRYPT = 1
const DECRYPT = 2

/**
 * Data-key caching as the AWS Encryption SDK's caching CMM does it, one cache per host.
 * `dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 100 })`.
 */
export function dataKeyCache(options: DataKeyCacheOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('data-key-cache', options, parsed.problems)
  const o = parsed.value
  const maxAgeMs = o.maxAge * 1000
  const maxMessages = o.maxMessagesEncrypted ?? MAX_MESSAGES_PER_CACHED_KEY
  const maxBytes = o.maxBytesEncrypted ?? MAX_BYTES_PER_CACHED_KEY
  const capacity = o.capacity ?? DEFAULT_CACHE_CAPACITY
  const operations = o.operations ?? ['encrypt', 'decrypt']
  const encryptOn = operations.includes('encrypt')
  const decryptOn = operations.includes('decrypt')
  const suite = esdkSuite(o.algorithmSuite ?? DEFAULT_ESDK_SUITE) ?? {
    id: DEFAULT_ESDK_SUITE,
    name: '',
    cacheSafe: true,
  }
  const singleFlight = o.singleFlight ?? false
  const assumptions = [
    'Data-key caching: one Encryption SDK local cache (LRU) per application host; hosts share no cache.',
  ]
  if (!suite.cacheSafe)
    assumptions.push(
      `Algorithm suite ${suite.name} has no key derivation function: the Encryption SDK caches nothing with it.`,
    )

  return {
    name: 'data-key-cache',
    params: {
      maxAgeSeconds: o.maxAge,
      maxMessagesEncrypted: maxMessages,
      maxBytesEncrypted: maxBytes,
      capacity,
      operations: operations.join('+'),
      algorithmSuite: suite.name,
      ...(o.partition !== undefined ? { partition: o.partition } : {}),
      ...(singleFlight ? { singleFlight } : {}),
    },
    assumptions,
    start(_ctx: MitigationContext): MitigationRun {
      const stats = {
        encryptHits: 0,
        encryptMisses: 0,
        decryptHits: 0,
        decryptMisses: 0,
        evictedAge: 0,
        evictedMessages: 0,
        evictedBytes: 0,
        evictedCapacity: 0,
        notCached: 0,
        uncached: 0,
        coalesced: 0,
      }
      // Exposure, observed over the run.
      let maxMessagesSeen = 0
      let maxBytesSeen = 0
      let maxAgeSeenMs = 0
      let held = 0
      let peakHeld = 0
      const caches: LRUCache<string, Entry>[] = []

      const kindOf = (call: KmsCallSpec): number => {
        if (!suite.cacheSafe || call.meta.s3 !== undefined || call.meta.service !== undefined) return 0
        // "Streams of unknown size are never cached": the byte limit could not be enforced.
        if (call.operation === 'GenerateDataKey') return encryptOn && call.meta.bytes !== undefined ? ENCRYPT : 0
        if (call.operation === 'Decrypt') return decryptOn ? DECRYPT : 0
        return 0
      }

      return {
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          const lru = new LRUCache<string, Entry>({
            max: capacity,
            dispose: (entry, _key, reason) => {
              // The SDK's cache zeroes the unencrypted data key when the material is removed.
              entry.plaintext.fill(0)
              held--
              if (reason === 'evict') stats.evictedCapacity++
            },
          })
          caches.push(lru)
          const pending = singleFlight ? new Map<string, Flight<KmsOutcome>>() : undefined
          const nextSync = next.sync

          /** The entry for `key` if it may serve this message (counters updated), else undefined (evicted). */
          const lookup = (key: string, encrypt: boolean, bytes: number, now: number): Entry | undefined => {
            const e = lru.get(key)
            if (e === undefined) return undefined
            if (encrypt) {
              e.messages++
              e.bytes += bytes
            }
            const age = now - e.created
            if (age > maxAgeMs) {
              stats.evictedAge++
              lru.delete(key)
              return undefined
            }
            if (e.messages > maxMessages) {
              stats.evictedMessages++
              lru.delete(key)
              return undefined
            }
            if (e.bytes > maxBytes) {
              stats.evictedBytes++
              lru.delete(key)
              return undefined
            }
            if (encrypt) {
              stats.encryptHits++
              if (e.messages > maxMessagesSeen) maxMessagesSeen = e.messages
              if (e.bytes > maxBytesSeen) maxBytesSeen = e.bytes
            } else stats.decryptHits++
            if (age > maxAgeSeenMs) maxAgeSeenMs = age
            return e
          }

          /** A hit's outcome: the cached output with a copy of the data key. */
          const hitOutcome = (e: Entry): KmsOutcome => ({
            ok: true,
            output: { ...e.output, Plaintext: new Uint8Array(e.plaintext) },
          })

          /** After a miss's KMS call: cache the data key when the SDK would. */
          const store = (key: string, encrypt: boolean, bytes: number, out: KmsOutcome): KmsOutcome => {
            if (!out.ok) return out
            const output = out.output
            const plaintext = plaintextOf(output)
            if (plaintext === undefined) return out
            if (encrypt) {
              if (bytes > maxBytesSeen) maxBytesSeen = bytes
              if (maxMessagesSeen < 1) maxMessagesSeen = 1
              // The message alone exceeds the byte limit: served with this data key, not cached.
              if (bytes > maxBytes) {
                stats.notCached++
                return out
              }
            }
            // A copy (not a view: a Buffer's slice() shares memory), zeroed when the entry leaves.
            lru.set(key, {
              output,
              plaintext: new Uint8Array(plaintext),
              created: host.now(),
              messages: encrypt ? 1 : 0,
              bytes: encrypt ? bytes : 0,
            })
            if (++held > peakHeld) peakHeld = held
            return out
          }

          const countMiss = (encrypt: boolean): void => {
            if (encrypt) stats.encryptMisses++
            else stats.decryptMisses++
          }

          /** The whole logic as a generator (any clock, any target). */
          function* serve(
            call: KmsCallSpec,
            encrypt: boolean,
            key: string,
            bytes: number,
          ): EffectGenerator<KmsOutcome> {
            for (;;) {
              const hit = lookup(key, encrypt, bytes, host.now())
              if (hit !== undefined) return hitOutcome(hit)
              const flight = pending?.get(key)
              if (flight !== undefined) {
                // Another request is fetching this entry: wait, then use it like a hit.
                stats.coalesced++
                const shared = yield* wait(flight)
                if (!shared.ok) return shared
                continue
              }
              countMiss(encrypt)
              return yield* fetch(call, encrypt, key, bytes, undefined)
            }
          }

          /** Calls KMS for a miss (or continues a call already started) and caches the result. */
          function* fetch(
            call: KmsCallSpec,
            encrypt: boolean,
            key: string,
            bytes: number,
            started: EffectGenerator<KmsOutcome> | undefined,
          ): EffectGenerator<KmsOutcome> {
            let flight: Flight<KmsOutcome> | undefined
            if (pending !== undefined) {
              flight = new Flight<KmsOutcome>()
              pending.set(key, flight)
            }
            try {
              const out = started !== undefined ? yield* started : yield* next(call)
              const result = store(key, encrypt, bytes, out)
              if (flight !== undefined) {
                pending?.delete(key)
                flight.resolve(out)
              }
              return result
            } finally {
              // Stopped at its deadline (the engine closes the generator): the requests that
              // joined this miss get the aborted call's error, as joiners of an aborted promise do.
              if (flight !== undefined && !flight.settled) {
                if (pending?.get(key) === flight) pending.delete(key)
                flight.resolve(ABORTED)
              }
            }
          }

          const invoker: KmsInvoker = (call) => {
            const kind = kindOf(call)
            const key = kind === 0 ? undefined : dataKeyRequestId(call)
            if (key === undefined) {
              stats.uncached++
              return next(call)
            }
            return serve(call, kind === ENCRYPT, key, call.meta.bytes ?? 0)
          }
          if (nextSync !== undefined) {
            // Fast path: a hit, or a miss whose KMS call completes at once, never makes a generator.
            invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
              const kind = kindOf(call)
              const key = kind === 0 ? undefined : dataKeyRequestId(call)
              if (key === undefined) {
                stats.uncached++
                return nextSync(call, exec)
              }
              const encrypt = kind === ENCRYPT
              const bytes = call.meta.bytes ?? 0
              const hit = lookup(key, encrypt, bytes, host.now())
              if (hit !== undefined) return hitOutcome(hit)
              // A request is already fetching this entry: the generator waits for it.
              if (pending?.has(key) === true) return serve(call, encrypt, key, bytes)
              countMiss(encrypt)
              const r = nextSync(call, exec)
              return isContinuation(r) ? fetch(call, encrypt, key, bytes, r) : store(key, encrypt, bytes, r)
            }
          }
          return invoker
        },
        stats: () => {
          let entries = 0
          for (const c of caches) entries += c.size
          return { ...stats, entriesAtEnd: entries }
        },
        exposure: (): Partial<Exposure> => ({
          maxMessagesPerDataKey: maxMessagesSeen,
          maxBytesPerDataKey: maxBytesSeen,
          maxSecondsPerDataKey: maxAgeSeenMs / 1000,
          plaintextKeysInMemory: peakHeld,
        }),
      }
    },
  }
}
