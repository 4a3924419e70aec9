/**
 * A prefetched data-key pool: each host keeps up to `size` fresh data keys per kind of
 * GenerateDataKey request it makes (key, data-key size, encryption context), generated in the
 * background at a steady rate below the quota (`ratePerSecond` for the whole fleet, spread
 * evenly over the hosts and over time). An application GenerateDataKey takes a key from the
 * pool without calling KMS; an empty pool falls back to calling KMS.
 *
 * Unlike a data-key cache, every data key still protects exactly one message: the pool moves
 * KMS calls in time (bursts are absorbed by keys generated during quiet periods) without
 * reusing keys. The price: keys sit in memory before use (`maxAge` bounds how long), keys
 * left in the pool when traffic stops were paid for and never used, and the refill rate is a
 * standing load on the quota. The pool learns what to prefetch from the requests it sees
 * (the first request of each kind on a host calls KMS itself).
 *
 * Not an AWS feature (AWS has no such client); the pattern of connection and token pools.
 * S3 SSE-KMS calls pass through (S3 makes them).
 */
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
import { durationOption, intOption, invalidMitigation, parseOptions, positiveOption } from './params.ts'
import { type KmsOutput, plaintextOf } from './outputs.ts'

/** Options of {@link dataKeyPool}. */
export interface DataKeyPoolOptions {
  /** GenerateDataKey calls per second the whole fleet spends refilling (keep it under the quota). Required. */
  ratePerSecond: number
  /** Keys kept ready per kind of request on each host. @default 100 */
  size?: number
  /** Keys older than this are discarded unused ('5m', seconds). @default no limit */
  maxAge?: string | number
}

const schema = z.object({
  ratePerSecond: positiveOption('ratePerSecond'),
  size: intOption('size', 1, 1_000_000, ' (keys per kind of request on each host)').optional(),
  maxAge: durationOption('maxAge', true).optional(),
})

interface Pooled {
  readonly output: KmsOutput
  readonly created: number
}

/** Pooled keys of one kind of request on one host (a FIFO: the oldest key is used first). */
interface Pool {
  readonly call: KmsCallSpec
  readonly keys: Pooled[]
  head: number
}

/** Prefetches data keys in the background at a steady rate. `dataKeyPool({ ratePerSecond: 5000, size: 50 })`. */
export function dataKeyPool(options: DataKeyPoolOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('data-key-pool', options, parsed.problems)
  const o = parsed.value
  const size = o.size ?? 100
  const maxAgeMs = o.maxAge !== undefined ? o.maxAge * 1000 : Infinity
  return {
    name: 'data-key-pool',
    params: { ratePerSecond: o.ratePerSecond, size, ...(o.maxAge !== undefined ? { maxAgeSeconds: o.maxAge } : {}) },
    assumptions: [
      'Data-key pool: each host refills its pool at an equal share of the fleet rate, one GenerateDataKey at a time, and learns what to prefetch from its own requests.',
    ],
    start(ctx: MitigationContext): MitigationRun {
      const stats = { served: 0, fallbacks: 0, generated: 0, refillFailed: 0, refillsSkipped: 0, expired: 0 }
      let held = 0
      let peakHeld = 0
      let maxAgeSeenMs = 0
      // The fleet's rate, scaled like the quotas in a scale model, shared evenly by the hosts.
      const intervalMs = (1000 * ctx.hosts) / (o.ratePerSecond * (ctx.scale ?? 1))
      /** per host: its invoker below the pool, its pools, and the last second a refill was throttled */
      const hostPools = new Map<number, { next: KmsInvoker; pools: Map<string, Pool>; busySecond: number }>()

      /** Takes the oldest fresh key of a pool (discarding expired ones), if any. */
      const take = (pool: Pool, now: number): Pooled | undefined => {
        const keys = pool.keys
        while (pool.head < keys.length) {
          const k = keys[pool.head] as Pooled
          pool.head++
          held--
          if (now - k.created > maxAgeMs) {
            // Too old to use: dropped, and its plaintext zeroed.
            plaintextOf(k.output)?.fill(0)
            stats.expired++
            continue
          }
          if (pool.head > 1024 && pool.head * 2 > keys.length) {
            keys.splice(0, pool.head)
            pool.head = 0
          }
          if (now - k.created > maxAgeSeenMs) maxAgeSeenMs = now - k.created
          return k
        }
        return undefined
      }

      return {
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          const pools = new Map<string, Pool>()
          const state = { next, pools, busySecond: -1 }
          hostPools.set(host.index, state)
          const nextSync = next.sync
          /** The pool of a GenerateDataKey call the application makes (created on first sight). */
          const poolOf = (call: KmsCallSpec): Pool | undefined => {
            if (call.operation !== 'GenerateDataKey' || call.meta.s3 !== undefined || call.meta.service !== undefined)
              return undefined
            const id = dataKeyRequestId(call)
            if (id === undefined) return undefined
            let pool = pools.get(id)
            if (pool === undefined) pools.set(id, (pool = { call, keys: [], head: 0 }))
            return pool
          }
          const fromPool = (call: KmsCallSpec): KmsOutcome | undefined => {
            const pool = poolOf(call)
            if (pool === undefined) return undefined
            const k = take(pool, host.now())
            if (k === undefined) {
              stats.fallbacks++
              return undefined
            }
            stats.served++
            return { ok: true, output: k.output }
          }
          const invoker: KmsInvoker = (call) => {
            const out = fromPool(call)
            return out !== undefined
              ? (function* (): EffectGenerator<KmsOutcome> {
                  return out
                })()
              : next(call)
          }
          if (nextSync !== undefined)
            invoker.sync = (call: KmsCallSpec, exec: SyncKms) => fromPool(call) ?? nextSync(call, exec)
          return invoker
        },
        background(host: Host): EffectGenerator<void> | undefined {
          const state = hostPools.get(host.index)
          if (state === undefined) return undefined
          return (function* refill(): EffectGenerator<void> {
            // Hosts refill in turn, evenly spread over each interval.
            yield* sleep((intervalMs * host.index) / ctx.hosts)
            for (;;) {
              // Background work yields the quota to the application: after a throttled refill,
              // this host refills no more in that second.
              if (Math.floor(host.now() / 1000) === state.busySecond) {
                stats.refillsSkipped++
                yield* sleep(intervalMs)
                continue
              }
              let neediest: Pool | undefined
              let fill = size
              for (const p of state.pools.values()) {
                const n = p.keys.length - p.head
                if (n < fill) {
                  fill = n
                  neediest = p
                }
              }
              if (neediest !== undefined) {
                const out = yield* state.next(neediest.call)
                if (out.ok) {
                  stats.generated++
                  neediest.keys.push({ output: out.output, created: host.now() })
                  if (++held > peakHeld) peakHeld = held
                } else {
                  stats.refillFailed++
                  state.busySecond = Math.floor(host.now() / 1000)
                }
              }
              yield* sleep(intervalMs)
            }
          })()
        },
        stats: () => ({ ...stats, leftAtEnd: held }),
        exposure: (): Partial<Exposure> => ({
          maxMessagesPerDataKey: 1,
          maxSecondsPerDataKey: maxAgeSeenMs / 1000,
          plaintextKeysInMemory: peakHeld,
          notes:
            held > 0
              ? [
                  `${held.toLocaleString('en-US')} prefetched data keys were never used (generated and billed, then dropped)`,
                ]
              : [],
        }),
      }
    },
  }
}
