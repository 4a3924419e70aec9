/**
 * Capacity plans (`kms-bench plan`): for each account, Region and quota pool, the peak request
 * rate against the quota today, utilisation and headroom, the month throttling starts under
 * compound growth, the cost per month, the mitigations ranked by KMS calls and dollars saved
 * (each with its security exposure), and the exact quota increase to request.
 *
 * How, and why it is exact (plan.md repeats this for the reader):
 * 1. Every variant runs **once in virtual time** at today's rate over the scenario's window
 *    (deterministic: the same plan on any machine, a year of growth in seconds). The quota
 *    gate counts the calls offered to each pool in each one-second window, exactly as KMS
 *    applies its quotas (fixed one-second windows, no burst).
 * 2. **Peak demand** of a pool is its busiest second. Where the run throttled a pool, the
 *    client's retries inflate that count, so the variant is run a second time with retries
 *    off and the throttled pools' quotas lifted (an *unthrottled probe*): its busiest second
 *    is the demand itself.
 * 3. **Growth is compound and arithmetic**: peak in month m = peak now × (1 + g)^m. Throttling
 *    starts in the first month whose projected peak second exceeds the quota. KMS calls are
 *    taken to grow in proportion to requests: exact for mitigations that cost a fixed number
 *    of calls per request, an upper bound for caches (data-key caching, S3 Bucket Keys) whose
 *    calls grow more slowly than traffic, so the plan errs on the safe side.
 * 4. **Cost** of month m: the run's monthly bill with its request counts scaled by (1 + g)^m
 *    (and by 1/peakToAverage for workloads given as peak rates); key storage does not grow;
 *    the free tier is subtracted once per month (kms/pricing.ts).
 * 5. **Quota increase**: the smallest quota that keeps the horizon month's peak second
 *    unthrottled, ⌈peak now × (1 + g)^N⌉ calls per second.
 *
 * A WORKLOAD file is a small JSON description for people without a scenario file (see
 * {@link WorkloadSchema}): operations per second per key and Region, turned into a scenario
 * with constant, evenly spaced arrivals.
 */
import { at } from '../util/index.ts'
import { z } from 'zod'
import { KMS_PRICES, estimateCost, OPERATION_NAMES, type OperationName } from '../kms/index.ts'
import {
  KEY_SPECS,
  OP_RECIPES,
  defineScenario,
  formatIssues,
  ScenarioError,
  type MitigationTable,
  type Scenario,
  type ScenarioInput,
  type CapacityPlan,
  type PlanMitigation,
  type PlanPool,
  type PlanVariant,
  type QuotaRequest,
  type RunSummary,
  type VariantSummary,
} from '../load/index.ts'

/** Seconds in a billing month (730 hours, the AWS Pricing Calculator's convention). */
export const SECONDS_PER_MONTH = KMS_PRICES.hoursPerMonth * 3600

// ---------------------------------------------------------------------------------------------
// Workload files

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')

/**
 * A WORKLOAD file: today's peak rates, per key and operation, for people without a scenario
 * file. Example:
 *
 * ```json
 * {
 *   "name": "checkout",
 *   "region": "eu-west-2",
 *   "keys": [
 *     { "name": "orders", "operations": { "GenerateDataKey": 1200, "Decrypt": 3400 } },
 *     { "name": "signing", "spec": "ECC_NIST_P256", "region": "eu-west-1", "operations": { "Sign": 150 } }
 *   ],
 *   "peakToAverage": 3,
 *   "variants": [{ "name": "cached", "mitigations": [{ "name": "data-key-cache", "maxAge": "5m" }] }]
 * }
 * ```
 */
export const WorkloadSchema = z.strictObject({
  /** @default 'workload' */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .default('workload'),
  description: z.string().optional(),
  /** default Region of keys and callers. @default 'us-east-1' */
  region: z.string().default('us-east-1'),
  /** default account. @default '111122223333' */
  account: accountId.default('111122223333'),
  /** seconds of peak traffic simulated (every second is a peak second). @default 10 */
  seconds: z.number().int().min(1).max(3600).default(10),
  /** @default 1 */
  seed: z.number().int().default(1),
  /** the peak rate over the month's average rate; the monthly bill uses the average. @default 1 */
  peakToAverage: z.number().finite().min(1).default(1),
  /** quota profile. @default 'aws-default' */
  profile: z.string().default('aws-default'),
  /** quotas already granted (pool → requests/s, e.g. `{ "symmetric": 20000 }`) */
  quotas: z.record(z.string(), z.number().finite().nonnegative()).optional(),
  /** application hosts (each with its own SDK client and caches). @default 1 */
  hosts: z.number().int().positive().max(100_000).default(1),
  retry: z
    .strictObject({
      mode: z.enum(['none', 'standard', 'adaptive']).default('standard'),
      maxAttempts: z.number().int().min(1).max(100).default(3),
    })
    .optional(),
  keys: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
        region: z.string().optional(),
        account: accountId.optional(),
        /** @default 'SYMMETRIC_DEFAULT' (or what the operations need: HMAC_256 for MACs, ECC_NIST_P256 for signatures) */
        spec: z.enum(KEY_SPECS).optional(),
        /** operation → peak requests per second */
        operations: z
          .record(z.string(), z.number().finite().positive())
          .refine((o) => Object.keys(o).length > 0, { message: 'needs at least one operation' }),
      }),
    )
    .min(1),
  /** variants beside the baseline, as in a scenario file (mitigations named declaratively) */
  variants: z.array(z.record(z.string(), z.unknown())).optional(),
})
/** What a WORKLOAD file holds. */
export type WorkloadInput = z.input<typeof WorkloadSchema>
/** A validated workload. */
export type Workload = z.output<typeof WorkloadSchema>

/** Validates a parsed WORKLOAD file; throws {@link ScenarioError} listing every problem with its path. */
export function parseWorkload(json: unknown, source = 'workload'): Workload {
  const r = WorkloadSchema.safeParse(json)
  if (!r.success) throw new ScenarioError(source, formatIssues(r.error.issues))
  const problems: string[] = []
  const keyNames = new Set<string>()
  for (const [i, k] of r.data.keys.entries()) {
    if (keyNames.has(k.name)) problems.push(`keys.${i}.name: duplicate key name '${k.name}'`)
    keyNames.add(k.name)
    for (const op of Object.keys(k.operations)) {
      if (!(OPERATION_NAMES as readonly string[]).includes(op))
        problems.push(`keys.${i}.operations.${op}: not a KMS operation`)
      else if (OP_RECIPES[op as OperationName]?.key === undefined)
        problems.push(
          `keys.${i}.operations.${op}: not a keyed operation a workload can describe (supported: ${keyedOperations().join(', ')})`,
        )
    }
    const needs = new Set(
      Object.keys(k.operations)
        .map((op) => OP_RECIPES[op as OperationName]?.key?.usage)
        .filter((u) => u !== undefined),
    )
    if (needs.size > 1)
      problems.push(
        `keys.${i}.operations: ${[...needs].join(' and ')} operations need different keys; split them into two keys`,
      )
  }
  if (problems.length > 0) throw new ScenarioError(source, problems)
  return r.data
}

function keyedOperations(): string[] {
  return Object.entries(OP_RECIPES)
    .filter(([, r]) => r?.key !== undefined)
    .map(([op]) => op)
    .sort()
}

/**
 * The scenario of a workload: one key per entry, one `op` request kind per key and
 * operation weighted by its rate, constant evenly spaced arrivals at the total rate (so with
 * every operation in one pool each second holds exactly the peak), a `baseline` variant and
 * the workload's own.
 */
export function workloadScenario(w: Workload, mitigations: MitigationTable, source = 'workload'): Scenario {
  const accounts = [...new Set([w.account, ...w.keys.map((k) => k.account ?? w.account)])]
  const total = w.keys.reduce((a, k) => a + Object.values(k.operations).reduce((x, y) => x + y, 0), 0)
  const input: ScenarioInput = {
    name: w.name,
    description:
      w.description ??
      `workload: ${w.keys
        .map(
          (k) =>
            `${k.name} (${Object.entries(k.operations)
              .map(([op, r]) => `${op} ${r}/s`)
              .join(', ')})`,
        )
        .join('; ')}`,
    region: w.region,
    duration: w.seconds,
    seed: w.seed,
    accounts: accounts.map((id) => ({ id })),
    keys: w.keys.map((k) => {
      const need = Object.keys(k.operations)
        .map((op) => OP_RECIPES[op as OperationName]?.key)
        .find((x) => x !== undefined)
      return {
        name: k.name,
        ...(k.region !== undefined ? { region: k.region } : {}),
        ...(k.account !== undefined ? { account: k.account } : {}),
        spec: k.spec ?? need?.spec ?? 'SYMMETRIC_DEFAULT',
        ...(need !== undefined ? { usage: need.usage } : {}),
      }
    }),
    fleet: { hosts: w.hosts },
    arrivals: { shape: 'constant', rate: total },
    // A Decrypt of a workload reads an envelope-encrypted message's data key: one data key per
    // message (the envelope-decrypt data-key model), so a cache saves none of them unless the
    // same data key comes back. An `op` Decrypt would decrypt one fixed ciphertext again and
    // again, which a cache answers every time (issue 12: "Decrypt caching is overstated").
    requests: w.keys.flatMap((k) =>
      Object.entries(k.operations).map(([op, rate]) =>
        op === 'Decrypt'
          ? { kind: 'envelope-decrypt' as const, key: k.name, weight: rate }
          : { kind: 'op' as const, operation: op as OperationName, key: k.name, weight: rate },
      ),
    ),
    profile: w.profile,
    ...(w.quotas !== undefined ? { quotas: w.quotas } : {}),
    ...(w.retry !== undefined ? { retry: w.retry } : {}),
    variants: [
      { name: 'baseline', description: 'the workload as it is today' },
      ...((w.variants ?? []) as NonNullable<ScenarioInput['variants']>),
    ],
    assumptions: [
      `Workload rates are peak rates; the monthly bill assumes an average of 1/${w.peakToAverage} of the peak.`,
    ],
  }
  return defineScenario(input, { source, mitigations })
}

// ---------------------------------------------------------------------------------------------
// The plan

/** How a pool appears in Service Quotas (injected by the CLI from the mitigations library). */
export interface ServiceQuotaInfo {
  /** the quota's name in Service Quotas */
  readonly name: string
  /** false when Service Quotas cannot raise it */
  readonly adjustable: boolean
  /** the AWS CLI command(s) that request `desired` */
  readonly command?: string
}

/** Options of {@link buildPlan}. */
export interface PlanOptions {
  /** compound growth of traffic per month, as a fraction (0.1 = 10 %/month) */
  readonly growthPerMonth: number
  /** months to project (the horizon) */
  readonly months: number
  /**
   * Factor on request counts for the monthly bill (1/peakToAverage for workloads given as
   * peak rates).
   * @default 1
   */
  readonly costFactor?: number
  /** where the plan came from. @default 'scenario' */
  readonly source?: 'scenario' | 'workload'
  /** describes a pool's Service Quotas quota and the request command; pools it does not know get their pool name */
  readonly serviceQuota?: (pool: string, region: string, desired: number) => ServiceQuotaInfo | undefined
}

/** Sort key of a throttle month: never (null) first, then later months before earlier ones. */
function throttleOrder(month: number | null): number {
  return month === null ? Number.NEGATIVE_INFINITY : -month
}

/** Why a plan cannot be built (bad growth or horizon). */
export class PlanError extends Error {
  override readonly name = 'PlanError'
}

/** Projected peak in month m: peak × (1 + g)^m. */
export function projectPeak(peak: number, growth: number, month: number): number {
  return peak * (1 + growth) ** month
}

/** The first month m in 0..months with peak × (1 + g)^m > limit, or null. */
export function throttleMonthWithin(peak: number, limit: number, growth: number, months: number): number | null {
  for (let m = 0; m <= months; m++) if (projectPeak(peak, growth, m) > limit) return m
  return null
}

/** The first month (any) with peak × (1 + g)^m > limit under growth > 0; null when it never comes. */
export function throttleMonthEver(peak: number, limit: number, growth: number): number | null {
  if (peak > limit) return 0
  if (!(growth > 0) || !(peak > 0)) return null
  let m = Math.max(0, Math.floor(Math.log(limit / peak) / Math.log(1 + growth)))
  // The closed form can be off by one in floating point: settle on the exact inequality.
  while (projectPeak(peak, growth, m) <= limit) m++
  while (m > 0 && projectPeak(peak, growth, m - 1) > limit) m--
  return m
}

/** A mitigation in a few words; the SDK's default retries (standard, 3 attempts) go unsaid. */
function mitigationLabel(m: VariantSummary['mitigations'][number]): string[] {
  if (m.name !== 'sdk-retry') return [m.name]
  const mode = m.params['mode']
  const attempts = m.params['maxAttempts']
  if (mode === 'standard' && attempts === 3) return []
  return [mode === 'none' || attempts === 1 ? 'no retries' : `${String(mode)} retries, ${String(attempts)} attempts`]
}

function poolKey(q: { account: string; region: string; pool: string }): string {
  return `${q.account}/${q.region}/${q.pool}`
}

function pickBaseline(variants: readonly VariantSummary[]): VariantSummary {
  const first = variants[0]
  if (first === undefined) throw new PlanError('the run has no variants')
  return (
    variants.find((v) => v.name.toLowerCase() === 'baseline') ??
    variants.find((v) => v.mitigations.length === 0 && Object.keys(v.quotaOverrides).length === 0) ??
    first
  )
}

function monthlyCost(v: VariantSummary, durationSeconds: number, factor: number): number {
  const b = v.billing
  if (b === undefined) return v.costUsd.monthly.requests * factor + v.costUsd.monthly.keys
  const e = estimateCost({
    symmetricRequests: b.symmetricRequests * factor,
    asymmetricRequests: b.asymmetricRequests * factor,
    dataKeyPairRequests: b.dataKeyPairRequests * factor,
    keys: b.keys,
    periodSeconds: durationSeconds > 0 ? durationSeconds : 1,
  })
  return e.monthly.total
}

/** What every part of a plan is computed with. */
interface PlanContext {
  /** growth per month */
  g: number
  /** months of the horizon */
  n: number
  costFactor: number
  seconds: number
  quotaInfo: (pool: string, region: string, desired: number) => ServiceQuotaInfo
}

/** One pool of a variant: its peak now (the probe's where the run throttled), projected over the horizon. */
function planPool(q: VariantSummary['quota'][number], probe: VariantSummary | undefined, ctx: PlanContext): PlanPool {
  const { g, n, quotaInfo } = ctx
  const probed = q.throttled > 0 ? probe?.quota.find((p) => poolKey(p) === poolKey(q)) : undefined
  const peakNow = probed !== undefined ? probed.peakPerSecond : q.peakPerSecond
  const peakByMonth = Array.from({ length: n + 1 }, (_, m) => projectPeak(peakNow, g, m))
  const throttleMonth = throttleMonthWithin(peakNow, q.limit, g, n)
  const ever = throttleMonth === null ? throttleMonthEver(peakNow, q.limit, g) : null
  const requiredQuota = Math.ceil(at(peakByMonth, n))
  const info = quotaInfo(q.pool, q.region, Math.max(requiredQuota, q.limit))
  return {
    account: q.account,
    region: q.region,
    pool: q.pool,
    quotaName: info.name,
    adjustable: info.adjustable,
    limit: q.limit,
    peakNow,
    demandSource: probed !== undefined ? 'probe' : 'run',
    utilizationNow: q.limit > 0 ? peakNow / q.limit : peakNow > 0 ? Number.POSITIVE_INFINITY : 0,
    headroomNow: q.limit - peakNow,
    peakByMonth,
    throttleMonth,
    throttleMonthBeyond: ever,
    requiredQuota,
    increase: Math.max(0, requiredQuota - q.limit),
  } satisfies PlanPool
}

/** One variant of a plan: its pools, calls and cost by month (the probe's where the run throttled). */
function planVariant(v: VariantSummary, probe: VariantSummary | undefined, ctx: PlanContext): PlanVariant {
  const { g, n, costFactor, seconds } = ctx
  const pools: PlanPool[] = v.quota.filter((q) => q.accepted + q.throttled > 0).map((q) => planPool(q, probe, ctx))
  const months = pools.map((p) => p.throttleMonth).filter((m): m is number => m !== null)
  return {
    name: v.name,
    ...(v.description !== undefined ? { description: v.description } : {}),
    mitigations: v.mitigations.flatMap((m) => mitigationLabel(m)),
    quotaOverrides: v.quotaOverrides,
    requestsPerSecond: seconds > 0 ? v.offered.requests / seconds : 0,
    callsPerRequest: v.kms.callsPerRequest,
    throttleRateNow: v.throttleRate,
    // A throttled run bills only the calls the quota let through (and counts retries): the
    // probe's figures are what serving the whole demand takes.
    kmsCallsPerMonth: seconds > 0 ? ((probe ?? v).kms.calls / seconds) * SECONDS_PER_MONTH * costFactor : 0,
    costByMonth: Array.from({ length: n + 1 }, (_, m) => monthlyCost(probe ?? v, seconds, costFactor * (1 + g) ** m)),
    pools,
    throttleMonth: months.length > 0 ? Math.min(...months) : null,
    exposure: v.exposure,
  }
}

/** The variants other than the baseline, ranked (see the sort's comment). */
function rankMitigations(variants: readonly PlanVariant[], basePlan: PlanVariant, n: number): PlanMitigation[] {
  return (
    variants
      .filter((v) => v !== basePlan)
      .map((v) => ({
        rank: 0,
        variant: v.name,
        mitigations: v.mitigations,
        kmsCallsSavedPerMonth: basePlan.kmsCallsPerMonth - v.kmsCallsPerMonth,
        dollarsSavedNow: at(basePlan.costByMonth, 0) - at(v.costByMonth, 0),
        dollarsSavedAtHorizon: at(basePlan.costByMonth, n) - at(v.costByMonth, n),
        throttleMonth: v.throttleMonth,
        quotaOverrides: v.quotaOverrides,
        exposure: v.exposure,
      }))
      // A variant that removes throttling beats one that still throttles within the horizon, however
      // many calls the latter saves (a cheap plan that throttles is no plan); later throttling beats
      // earlier; then calls, then dollars saved.
      .sort(
        (a, b) =>
          throttleOrder(a.throttleMonth) - throttleOrder(b.throttleMonth) ||
          b.kmsCallsSavedPerMonth - a.kmsCallsSavedPerMonth ||
          b.dollarsSavedNow - a.dollarsSavedNow ||
          (a.variant < b.variant ? -1 : 1),
      )
      .map((m, i) => ({ ...m, rank: i + 1 }))
  )
}

/** The quota increases the baseline needs within the horizon, with the variants that avoid each. */
function quotaRequestsOf(
  variants: readonly PlanVariant[],
  basePlan: PlanVariant,
  quotaInfo: PlanContext['quotaInfo'],
): QuotaRequest[] {
  return basePlan.pools
    .filter((p) => p.throttleMonth !== null)
    .map((p) => {
      const info = quotaInfo(p.pool, p.region, p.requiredQuota)
      const avoidedBy = variants
        .filter((v) => v !== basePlan && Object.keys(v.quotaOverrides).length === 0)
        .filter((v) => {
          const same = v.pools.find((x) => poolKey(x) === poolKey(p))
          return same === undefined || same.throttleMonth === null
        })
        .map((v) => v.name)
      return {
        account: p.account,
        region: p.region,
        pool: p.pool,
        quotaName: p.quotaName,
        adjustable: p.adjustable,
        current: p.limit,
        request: p.requiredQuota,
        increase: p.increase,
        throttleMonth: p.throttleMonth as number,
        ...(info.command !== undefined ? { command: info.command } : {}),
        avoidedBy,
      }
    })
}

/** The plan's method, in words, with its figures. */
function methodText(run: RunSummary, ctx: PlanContext): string[] {
  const { g, n, costFactor, seconds } = ctx
  const pct = (x: number): string => `${Number((x * 100).toPrecision(6))}%`
  return [
    `Every variant ran once in virtual time over ${seconds} s of traffic at today's rate (seed ${run.seed}), so this plan is the same on any machine. The quota gate counted the calls offered to each quota pool in each one-second window, as KMS applies its quotas (fixed one-second windows, no burst: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).`,
    "Peak demand of a pool is its busiest second. Where a variant's run throttled a pool, its client retries inflate that count, so the variant ran again with retries off and that pool's quota lifted (an unthrottled probe); the probe's busiest second is the demand (\"probe\" in the tables), and its KMS calls and bill are the variant's (a throttled run bills only what the quota let through, so it would look cheaper than serving the traffic).",
    `Growth is compound: the peak in month m is the peak now × (1 + ${pct(g)})^m. Throttling starts in the first month whose projected peak second exceeds the quota. KMS calls are taken to grow in proportion to requests: exact for mitigations that cost a fixed number of calls per request, an upper bound for caches (data-key caching, S3 Bucket Keys), whose calls grow more slowly than traffic, so the dates err on the safe side.`,
    `Cost of month m: the window's requests sustained for a month (730 hours)${costFactor !== 1 ? `, times ${Number(costFactor.toPrecision(6))} (the average over the peak rate)` : ''}, scaled by (1 + ${pct(g)})^m, priced with the KMS price model (free tier once per month); key storage does not grow.`,
    `Quota increase: the smallest quota that keeps month ${n}'s projected peak second unthrottled, ⌈peak now × (1 + ${pct(g)})^${n}⌉ calls per second.`,
    'Mitigations that keep every pool unthrottled over the horizon rank above those that still throttle (later throttling above earlier); then by KMS calls saved per month against the baseline, then by dollars saved; each shows the month its pools would throttle and its security exposure.',
  ]
}

/**
 * Builds a plan from a virtual-time run of the scenario at today's rate and, for variants
 * whose run throttled, their unthrottled probes (same variant, retries off, quotas lifted).
 * Pure arithmetic; see the module comment for the method.
 */
export function buildPlan(
  run: RunSummary,
  probes: ReadonlyMap<string, RunSummary>,
  options: PlanOptions,
): CapacityPlan {
  const g = options.growthPerMonth
  const n = options.months
  if (!(g > -1) || !Number.isFinite(g)) throw new PlanError(`growth must be a rate above -100% per month, got ${g}`)
  if (!Number.isInteger(n) || n < 0 || n > 600) throw new PlanError(`months must be an integer from 0 to 600, got ${n}`)
  const costFactor = options.costFactor ?? 1
  const seconds = run.durationSeconds
  const quotaInfo = (pool: string, region: string, desired: number): ServiceQuotaInfo =>
    options.serviceQuota?.(pool, region, desired) ?? { name: pool, adjustable: true }
  const ctx: PlanContext = { g, n, costFactor, seconds, quotaInfo }

  const variants: PlanVariant[] = run.variants.map((v) =>
    planVariant(
      v,
      probes.get(v.name)?.variants.find((x) => x.name === v.name),
      ctx,
    ),
  )
  const base = pickBaseline(run.variants)
  const basePlan = variants.find((v) => v.name === base.name) as PlanVariant
  const mitigations = rankMitigations(variants, basePlan, n)
  const quotaRequests = quotaRequestsOf(variants, basePlan, quotaInfo)
  const method = methodText(run, ctx)
  return {
    kind: 'kms-bench-plan',
    version: 1,
    scenario: run.scenario,
    ...(run.description !== undefined ? { description: run.description } : {}),
    source: options.source ?? 'scenario',
    region: run.region,
    seed: run.seed,
    windowSeconds: seconds,
    growthPerMonth: g,
    months: n,
    costFactor,
    baseline: base.name,
    variants,
    mitigations,
    quotaRequests,
    method,
    assumptions: run.assumptions,
  }
}

/**
 * The quota overrides of an unthrottled probe for a variant's run: every pool it throttled,
 * lifted far beyond any demand (per Region, so other Regions keep their quotas).
 */
export function probeQuotas(v: VariantSummary): Record<string, number> {
  const out: Record<string, number> = {}
  for (const q of v.quota) if (q.throttled > 0) out[`${q.region}/${q.pool}`] = 1e12
  return out
}

/** Names of the variants whose run throttled a pool (they need a probe). */
export function variantsNeedingProbe(run: RunSummary): VariantSummary[] {
  return run.variants.filter((v) => v.quota.some((q) => q.throttled > 0))
}
