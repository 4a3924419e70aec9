/**
 * The workload: a scenario's application requests compiled into runnable logic. Each request
 * kind becomes either a *single call* (the request is exactly one KMS call and its outcome,
 * e.g. an S3 PUT with SSE-KMS is one GenerateDataKey made by S3) or a generator of effects
 * (envelope encryption with local AES-GCM, custom sequences). Single calls let the engine
 * skip a generator level on the hot path.
 *
 * Modelled requests (see scenario.ts for their options):
 *
 * - `encrypt` / `decrypt`: direct Encrypt / Decrypt of a small payload (≤ 4 KiB);
 * - `envelope-encrypt`: GenerateDataKey, then AES-256-GCM of the payload with the data key
 *   locally; `envelope-decrypt`: Decrypt of the encrypted data key, then local decryption;
 * - `s3-put` / `s3-get`: what S3 does on the caller's behalf with SSE-KMS: GenerateDataKey
 *   per PUT, Decrypt per GET, with encryption context `{"aws:s3:arn": "arn:aws:s3:::bucket/key"}`,
 *   `kms:ViaService` `s3.<region>.amazonaws.com`, counted against the caller's account
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html#rps-from-service);
 * - `op`: one KMS operation with a ready-made input;
 * - `sequence`: KMS calls in order (a step can decrypt an earlier step's ciphertext);
 * - `custom`: a generator function of the scenario file.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import type { CallerInput, OperationInputs, OperationName } from '../../kms/index.ts'
import { FAILED, kmsCall, outcomeCode, SUCCEEDED, type OutcomeCode } from './effects.ts'
import type {
  CallMeta,
  EffectGenerator,
  KmsCallSpec,
  KmsInvoker,
  KmsOutcome,
  Host,
  ResolvedKey,
  ContextSpec,
  RequestContext,
  RequestSpec,
  Scenario,
  SizeSpec,
  StepSpec,
} from '../scenario/index.ts'
import { OP_RECIPES, type FixtureKind } from './op-inputs.ts'
import type { Random } from '../../random.ts'
import { ReplayCalls, replayFixtureNeeds, type ReplayRow } from './replay.ts'

/** A host as the engine runs it: the {@link Host} plus its invoker chain. */
export interface HostState extends Host {
  /** the top of the host's invoker chain (its mitigations around the target) */
  kms: KmsInvoker
  /** true when no mitigation wraps the target (the engine can yield calls directly) */
  direct: boolean
  /** index of the host's principal in the scenario's principals */
  readonly principalIndex: number
}

/** Something a request consumes that must exist before the run (ciphertexts to decrypt...). */
export interface FixtureNeed {
  readonly id: string
  readonly kind: FixtureKind | 'data-key'
  readonly key: string
  /** how many distinct fixtures (tenants or objects) */
  readonly count: number
  readonly payloadBytes: number
  /** the encryption context of fixture i */
  contextOf(i: number): Record<string, string> | undefined
}

/** Made fixtures, by need id. */
export interface FixtureStore {
  get(id: string, index: number): Uint8Array
  /** fixtures actually made for a need (may be fewer than needed: indices wrap) */
  count(id: string): number
}

/** A compiled request kind. */
export interface CompiledKind {
  readonly name: string
  readonly weight: number
  /** set when the request is exactly one KMS call (`intendedMs`: the arrival's intended time from the start) */
  readonly single?: (host: HostState, tenant: number, random: Random, intendedMs: number) => KmsCallSpec
  /** set otherwise: the request's logic, returning its outcome class */
  readonly run?: (host: HostState, tenant: number, random: Random, intendedMs: number) => EffectGenerator<OutcomeCode>
}

/** Options of {@link compileWorkload}. */
export interface WorkloadOptions {
  keys: ReadonlyMap<string, ResolvedKey>
  fixtures: FixtureStore
  callers: CallerCache
  /** actually run the local AES-GCM of envelope requests (real-time runs). */
  localCrypto: boolean
  /** calls tables of `replay` requests, by request index (the runner reads them) */
  replay?: ReadonlyMap<number, readonly ReplayRow[]>
  /** the run's seed (the replay's shuffle within each second). @default 1 */
  seed?: number
}

/** The compiled workload: request kinds, the mix and the tenant distribution. */
export interface Workload {
  readonly kinds: readonly CompiledKind[]
  /** Picks a request kind (no random draw when there is one kind). */
  pick(random: Random): CompiledKind
  /** Picks a tenant (no random draw when there is one tenant). */
  tenant(random: Random): number
  readonly tenants: number
  /** largest payload any request sends (for exposure) */
  readonly maxPayloadBytes: number
}

/** Shares CallerInput objects (the emulator caches resolved callers per object). */
export class CallerCache {
  readonly #map = new Map<string, CallerInput>()

  /** The caller for a principal in a Region, optionally through an AWS service. */
  get(principal: string, region: string, viaService?: string): CallerInput {
    const k = `${principal}|${region}|${viaService ?? ''}`
    let c = this.#map.get(k)
    if (c === undefined) {
      const account = accountOf(principal)
      c = viaService === undefined ? { account, region, principal } : { account, region, principal, viaService }
      this.#map.set(k, c)
    }
    return c
  }
}

/**
 * How a request names its key: the key id when the caller is in the key's account and
 * Region (the cheapest form for KMS to resolve), the key ARN otherwise (cross-account use
 * needs the ARN).
 */
export function keyIdFor(key: ResolvedKey, caller: CallerInput): string {
  return caller.account === key.account && caller.region === key.region ? key.keyId : key.arn
}

/** The account of a principal ARN. */
export function accountOf(principal: string): string {
  return /::(\d{12}):/.exec(principal)?.[1] ?? '111122223333'
}

/** The principals of a scenario (default: role `app` in the first account). */
export function scenarioPrincipals(s: Scenario): string[] {
  return s.principals ?? [`arn:aws:iam::${(s.accounts[0] as { id: string }).id}:role/app`]
}

/** The tenant count of a scenario. */
export function tenantCount(s: Scenario): number {
  return typeof s.tenants === 'number' ? s.tenants : s.tenants.count
}

/** The encryption context of tenant `t` under a context declaration (shared objects). */
export class ContextTable {
  readonly #spec: ContextSpec | undefined
  readonly #cache: (Record<string, string> | undefined)[] = []

  constructor(spec: ContextSpec | undefined, tenants: number) {
    this.#spec = spec ?? (tenants > 1 ? 'tenant' : 'none')
  }

  get(t: number): Record<string, string> | undefined {
    if (this.#spec === 'none') return undefined
    let c = this.#cache[t]
    if (c === undefined) {
      const spec = this.#spec
      if (spec === 'tenant' || spec === undefined) c = { tenant: `tenant-${t}` }
      else {
        c = {}
        for (const [k, v] of Object.entries(spec)) c[k] = v.replaceAll('{tenant}', `tenant-${t}`)
      }
      if (t < 1_000_000) this.#cache[t] = c
    }
    return c
  }
}

const payloads = new Map<number, Uint8Array>()
/** A read-only random payload of `n` bytes (shared: KMS operations do not change their input). */
export function payloadOf(n: number): Uint8Array {
  let p = payloads.get(n)
  if (p === undefined) {
    p = new Uint8Array(n)
    randomFillSync(p)
    payloads.set(n, p)
  }
  return p
}

/** A sampler of payload sizes. */
export function sizeSampler(spec: SizeSpec): { fixed: number | undefined; max: number; sample(r: Random): number } {
  if (typeof spec === 'number') return { fixed: spec, max: spec, sample: () => spec }
  if ('min' in spec) {
    const { min, max } = spec
    return { fixed: min === max ? min : undefined, max, sample: (r) => min + r.int(max - min + 1) }
  }
  const choices = spec.choices
  const weights = spec.weights ?? choices.map(() => 1)
  const total = weights.reduce((a, b) => a + b, 0)
  const cdf: number[] = []
  let acc = 0
  for (const w of weights) cdf.push((acc += w / total))
  return {
    fixed: choices.length === 1 ? choices[0] : undefined,
    max: Math.max(...choices),
    sample: (r) => {
      const u = r.next()
      for (let i = 0; i < cdf.length; i++) if (u < (cdf[i] as number)) return choices[i] as number
      return choices[choices.length - 1] as number
    },
  }
}

/** The fixtures a scenario's requests need, so the runner can make them before the run. */
export function planFixtures(s: Scenario, replay?: ReadonlyMap<number, readonly ReplayRow[]>): FixtureNeed[] {
  const tenants = tenantCount(s)
  const needs: FixtureNeed[] = []
  for (const [i, r] of s.requests.entries()) {
    if (r.kind === 'replay') {
      for (const n of replayFixtureNeeds(replay?.get(i) ?? [], `r${i}`)) needs.push({ ...n, payloadBytes: 32 })
    } else if (r.kind === 'decrypt' || r.kind === 'envelope-decrypt') {
      const ctx = new ContextTable(r.context, tenants)
      const size = sizeSampler(r.payloadBytes)
      needs.push({
        id: `r${i}`,
        kind: r.kind === 'decrypt' ? 'ciphertext' : 'data-key',
        key: r.key,
        count: tenants,
        payloadBytes: Math.min(4096, Math.max(1, size.max)),
        contextOf: (t) => ctx.get(t),
      })
    } else if (r.kind === 's3-get') {
      const bucket = r.bucket
      const prefix = r.prefix
      needs.push({
        id: `r${i}`,
        kind: 'data-key',
        key: r.key,
        count: r.objects,
        payloadBytes: 32,
        contextOf: (o) => ({ 'aws:s3:arn': `arn:aws:s3:::${bucket}/${prefix}${o}` }),
      })
    } else if (r.kind === 'op') {
      const recipe = OP_RECIPES[r.operation]
      if (recipe?.fixture !== undefined && r.key !== undefined) {
        const ctx = new ContextTable(r.context, tenants)
        const size = sizeSampler(r.payloadBytes)
        needs.push({
          id: `r${i}`,
          kind: recipe.fixture,
          key: r.key,
          count: recipe.context ? tenants : 1,
          payloadBytes: Math.min(4096, Math.max(1, size.max)),
          contextOf: (t) => (recipe.context ? ctx.get(t) : undefined),
        })
      }
    }
  }
  return needs
}

/** Compiles a scenario's requests. */
export function compileWorkload(s: Scenario, options: WorkloadOptions): Workload {
  const tenants = tenantCount(s)
  const kinds = s.requests.map((r, i) => compileKind(r, i, s, options))
  const total = kinds.reduce((a, k) => a + k.weight, 0)
  const cdf = kinds.map(
    (
      (acc) => (k: CompiledKind) =>
        (acc += k.weight / total)
    )(0),
  )
  const first = kinds[0] as CompiledKind
  const pick =
    kinds.length === 1
      ? (): CompiledKind => first
      : (r: Random): CompiledKind => {
          const u = r.next()
          for (let i = 0; i < cdf.length; i++) if (u < (cdf[i] as number)) return kinds[i] as CompiledKind
          return kinds[kinds.length - 1] as CompiledKind
        }
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
  return { kinds, pick, tenant, tenants, maxPayloadBytes }
}

/** Memoizes call specs per (caller, tenant or object) for read-only reuse (bounded). */
class SpecCache {
  readonly #items: (KmsCallSpec | undefined)[] = []
  get(k: number): KmsCallSpec | undefined {
    return k < 1_000_000 ? this.#items[k] : undefined
  }
  set(k: number, spec: KmsCallSpec): KmsCallSpec {
    if (k < 1_000_000) this.#items[k] = spec
    return spec
  }
}

function compileKind(r: RequestSpec, index: number, s: Scenario, o: WorkloadOptions): CompiledKind {
  const tenants = tenantCount(s)
  const keyOf = (name: string): ResolvedKey => {
    const k = o.keys.get(name)
    if (k === undefined) throw new Error(`key '${name}' was not created`)
    return k
  }
  const callerIdOf = (host: HostState): number => host.principalIndex
  const fixtureId = `r${index}`

  switch (r.kind) {
    case 'replay': {
      const rows = o.replay?.get(index)
      if (rows === undefined) throw new Error(`requests[${index}]: the replay's calls table was not read`)
      const seconds = rows.reduce((m, x) => Math.max(m, x.second + 1), 0)
      const calls = new ReplayCalls(
        rows,
        {
          keys: o.keys,
          fixture: (id, i) => o.fixtures.get(id, i % Math.max(1, o.fixtures.count(id))),
          payload: payloadOf,
          seed: o.seed ?? 1,
          seconds,
        },
        fixtureId,
      )
      return {
        name: 'replay',
        weight: r.weight,
        single: (_host, _tenant, _random, intendedMs) => calls.next(Math.floor(intendedMs / 1000)),
      }
    }
    case 'encrypt':
    case 'op': {
      const op: OperationName = r.kind === 'encrypt' ? 'Encrypt' : r.operation
      const recipe = OP_RECIPES[op]
      const key = r.key !== undefined ? keyOf(r.key) : undefined
      const ctx = new ContextTable(r.context, tenants)
      const size = sizeSampler(r.payloadBytes)
      const extra = r.kind === 'op' ? r.input : undefined
      if (recipe === undefined && extra === undefined) {
        throw new Error(
          `requests[${index}]: operation ${op} has no ready-made input: give its input members in 'input'`,
        )
      }
      const cache = new SpecCache()
      const name = r.kind === 'encrypt' ? 'encrypt' : op
      const build = (host: HostState, tenant: number, bytes: number): KmsCallSpec => {
        const context = recipe?.context === true ? ctx.get(tenant) : undefined
        const fixture =
          recipe?.fixture !== undefined
            ? o.fixtures.get(fixtureId, tenant % Math.max(1, o.fixtures.count(fixtureId)))
            : undefined
        const caller = o.callers.get(host.principal, key?.region ?? host.region)
        const keyId = key !== undefined ? keyIdFor(key, caller) : ''
        const base =
          recipe?.build({ keyArn: keyId, payload: payloadOf(bytes), context, fixture }) ??
          (key !== undefined ? { KeyId: keyId } : {})
        const input = (extra === undefined ? base : { ...base, ...extra }) as OperationInputs[typeof op]
        return kmsCall(op, input, caller, {
          bytes,
          tenant,
          ...(r.key !== undefined ? { keyName: r.key } : {}),
          request: name,
        })
      }
      return {
        name,
        weight: r.weight,
        single:
          size.fixed !== undefined
            ? (host, tenant) => {
                const k = callerIdOf(host) * tenants + tenant
                return cache.get(k) ?? cache.set(k, build(host, tenant, size.fixed as number))
              }
            : (host, tenant, random) => build(host, tenant, size.sample(random)),
      }
    }
    case 'decrypt': {
      const key = keyOf(r.key)
      const ctx = new ContextTable(r.context, tenants)
      const cache = new SpecCache()
      const size = sizeSampler(r.payloadBytes)
      return {
        name: 'decrypt',
        weight: r.weight,
        single: (host, tenant) => {
          const k = callerIdOf(host) * tenants + tenant
          const hit = cache.get(k)
          if (hit !== undefined) return hit
          const context = ctx.get(tenant)
          const blob = o.fixtures.get(fixtureId, tenant % o.fixtures.count(fixtureId))
          const caller = o.callers.get(host.principal, key.region)
          const keyId = keyIdFor(key, caller)
          const input: OperationInputs['Decrypt'] =
            context === undefined
              ? { KeyId: keyId, CiphertextBlob: blob }
              : { KeyId: keyId, CiphertextBlob: blob, EncryptionContext: context }
          return cache.set(
            k,
            kmsCall('Decrypt', input, caller, { bytes: size.max, tenant, keyName: r.key, request: 'decrypt' }),
          )
        },
      }
    }
    case 'envelope-encrypt':
    case 'envelope-decrypt': {
      const key = keyOf(r.key)
      const ctx = new ContextTable(r.context, tenants)
      const size = sizeSampler(r.payloadBytes)
      const cache = new SpecCache()
      const encrypt = r.kind === 'envelope-encrypt'
      const spec = (host: HostState, tenant: number, bytes: number): KmsCallSpec => {
        const context = ctx.get(tenant)
        const caller = o.callers.get(host.principal, key.region)
        const keyId = keyIdFor(key, caller)
        const meta: CallMeta = { bytes, tenant, keyName: r.key, request: r.kind }
        if (encrypt) {
          const input: OperationInputs['GenerateDataKey'] =
            context === undefined
              ? { KeyId: keyId, KeySpec: r.dataKeySpec }
              : { KeyId: keyId, KeySpec: r.dataKeySpec, EncryptionContext: context }
          return kmsCall('GenerateDataKey', input, caller, meta)
        }
        const blob = o.fixtures.get(fixtureId, tenant % o.fixtures.count(fixtureId))
        const input: OperationInputs['Decrypt'] =
          context === undefined
            ? { KeyId: keyId, CiphertextBlob: blob }
            : { KeyId: keyId, CiphertextBlob: blob, EncryptionContext: context }
        return kmsCall('Decrypt', input, caller, meta)
      }
      const specFor = (host: HostState, tenant: number, random: Random): KmsCallSpec => {
        if (size.fixed === undefined) return spec(host, tenant, size.sample(random))
        const k = callerIdOf(host) * tenants + tenant
        return cache.get(k) ?? cache.set(k, spec(host, tenant, size.fixed))
      }
      if (!o.localCrypto) return { name: r.kind, weight: r.weight, single: specFor }
      return {
        name: r.kind,
        weight: r.weight,
        *run(host, tenant, random): EffectGenerator<OutcomeCode> {
          const call = specFor(host, tenant, random)
          const out = (host.direct ? yield call : yield* host.kms(call)) as KmsOutcome<'GenerateDataKey' | 'Decrypt'>
          if (!out.ok) return outcomeCode(out)
          const dataKey = out.output.Plaintext
          if (dataKey === undefined) return FAILED
          localAesGcm(dataKey, payloadOf(call.meta.bytes ?? 0), encrypt)
          return SUCCEEDED
        },
      }
    }
    case 's3-put':
    case 's3-get': {
      const key = keyOf(r.key)
      const via = `s3.${key.region}.amazonaws.com`
      const cache = new SpecCache()
      const size = sizeSampler(r.payloadBytes)
      const { bucket, prefix, objects } = r
      const put = r.kind === 's3-put'
      const build = (host: HostState, object: number, bytes: number): KmsCallSpec => {
        const objectKey = `${prefix}${object}`
        const context = { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${objectKey}` }
        const caller = o.callers.get(host.principal, key.region, via)
        const keyId = keyIdFor(key, caller)
        const meta: CallMeta = {
          bytes,
          keyName: r.key,
          request: r.kind,
          s3: { operation: put ? 'PUT' : 'GET', bucket, object: objectKey, requester: host.principal },
        }
        if (put)
          return kmsCall(
            'GenerateDataKey',
            { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context },
            caller,
            meta,
          )
        const blob = o.fixtures.get(fixtureId, object % o.fixtures.count(fixtureId))
        return kmsCall('Decrypt', { KeyId: keyId, CiphertextBlob: blob, EncryptionContext: context }, caller, meta)
      }
      return {
        name: r.kind,
        weight: r.weight,
        single: (host, _tenant, random) => {
          const object = objects === 1 ? 0 : random.int(objects)
          if (size.fixed === undefined) return build(host, object, size.sample(random))
          const k = callerIdOf(host) * objects + object
          return cache.get(k) ?? cache.set(k, build(host, object, size.fixed))
        },
      }
    }
    case 'sequence': {
      const steps = r.steps
      const ctxs = steps.map((st) => new ContextTable(st.context, tenants))
      const sizes = steps.map((st) => sizeSampler(st.payloadBytes ?? 32))
      return {
        name: r.name,
        weight: r.weight,
        *run(host, tenant, random): EffectGenerator<OutcomeCode> {
          const outputs: Record<string, unknown>[] = []
          for (const [j, st] of steps.entries()) {
            const call = sequenceCall(
              st,
              host,
              tenant,
              random,
              ctxs[j] as ContextTable,
              sizes[j] as ReturnType<typeof sizeSampler>,
              outputs,
              keyOf,
              o,
              r.name,
            )
            const out = (host.direct ? yield call : yield* host.kms(call)) as KmsOutcome
            if (!out.ok) return outcomeCode(out)
            outputs.push(out.output as Record<string, unknown>)
          }
          return SUCCEEDED
        },
      }
    }
    case 'custom': {
      const ctxTable = new ContextTable(r.context, tenants)
      const run = r.run
      const name = r.name
      return {
        name,
        weight: r.weight,
        *run(host, tenant, random): EffectGenerator<OutcomeCode> {
          let last: KmsOutcome | undefined
          const ctx: RequestContext = {
            host,
            kms: host.kms,
            tenant,
            payloadBytes: 0,
            random,
            keys: o.keys,
            context: ctxTable.get(tenant),
            callerFor: (keyName) => o.callers.get(host.principal, keyOf(keyName).region),
            *call(operation, input, meta) {
              const keyRegion = host.region
              const out = yield* host.kms(
                kmsCall(operation, input, o.callers.get(host.principal, keyRegion), { tenant, request: name, ...meta }),
              )
              if (!out.ok) last = out
              return out as KmsOutcome<typeof operation>
            },
          }
          const result = yield* run(ctx)
          if (result === 'succeeded' || result === 0) return SUCCEEDED
          if (result === 'throttled' || result === 1) return 1
          if (result === 'failed' || result === 2) return FAILED
          return last === undefined ? SUCCEEDED : outcomeCode(last)
        },
      }
    }
  }
}

function sequenceCall(
  st: StepSpec,
  host: HostState,
  tenant: number,
  random: Random,
  ctx: ContextTable,
  size: ReturnType<typeof sizeSampler>,
  outputs: Record<string, unknown>[],
  keyOf: (name: string) => ResolvedKey,
  o: WorkloadOptions,
  request: string,
): KmsCallSpec {
  const key = st.key !== undefined ? keyOf(st.key) : undefined
  const bytes = size.sample(random)
  const recipe = OP_RECIPES[st.operation]
  const context = recipe?.context === true ? ctx.get(tenant) : undefined
  const fromBlob =
    st.ciphertextFrom !== undefined ? (outputs[st.ciphertextFrom]?.CiphertextBlob as Uint8Array | undefined) : undefined
  const caller = o.callers.get(host.principal, key?.region ?? host.region)
  const keyId = key !== undefined ? keyIdFor(key, caller) : ''
  const base =
    recipe !== undefined
      ? recipe.build({ keyArn: keyId, payload: payloadOf(bytes), context, fixture: fromBlob })
      : key !== undefined
        ? { KeyId: keyId }
        : {}
  if (fromBlob !== undefined) base.CiphertextBlob = fromBlob
  const input = (st.input === undefined ? base : { ...base, ...st.input }) as OperationInputs[typeof st.operation]
  return kmsCall(st.operation, input, caller, {
    bytes,
    tenant,
    ...(st.key !== undefined ? { keyName: st.key } : {}),
    request,
  })
}

/**
 * The application's local half of envelope encryption: AES-GCM of the payload with the
 * plaintext data key (real node:crypto; run only in real-time runs, see the engine notes).
 */
export function localAesGcm(dataKey: Uint8Array, payload: Uint8Array, encrypt: boolean): void {
  const algorithm = dataKey.byteLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm'
  const iv = new Uint8Array(12)
  randomFillSync(iv)
  const cipher = createCipheriv(algorithm, dataKey, iv)
  const ct = Buffer.concat([cipher.update(payload), cipher.final()])
  const tag = cipher.getAuthTag()
  if (!encrypt) {
    // Decrypt what was just encrypted: the same CPU work as decrypting a stored object.
    const decipher = createDecipheriv(algorithm, dataKey, iv)
    decipher.setAuthTag(tag)
    decipher.update(ct)
    decipher.final()
  }
}
