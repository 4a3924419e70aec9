/**
 * A data-key cache with the Material Providers Library's **storm tracking** cache in front of
 * KMS (awslabs/aws-encryption-sdk-specification
 * `framework/storm-tracking-cryptographic-materials-cache.md` 0.2.0; the cache type
 * `StormTrackingCache` of the MPL, also the cache of the hierarchical keyring). One cache per
 * application host, entries keyed like the caching CMM's (`dataKeyRequestId`: key, context,
 * data-key size) and living `maxAge` from when KMS returned them.
 *
 * What it changes against a plain cache (aws/aws-encryption-sdk-javascript#1663, #1665: N
 * concurrent requests on a cold or expired entry make N KMS calls):
 * - a cold key: one request fetches, the others poll every `sleepMilli` until the entry appears;
 *   if the fetch has not put an entry within `graceInterval` (a throttled call, its retries),
 *   the next poller fetches: at most one KMS call per key per grace interval;
 * - refresh-ahead: within `gracePeriod` of expiry one request per grace interval fetches a new
 *   entry while the others keep using the old one, so a hot entry never expires cold;
 * - at most `fanOut` keys in flight; a request blocked longer than `inFlightTTL` fails
 *   (`InFlightTTLExceeded`, the MPL's error).
 * The decisions are `StormTracker`'s (storm-tracker.ts).
 */
import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import {
  sleep,
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
import { durationOption, enumOption, intOption, invalidMitigation, parseOptions } from './params.ts'
import { type StormDecision, StormTracker } from './storm-tracker.ts'
import { type KmsOutput, plaintextOf } from './outputs.ts'

/** The spec's defaults (seconds, except sleepMilli). */
export const STORM_TRACKING_DEFAULTS = Object.freeze({
  gracePeriod: 10,
  graceInterval: 1,
  fanOut: 20,
  inFlightTTL: 20,
  sleepMilli: 20,
  /** the MPL's default `entryCapacity` of the hierarchical keyring's cache */
  capacity: 1000,
})

/** Options of {@link stormTrackingCache}. */
export interface StormTrackingCacheOptions {
  /** How long an entry lives from when KMS returned it: `'5m'`, `'300s'` or seconds. Required. */
  maxAge: string | number
  /** Entries of each host's cache. @default 1000 */
  capacity?: number
  /** Seconds before expiry in which one request refreshes ahead. @default 10 */
  gracePeriod?: string | number
  /** Seconds after which a key in flight may be fetched again. @default 1 */
  graceInterval?: string | number
  /** Most keys in flight at once per cache. @default 20 */
  fanOut?: number
  /** Seconds a blocked request waits before it fails. @default 20 */
  inFlightTTL?: string | number
  /** Milliseconds between polls of a blocked request. @default 20 */
  sleepMilli?: number
  /** Which calls are cached: GenerateDataKey (`encrypt`), Decrypt (`decrypt`). @default ['encrypt', 'decrypt'] */
  operations?: ('encrypt' | 'decrypt')[]
}

const schema = z
  .object({
    maxAge: durationOption('maxAge', true),
    capacity: intOption('capacity', 1, 100_000_000, ' (entries of each host cache)').optional(),
    gracePeriod: durationOption('gracePeriod', true).optional(),
    graceInterval: durationOption('graceInterval', true).optional(),
    fanOut: intOption('fanOut', 1, 1_000_000).optional(),
    inFlightTTL: durationOption('inFlightTTL', true).optional(),
    sleepMilli: intOption('sleepMilli', 1, 60_000).optional(),
    operations: z
      .array(enumOption('operations', ['encrypt', 'decrypt']))
      .min(1, { error: "operations must name 'encrypt', 'decrypt' or both" })
      .optional(),
  })
  .superRefine((o, ctx) => {
    // The spec's consistency rules (its own defaults break the third one: 20 s > 10 s; not enforced).
    const period = o.gracePeriod ?? STORM_TRACKING_DEFAULTS.gracePeriod
    const interval = o.graceInterval ?? STORM_TRACKING_DEFAULTS.graceInterval
    const ttl = o.inFlightTTL ?? STORM_TRACKING_DEFAULTS.inFlightTTL
    if (interval > period)
      ctx.addIssue({ code: 'custom', path: ['graceInterval'], message: 'graceInterval must be <= gracePeriod' })
    if (interval > ttl)
      ctx.addIssue({ code: 'custom', path: ['graceInterval'], message: 'graceInterval must be <= inFlightTTL' })
    if (period >= o.maxAge)
      ctx.addIssue({ code: 'custom', path: ['gracePeriod'], message: 'gracePeriod must be less than maxAge' })
  })

interface Entry {
  readonly output: KmsOutput
  readonly plaintext: Uint8Array
  readonly created: number
  readonly expiry: number
  uses: number
}

const IN_FLIGHT_TTL_EXCEEDED: KmsOutcome = {
  ok: false,
  error: { name: 'InFlightTTLExceeded', message: 'Storm tracking cache: InFlightTTL exceeded' },
}

/** A data-key cache with storm tracking, one per host: `stormTrackingCache({ maxAge: '5m' })`. */
export function stormTrackingCache(options: StormTrackingCacheOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('storm-tracking-cache', options, parsed.problems)
  const o = parsed.value
  const d = STORM_TRACKING_DEFAULTS
  const settings = {
    gracePeriodMs: (o.gracePeriod ?? d.gracePeriod) * 1000,
    graceIntervalMs: (o.graceInterval ?? d.graceInterval) * 1000,
    fanOut: o.fanOut ?? d.fanOut,
    inFlightTtlMs: (o.inFlightTTL ?? d.inFlightTTL) * 1000,
  }
  const sleepMs = o.sleepMilli ?? d.sleepMilli
  const capacity = o.capacity ?? d.capacity
  const operations = o.operations ?? ['encrypt', 'decrypt']
  return {
    name: 'storm-tracking-cache',
    params: {
      maxAgeSeconds: o.maxAge,
      capacity,
      gracePeriodSeconds: settings.gracePeriodMs / 1000,
      graceIntervalSeconds: settings.graceIntervalMs / 1000,
      fanOut: settings.fanOut,
      inFlightTTLSeconds: settings.inFlightTtlMs / 1000,
      sleepMilli: sleepMs,
      operations: operations.join('+'),
    },
    assumptions: [
      'Storm tracking cache: one cache per application host (hosts share none); blocked requests poll every sleepMilli, as the spec allows when no signalling is used.',
      'Storm tracking defaults follow the spec (grace period 10 s, grace interval 1 s, fan-out 20, in-flight TTL 20 s, sleep 20 ms), although its consistency rule asks for in-flight TTL <= grace period.',
    ],
    start: (_ctx: MitigationContext) => startRun(o.maxAge * 1000, capacity, settings, sleepMs, operations),
  }
}

function startRun(
  maxAgeMs: number,
  capacity: number,
  settings: ConstructorParameters<typeof StormTracker>[0],
  sleepMs: number,
  operations: readonly string[],
): MitigationRun {
  const stats = { hits: 0, misses: 0, refreshAhead: 0, blocked: 0, polls: 0, inFlightTTLExceeded: 0, uncached: 0 }
  const exposure = { maxUses: 0, maxAgeMs: 0, held: 0, peakHeld: 0 }
  const trackers: StormTracker[] = []
  const cached = (call: KmsCallSpec): boolean =>
    call.meta.s3 === undefined &&
    call.meta.service === undefined &&
    ((call.operation === 'GenerateDataKey' && operations.includes('encrypt')) ||
      (call.operation === 'Decrypt' && operations.includes('decrypt')))
  return {
    wrap(next: KmsInvoker, host: Host): KmsInvoker {
      const tracker = new StormTracker(settings)
      trackers.push(tracker)
      const lru = new LRUCache<string, Entry>({
        max: capacity,
        dispose: (e) => {
          e.plaintext.fill(0)
          exposure.held--
        },
      })
      const live = (key: string, now: number): Entry | undefined => {
        const e = lru.get(key)
        if (e !== undefined && now >= e.expiry) {
          lru.delete(key)
          return undefined
        }
        return e
      }
      const hit = (e: Entry, now: number): KmsOutcome => {
        stats.hits++
        e.uses++
        exposure.maxUses = Math.max(exposure.maxUses, e.uses)
        exposure.maxAgeMs = Math.max(exposure.maxAgeMs, now - e.created)
        return { ok: true, output: { ...e.output, Plaintext: new Uint8Array(e.plaintext) } }
      }
      const store = (key: string, out: KmsOutcome): KmsOutcome => {
        if (!out.ok) return out
        const output = out.output
        const plaintext = plaintextOf(output)
        if (plaintext === undefined) return out
        const now = host.now()
        lru.set(key, {
          output,
          plaintext: new Uint8Array(plaintext),
          created: now,
          expiry: now + maxAgeMs,
          uses: 1,
        })
        exposure.maxUses = Math.max(exposure.maxUses, 1)
        if (++exposure.held > exposure.peakHeld) exposure.peakHeld = exposure.held
        tracker.put(key)
        return out
      }
      const decide = (key: string, waited: number): [StormDecision, Entry | undefined] => {
        const now = host.now()
        const e = live(key, now)
        return [tracker.decide(key, e?.expiry, now, waited), e]
      }

      function* serve(
        call: KmsCallSpec,
        key: string,
        first: [StormDecision, Entry | undefined],
      ): EffectGenerator<KmsOutcome> {
        const started = host.now()
        let [decision, entry] = first
        if (decision === 'block') stats.blocked++
        while (decision === 'block') {
          stats.polls++
          yield* sleep(sleepMs)
          ;[decision, entry] = decide(key, host.now() - started)
        }
        if (decision === 'hit' && entry !== undefined) return hit(entry, host.now())
        if (decision === 'fail') {
          stats.inFlightTTLExceeded++
          return IN_FLIGHT_TTL_EXCEEDED
        }
        if (entry !== undefined) stats.refreshAhead++
        else stats.misses++
        return store(key, yield* next(call))
      }

      const invoker: KmsInvoker = (call) => {
        const key = cached(call) ? dataKeyRequestId(call) : undefined
        if (key === undefined) {
          stats.uncached++
          return next(call)
        }
        return serve(call, key, decide(key, 0))
      }
      const nextSync = next.sync
      if (nextSync !== undefined) {
        invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
          const key = cached(call) ? dataKeyRequestId(call) : undefined
          if (key === undefined) {
            stats.uncached++
            return nextSync(call, exec)
          }
          const first = decide(key, 0)
          if (first[0] === 'hit' && first[1] !== undefined) return hit(first[1], host.now())
          return serve(call, key, first)
        }
      }
      return invoker
    },
    stats: () => ({ ...stats, peakKeysInFlight: Math.max(0, ...trackers.map((t) => t.peakInFlight)) }),
    exposure: (): Partial<Exposure> => ({
      maxMessagesPerDataKey: exposure.maxUses,
      maxSecondsPerDataKey: exposure.maxAgeMs / 1000,
      plaintextKeysInMemory: exposure.peakHeld,
    }),
  }
}
