/**
 * A service-time model of KMS: how long one call takes on the service side, sampled per
 * operation. Pure and seeded: it reads no clock and draws from the uniform random function it
 * is given, so the same seed gives the same samples in virtual time (load engine) and the
 * endpoint (`kms-bench serve --latency`) adds the same distribution before answering.
 *
 * AWS publishes no KMS latency figures (kms-facts.md §8): {@link AWS_LATENCY_SPEC} is an
 * assumption calibrated on the user reports collected there, documented on the constant.
 */
import { z } from 'zod'
import { CUSTOM_KEY_STORE_LATENCY_MS, type CustomKeyStoreType, OPERATION_NAMES } from '../../kms/index.ts'

/** A distribution of service times, in milliseconds. */
export type LatencyDistribution =
  /** Always 0 ms. */
  | { readonly type: 'none' }
  /** Always `ms`. */
  | { readonly type: 'constant'; readonly ms: number }
  /** Uniform between `minMs` and `maxMs`. */
  | { readonly type: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /**
   * Lognormal with the given median and 99th percentile, plus an optional rare heavy tail:
   * with probability `tail.probability` the sample is instead log-uniform in
   * [`tail.minMs`, `tail.maxMs`].
   */
  | {
      readonly type: 'lognormal'
      readonly p50Ms: number
      readonly p99Ms: number
      readonly tail?: LatencyTail
    }

/** The rare heavy tail of a lognormal distribution. */
export interface LatencyTail {
  /** Probability that a sample comes from the tail, in [0, 1). */
  readonly probability: number
  readonly minMs: number
  readonly maxMs: number
}

/** A latency model: a default distribution, per-operation overrides, an optional cold-connection penalty. */
export interface LatencySpec {
  /** Used for every operation without its own entry. */
  readonly default: LatencyDistribution
  /** Per-operation distributions (`Encrypt`, `CreateKey`, ...). */
  readonly operations?: Readonly<Record<string, LatencyDistribution>>
  /**
   * Added to the first call on a new connection, modelling the TLS handshake a real KMS
   * client pays once per connection (kms-facts.md §8: about 50–300 ms). Callers that know
   * nothing of connections never ask for it.
   */
  readonly newConnection?: LatencyDistribution
  /**
   * Added once per round trip to a custom key store, by store type: the HSM cluster
   * (`AWS_CLOUDHSM`) or the external key store proxy (`EXTERNAL_KEY_STORE`) a successful
   * cryptographic call on a key in such a store waits for (kms `keyStoresOfCall`). Only callers
   * that know the keys (the embedded target, `kms-bench serve`) ask for it.
   * @default none; the `aws` preset: constant 5 ms (CloudHSM) and 20 ms (XKS), CUSTOM_KEY_STORE_LATENCY_MS
   */
  readonly customKeyStore?: Readonly<Partial<Record<CustomKeyStoreType, LatencyDistribution>>>
}

/** Options of one {@link LatencyModel.sample} call. */
export interface SampleOptions {
  /** True for the first call on a new connection: adds the spec's `newConnection` time. @default false */
  readonly newConnection?: boolean
  /** The custom key stores the call contacted, one entry per round trip: adds the spec's `customKeyStore` terms. @default none */
  readonly keyStores?: readonly CustomKeyStoreType[]
}

/** A sampler of service times. */
export interface LatencyModel {
  /** `'none'`, `'aws'`, or `'custom'`. */
  readonly name: string
  /** True when every sample is 0 (callers can skip waiting altogether). */
  readonly isZero: boolean
  /** True when the spec has a non-zero `customKeyStore` term (callers need to pass `keyStores`). @default false */
  readonly usesKeyStores?: boolean
  /** A service time in milliseconds (≥ 0, finite) for one call of `operation`. */
  sample(operation: string, options?: SampleOptions): number
}

/** A uniform random number generator in [0, 1), e.g. `Math.random` or a seeded PRNG. */
export type UniformRandom = () => number

/** No added latency. */
export const NO_LATENCY_SPEC: LatencySpec = { default: { type: 'none' } }

/**
 * The `aws` preset, an assumption calibrated on kms-facts.md §8 (AWS publishes no figures):
 *
 * - Warm calls, same Region, keep-alive: lognormal with **p50 15 ms, p99 60 ms**. User reports
 *   put steady Encryption SDK decrypts at 23–31 ms and an encrypt (GenerateDataKey) at about
 *   50 ms *client side*, SDK and network included; §8 suggests p50 10–25 ms and p99 50–100 ms
 *   for the service: 15/60 sits inside both ranges, on the low side because the client's own
 *   overhead comes on top.
 * - A rare heavy tail: probability **1e-4**, log-uniform **1–5 s** (occasional multi-second
 *   Decrypts were reported by kubernetes-sigs/aws-encryption-provider#31).
 * - A new connection pays a TLS handshake once: uniform **50–300 ms** (§8).
 * - A round trip to a custom key store adds a constant **5 ms** (CloudHSM) or **20 ms** (XKS
 *   proxy): CUSTOM_KEY_STORE_LATENCY_MS, an assumption under the 250 ms XKS proxy timeout AWS
 *   documents (it publishes no latency figure for either).
 *
 * Every operation uses the same distribution: there is no public per-operation data.
 */
export const AWS_LATENCY_SPEC: LatencySpec = {
  default: { type: 'lognormal', p50Ms: 15, p99Ms: 60, tail: { probability: 1e-4, minMs: 1000, maxMs: 5000 } },
  newConnection: { type: 'uniform', minMs: 50, maxMs: 300 },
  customKeyStore: {
    AWS_CLOUDHSM: { type: 'constant', ms: CUSTOM_KEY_STORE_LATENCY_MS.AWS_CLOUDHSM },
    EXTERNAL_KEY_STORE: { type: 'constant', ms: CUSTOM_KEY_STORE_LATENCY_MS.EXTERNAL_KEY_STORE },
  },
}

/** Bad latency spec: the message names every problem. */
export class LatencySpecError extends Error {
  override readonly name = 'LatencySpecError'
}

const KNOWN_OPERATIONS = new Set<string>(OPERATION_NAMES)
const nonNegative = z.number().finite().nonnegative()
const tailSchema = z
  .object({ probability: z.number().min(0).lt(1), minMs: nonNegative, maxMs: nonNegative })
  .strict()
  .refine((t) => t.minMs > 0 && t.maxMs >= t.minMs, { message: 'tail needs 0 < minMs <= maxMs' })
const distributionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('constant'), ms: nonNegative }).strict(),
  z
    .object({ type: z.literal('uniform'), minMs: nonNegative, maxMs: nonNegative })
    .strict()
    .refine((d) => d.maxMs >= d.minMs, { message: 'uniform needs minMs <= maxMs' }),
  z
    .object({
      type: z.literal('lognormal'),
      p50Ms: z.number().finite().positive(),
      p99Ms: z.number().finite().positive(),
      tail: tailSchema.optional(),
    })
    .strict()
    .refine((d) => d.p99Ms >= d.p50Ms, { message: 'lognormal needs p99Ms >= p50Ms' }),
])
/** The latency spec's zod schema (`--latency FILE`, a scenario's `latency`): the source of its reference in docs/scenarios.md. */
export const specSchema = z
  .object({
    default: distributionSchema.optional(),
    operations: z
      .record(z.string(), distributionSchema)
      .superRefine((ops, ctx) => {
        for (const k of Object.keys(ops)) {
          if (!KNOWN_OPERATIONS.has(k))
            ctx.addIssue({ code: 'custom', path: [k], message: 'not a KMS operation name (PascalCase, e.g. Encrypt)' })
        }
      })
      .optional(),
    newConnection: distributionSchema.optional(),
    customKeyStore: z
      .object({ AWS_CLOUDHSM: distributionSchema.optional(), EXTERNAL_KEY_STORE: distributionSchema.optional() })
      .strict()
      .optional(),
  })
  .strict()

/**
 * Validates a latency spec read from JSON (the `--latency FILE` format):
 *
 * ```json
 * { "default": { "type": "lognormal", "p50Ms": 15, "p99Ms": 60,
 *                "tail": { "probability": 0.0001, "minMs": 1000, "maxMs": 5000 } },
 *   "operations": { "CreateKey": { "type": "uniform", "minMs": 80, "maxMs": 250 } },
 *   "newConnection": { "type": "constant", "ms": 120 } }
 * ```
 *
 * Distribution types: `none`, `constant` (`ms`), `uniform` (`minMs`, `maxMs`), `lognormal`
 * (`p50Ms`, `p99Ms`, optional `tail`). `default` may be omitted (then 0 ms). Throws
 * {@link LatencySpecError} naming every problem.
 */
export function parseLatencySpec(json: unknown): LatencySpec {
  const r = specSchema.safeParse(json)
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    throw new LatencySpecError(`invalid latency spec: ${problems.join('; ')}`)
  }
  const spec: {
    default: LatencyDistribution
    operations?: Record<string, LatencyDistribution>
    newConnection?: LatencyDistribution
    customKeyStore?: Partial<Record<CustomKeyStoreType, LatencyDistribution>>
  } = {
    default: r.data.default ?? { type: 'none' },
  }
  if (r.data.operations !== undefined) spec.operations = r.data.operations
  if (r.data.newConnection !== undefined) spec.newConnection = r.data.newConnection
  if (r.data.customKeyStore !== undefined) {
    const stores: Partial<Record<CustomKeyStoreType, LatencyDistribution>> = {}
    if (r.data.customKeyStore.AWS_CLOUDHSM !== undefined) stores.AWS_CLOUDHSM = r.data.customKeyStore.AWS_CLOUDHSM
    if (r.data.customKeyStore.EXTERNAL_KEY_STORE !== undefined)
      stores.EXTERNAL_KEY_STORE = r.data.customKeyStore.EXTERNAL_KEY_STORE
    spec.customKeyStore = stores
  }
  return spec
}

/** One distribution in words, e.g. `constant 5 ms`, `uniform 10–40 ms`, `lognormal p50 15 ms, p99 60 ms`. */
export function describeDistribution(d: LatencyDistribution): string {
  switch (d.type) {
    case 'none':
      return '0 ms'
    case 'constant':
      return `constant ${d.ms} ms`
    case 'uniform':
      return `uniform ${d.minMs}–${d.maxMs} ms`
    case 'lognormal':
      return `lognormal p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms${d.tail !== undefined ? ` (tail ${d.tail.probability} of ${d.tail.minMs}–${d.tail.maxMs} ms)` : ''}`
  }
}

/** The `customKeyStore` term of a latency setting in words, or `undefined` when it has none. */
export function describeKeyStoreTerm(spec: LatencySpec | 'none' | 'aws'): string | undefined {
  const s = spec === 'none' ? NO_LATENCY_SPEC : spec === 'aws' ? AWS_LATENCY_SPEC : spec
  const t = s.customKeyStore
  if (t === undefined) return undefined
  const parts: string[] = []
  if (t.AWS_CLOUDHSM !== undefined && !isZero(t.AWS_CLOUDHSM))
    parts.push(`CloudHSM ${describeDistribution(t.AWS_CLOUDHSM)}`)
  if (t.EXTERNAL_KEY_STORE !== undefined && !isZero(t.EXTERNAL_KEY_STORE))
    parts.push(`XKS proxy ${describeDistribution(t.EXTERNAL_KEY_STORE)}`)
  return parts.length > 0 ? parts.join(', ') : undefined
}

/** z for the 99th percentile of the standard normal distribution. */
const Z99 = 2.326347874040841

type Sampler = (u1: number, u2: number) => number

function compile(d: LatencyDistribution): Sampler {
  switch (d.type) {
    case 'none':
      return () => 0
    case 'constant': {
      const ms = d.ms
      return () => ms
    }
    case 'uniform': {
      const { minMs, maxMs } = d
      return (_u1, u2) => minMs + (maxMs - minMs) * u2
    }
    case 'lognormal': {
      const mu = Math.log(d.p50Ms)
      const sigma = (Math.log(d.p99Ms) - mu) / Z99
      const tail = d.tail
      if (tail === undefined || tail.probability === 0) return (_u1, u2) => Math.exp(mu + sigma * inverseNormal(u2))
      const lo = Math.log(tail.minMs)
      const span = Math.log(tail.maxMs) - lo
      const p = tail.probability
      return (u1, u2) => (u1 < p ? Math.exp(lo + span * u2) : Math.exp(mu + sigma * inverseNormal(u2)))
    }
  }
}

function isZero(d: LatencyDistribution | undefined): boolean {
  return (
    d === undefined ||
    d.type === 'none' ||
    (d.type === 'constant' && d.ms === 0) ||
    (d.type === 'uniform' && d.maxMs === 0)
  )
}

/**
 * Creates a latency model. `spec` is `'none'`, `'aws'` ({@link AWS_LATENCY_SPEC}) or a spec
 * object (validated: use {@link parseLatencySpec} for JSON). Every sample draws exactly two
 * numbers from `random`, two more with a new-connection penalty and two more per custom key
 * store round trip, so a seeded generator gives a reproducible sequence whatever the
 * distributions are.
 */
export function createLatencyModel(spec: LatencySpec | 'none' | 'aws', random: UniformRandom): LatencyModel {
  const name = spec === 'none' || spec === 'aws' ? spec : 'custom'
  const s = spec === 'none' ? NO_LATENCY_SPEC : spec === 'aws' ? AWS_LATENCY_SPEC : parseLatencySpec(spec)
  const fallback = compile(s.default)
  const perOp = new Map<string, Sampler>()
  for (const [op, d] of Object.entries(s.operations ?? {})) perOp.set(op, compile(d))
  const connection = s.newConnection !== undefined && !isZero(s.newConnection) ? compile(s.newConnection) : undefined
  const hsm = s.customKeyStore?.AWS_CLOUDHSM
  const xks = s.customKeyStore?.EXTERNAL_KEY_STORE
  const stores: Partial<Record<CustomKeyStoreType, Sampler>> = {}
  if (!isZero(hsm)) stores.AWS_CLOUDHSM = compile(hsm as LatencyDistribution)
  if (!isZero(xks)) stores.EXTERNAL_KEY_STORE = compile(xks as LatencyDistribution)
  const usesKeyStores = stores.AWS_CLOUDHSM !== undefined || stores.EXTERNAL_KEY_STORE !== undefined
  const zero =
    isZero(s.default) && Object.values(s.operations ?? {}).every(isZero) && connection === undefined && !usesKeyStores
  return {
    name,
    isZero: zero,
    usesKeyStores,
    sample(operation, options) {
      const f = perOp.get(operation) ?? fallback
      let ms = f(random(), random())
      if (connection !== undefined && options?.newConnection === true) ms += connection(random(), random())
      const trips = options?.keyStores
      if (usesKeyStores && trips !== undefined)
        for (const t of trips) {
          const g = stores[t]
          if (g !== undefined) ms += g(random(), random())
        }
      return Number.isFinite(ms) && ms > 0 ? ms : 0
    },
  }
}

/**
 * The standard normal quantile function Φ⁻¹(p), by Acklam's rational approximation
 * (relative error below 1.15e-9, far below what a latency model needs).
 * `p` outside (0, 1) is clamped, so a generator that returns exactly 0 cannot yield -∞.
 */
export function inverseNormal(p: number): number {
  const q0 = Math.min(Math.max(p, 1e-300), 1 - 1e-16)
  let x: number
  const plow = 0.02425
  if (q0 < plow) {
    const q = Math.sqrt(-2 * Math.log(q0))
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  } else if (q0 <= 1 - plow) {
    const q = q0 - 0.5
    const r = q * q
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - q0))
    x =
      -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  }
  return x
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const
