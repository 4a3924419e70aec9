/**
 * Compiles a scenario's requests into the workload the engine runs: one compiler per request
 * kind (kind-*.ts), the weighted mix and the tenant distribution.
 */
import type { Random } from '../../random.ts'
import type { RequestSpec, Scenario } from '../scenario/index.ts'
import type { Arrivals, ArrivalStreamOptions } from './arrivals.ts'
import { compileCustom } from './kind-custom.ts'
import { compileDecrypt } from './kind-decrypt.ts'
import { compileDynamodb } from './kind-dynamodb.ts'
import { compileEbs } from './kind-ebs.ts'
import { compileEnvelope } from './kind-envelope.ts'
import { compileLambda } from './kind-lambda.ts'
import { compileOp } from './kind-op.ts'
import { compileReplay } from './kind-replay.ts'
import { compileS3 } from './kind-s3.ts'
import { compileSecretsManager } from './kind-secrets-manager.ts'
import { compileSequence } from './kind-sequence.ts'
import { compileSqs } from './kind-sqs.ts'
import { mergedArrivals } from './own-arrivals.ts'
import { HostEnvironments } from './service-cache.ts'
import {
  type CompiledKind,
  type KindContext,
  sizeSampler,
  tenantCount,
  type Workload,
  type WorkloadOptions,
} from './workload.ts'

type Compiler<K extends RequestSpec['kind']> = (r: Extract<RequestSpec, { kind: K }>, c: KindContext) => CompiledKind

/** The compiler of each request kind. */
const COMPILERS: { readonly [K in RequestSpec['kind']]: Compiler<K> } = {
  encrypt: compileOp,
  op: compileOp,
  decrypt: compileDecrypt,
  'envelope-encrypt': compileEnvelope,
  'envelope-decrypt': compileEnvelope,
  's3-put': compileS3,
  's3-get': compileS3,
  'sqs-send': compileSqs,
  'sqs-receive': compileSqs,
  dynamodb: compileDynamodb,
  'secrets-manager-get': compileSecretsManager,
  'lambda-cold-start': compileLambda,
  'ebs-attach': compileEbs,
  sequence: compileSequence,
  custom: compileCustom,
  replay: compileReplay,
}

function compileKind(
  r: RequestSpec,
  index: number,
  tenants: number,
  o: WorkloadOptions,
  environments: HostEnvironments,
): CompiledKind {
  const fixtureId = `r${index}`
  const c: KindContext = {
    index,
    tenants,
    options: o,
    fixtureId,
    environments,
    keyOf: (name) => {
      const k = o.keys.get(name)
      if (k === undefined) throw new Error(`key '${name}' was not created`)
      return k
    },
    fixture: (n) => o.fixtures.get(fixtureId, n % Math.max(1, o.fixtures.count(fixtureId))),
    fixtureIndex: (n) => n % Math.max(1, o.fixtures.count(fixtureId)),
  }
  // COMPILERS[r.kind] takes exactly the request kind it is looked up by.
  const compile = COMPILERS[r.kind] as (r: RequestSpec, c: KindContext) => CompiledKind
  return compile(r, c)
}

/** Compiles a scenario's requests. */
export function compileWorkload(s: Scenario, options: WorkloadOptions): Workload {
  const tenants = tenantCount(s)
  const environments = new HostEnvironments()
  const kinds = s.requests.map((r, i) => compileKind(r, i, tenants, options, environments))
  // Kinds with a rate of their own arrive on their own streams; the others share the mix.
  const own = kinds.filter((k) => k.rate !== undefined)
  const mix = own.length === 0 ? kinds : kinds.filter((k) => k.rate === undefined)
  const total = mix.reduce((a, k) => a + k.weight, 0)
  const cdf = mix.map(
    (
      (acc) => (k: CompiledKind) =>
        (acc += k.weight / total)
    )(0),
  )
  const first = (mix[0] ?? kinds[0]) as CompiledKind
  const pickMix =
    mix.length <= 1
      ? (): CompiledKind => first
      : (r: Random): CompiledKind => {
          const u = r.next()
          for (let i = 0; i < cdf.length; i++) if (u < (cdf[i] as number)) return mix[i] as CompiledKind
          return mix[mix.length - 1] as CompiledKind
        }
  /** the kind of the current arrival when it came from an own-rate stream (see own-arrivals.ts) */
  let current: CompiledKind | undefined
  const pick = own.length === 0 ? pickMix : (r: Random): CompiledKind => current ?? pickMix(r)
  const arrivals = (main: ArrivalStreamOptions): Arrivals =>
    mergedArrivals(
      main,
      own.map((k) => k.rate as number),
      mix.length > 0,
      (source) => {
        current = source === 0 ? undefined : own[source - 1]
      },
    )
  let tenant: (r: Random) => number
  if (tenants === 1) tenant = () => 0
  else if (typeof s.tenants === 'number' || s.tenants.distribution === 'uniform') tenant = (r) => r.int(tenants)
  else {
    // Zipf: P(t) ∝ 1/(t+1)^s, sampled by binary search of the CDF.
    const exponent = s.tenants.distribution.zipf
    const zcdf = new Float64Array(tenants)
    let acc = 0
    for (let t = 0; t < tenants; t++) zcdf[t] = acc += 1 / (t + 1) ** exponent
    for (let t = 0; t < tenants; t++) zcdf[t] = (zcdf[t] as number) / acc
    tenant = (r) => {
      const u = r.next()
      let lo = 0
      let hi = tenants - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((zcdf[mid] as number) > u) hi = mid
        else lo = mid + 1
      }
      return lo
    }
  }
  let maxPayloadBytes = 0
  for (const r of s.requests)
    if ('payloadBytes' in r) maxPayloadBytes = Math.max(maxPayloadBytes, sizeSampler(r.payloadBytes).max)
  return { kinds, pick, tenant, tenants, maxPayloadBytes, arrivals }
}
