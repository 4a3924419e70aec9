/**
 * A quota increase, and the advice of what to request. `quotaIncrease({ quotas: { symmetric:
 * 30_000 } })` runs the variant with those limits (merged into the variant's quota overrides,
 * as a granted Service Quotas request would set them). With or without `quotas`, it measures
 * each pool's peak *demand* per second (the KMS calls reaching it, first attempts only: list
 * it first, innermost, so it sits right above the client retry layer) and reports, per pool
 * that needs it, which quota value removes the throttling and the Service Quotas request:
 * the quota's name as in the console, the current value, the value to request and the AWS CLI
 * command (https://docs.aws.amazon.com/kms/latest/developerguide/increase-quota.html).
 *
 * Why demand and not the peak the quota meter saw: under throttling, the meter's peak counts
 * retries, which would not exist once the quota is high enough.
 */
import { z } from 'zod'
import type {
  KmsCallSpec,
  KmsInvoker,
  SyncKms,
  Host,
  Mitigation,
  MitigationContext,
  MitigationResult,
  MitigationRun,
} from '../load/index.ts'
import { OPERATION_CHARGES, poolNameProblem, sharedPoolOfKeySpec } from '../quota/index.ts'
import { isKnownRegion } from '../regions.ts'
import { numberOption, invalidMitigation, parseOptions } from './params.ts'
import { increaseCommand, serviceQuotaOf } from './service-quotas.ts'

/** Options of {@link quotaIncrease}. */
export interface QuotaIncreaseOptions {
  /**
   * Limits (requests/s) to run with, by pool (`symmetric`, `rsa`, `api:CreateKey`, ...; prefix a
   * Region for one Region only: `'eu-west-1/symmetric'`). @default none (advice only)
   */
  quotas?: Record<string, number>
  /** Spare capacity above the peak demand in the advised request, as a fraction. @default 0.2 */
  headroom?: number
}

const schema = z.object({
  quotas: z
    .record(
      z.string(),
      z
        .number({ error: 'a quota must be a number of requests per second' })
        .finite()
        .nonnegative({ error: 'a quota must not be negative' }),
    )
    .superRefine((q, ctx) => {
      for (const name of Object.keys(q)) {
        const slash = name.indexOf('/')
        const region = slash >= 0 ? name.slice(0, slash) : undefined
        const pool = slash >= 0 ? name.slice(slash + 1) : name
        if (region !== undefined && !isKnownRegion(region))
          ctx.addIssue({ code: 'custom', path: [name], message: `'${region}' is not a known AWS Region` })
        const problem = poolNameProblem(pool)
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem })
      }
    })
    .optional(),
  headroom: numberOption('headroom', 0, 10).optional(),
})

/** Rounds up to two significant digits (14,012 → 15,000; 1,234 → 1,300). */
export function niceCeil(n: number): number {
  if (n <= 0) return 0
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1)
  return Math.ceil(n / step) * step
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

interface Demand {
  second: number
  count: number
  peak: number
}

/** The pool a call is charged to (its first pool; ReEncrypt counts in its key's pool). */
function poolOf(call: KmsCallSpec, keySpecOf: (name: string | undefined) => string | undefined): string | undefined {
  const charge = OPERATION_CHARGES.get(call.operation)
  if (charge === undefined) return undefined
  switch (charge.kind) {
    case 'crypto':
      return sharedPoolOfKeySpec(keySpecOf(call.meta.keyName) ?? '') ?? charge.defaultPool
    case 'decrypt':
    case 'reencrypt':
      return sharedPoolOfKeySpec(keySpecOf(call.meta.keyName) ?? 'SYMMETRIC_DEFAULT') ?? 'symmetric'
    case 'random':
      return 'symmetric'
    case 'key-pair':
      return `key-pair:${(call.input as { KeyPairSpec?: string }).KeyPairSpec ?? ''}`
    default:
      return `api:${call.operation}`
  }
}

/** A quota increase (`quotas`), with the Service Quotas request each throttled pool needs. */
export function quotaIncrease(options: QuotaIncreaseOptions = {}): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('quota-increase', options, parsed.problems)
  const quotas = parsed.value.quotas
  const headroom = parsed.value.headroom ?? 0.2
  return {
    name: 'quota-increase',
    params: { ...(quotas ?? {}), headroom },
    ...(quotas !== undefined && Object.keys(quotas).length > 0 ? { quotas } : {}),
    assumptions: ['A quota increase takes effect as requested; AWS decides Service Quotas requests case by case.'],
    start(ctx: MitigationContext): MitigationRun {
      const demand = new Map<string, Demand>()
      const findings: string[] = []
      const stats: Record<string, number> = {}
      const keySpecOf = (name: string | undefined): string | undefined =>
        name !== undefined ? ctx.keys.get(name)?.keySpec : undefined
      const count = (call: KmsCallSpec, host: Host): void => {
        const pool = poolOf(call, keySpecOf)
        if (pool === undefined) return
        const account =
          call.caller.account ?? /::(\d{12}):/.exec(call.caller.principal ?? '')?.[1] ?? ctx.accounts[0] ?? ''
        const scope = `${account}/${call.caller.region ?? ctx.region}/${pool}`
        const second = Math.floor(host.now() / 1000)
        let d = demand.get(scope)
        if (d === undefined) demand.set(scope, (d = { second, count: 0, peak: 0 }))
        if (d.second !== second) {
          d.second = second
          d.count = 0
        }
        if (++d.count > d.peak) d.peak = d.count
      }
      return {
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          const invoker: KmsInvoker = (call) => {
            count(call, host)
            return next(call)
          }
          const nextSync = next.sync
          if (nextSync !== undefined) {
            invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
              count(call, host)
              return nextSync(call, exec)
            }
          }
          return invoker
        },
        finish(result: MitigationResult): void {
          // A scale model (or a shard) ran with scaled rates and quotas: report full-size figures.
          const scale = result.quotaScale ?? 1
          const full = (n: number): number => Math.round((n / scale) * 1000) / 1000
          for (const [scope, d] of [...demand.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
            const [account, region, pool] = scope.split('/') as [string, string, string]
            const used = result.usage?.pools.find(
              (p) => p.account === account && p.region === region && p.pool === pool,
            )
            const scaledCurrent = result.defaultLimit(region, pool)
            const current = scaledCurrent !== undefined ? full(scaledCurrent) : undefined
            const inForce = used !== undefined ? full(used.limit) : current
            const throttled = used?.throttled ?? 0
            const peak = full(d.peak)
            stats[`peakDemand:${scope}`] = peak
            if (current !== undefined) stats[`currentQuota:${scope}`] = current
            if (current === undefined || (peak <= current && throttled === 0)) continue
            const granted = quotas?.[`${region}/${pool}`] ?? quotas?.[pool]
            const requested = granted ?? Math.max(niceCeil(peak * (1 + headroom)), current)
            stats[`requiredQuota:${scope}`] = peak
            stats[`requestedQuota:${scope}`] = requested
            const sq = serviceQuotaOf(pool)
            const outcome =
              throttled > 0
                ? `this variant ran with ${fmt(inForce ?? 0)}/s and was still throttled (${fmt(throttled)} calls)`
                : inForce !== undefined && inForce > current
                  ? `this variant ran with ${fmt(inForce)}/s: no call was throttled`
                  : 'no call was throttled'
            const scaled = scale !== 1 ? ` (full-size figures of a run scaled by ${scale})` : ''
            const head = `${pool} in ${account}/${region}: peak demand ${fmt(peak)} calls/s (first attempts, retries excluded) against a quota of ${fmt(current)}/s${scaled}; a quota of at least ${fmt(Math.ceil(peak))}/s removes the throttling; ${outcome}.`
            if (sq === undefined) {
              findings.push(`${head} (${pool} is not a Service Quotas quota.)`)
            } else if (!sq.adjustable) {
              findings.push(`${head} '${sq.name}' is not adjustable: spread the load over more custom key stores.`)
            } else {
              findings.push(
                `${head} Service Quotas request: '${sq.name}' in ${region} (account ${account}), current value ${fmt(current)}, requested ${fmt(requested)}: ${increaseCommand(sq, region, requested)}`,
              )
            }
          }
        },
        stats: () => ({ ...stats }),
        findings: () => [...findings],
      }
    },
  }
}
