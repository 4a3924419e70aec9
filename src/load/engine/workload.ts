/**
 * The workload: a scenario's application requests compiled into runnable logic (compile.ts,
 * with one compiler per request kind in kind-*.ts; this file has what they share). Each request
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
import type { CallerInput, OperationInputs } from '../../kms/index.ts'
import type { Random } from '../../random.ts'
import type { GroupTally } from '../results/index.ts'
import type {
  ContextSpec,
  EffectGenerator,
  Host,
  KmsCallSpec,
  KmsInvoker,
  ResolvedKey,
  Scenario,
  SizeSpec,
} from '../scenario/index.ts'
import type { Arrivals, ArrivalStreamOptions } from './arrivals.ts'
import type { OutcomeCode } from './effects.ts'
import type { HostEnvironments } from './service-cache.ts'
import { dynamodbContext, ebsVolumeId, lambdaContext, secretContext, sqsContext } from './service-names.ts'
import { type FixtureKind, OP_RECIPES } from './op-inputs.ts'
import { type ReplayRow, replayFixtureNeeds } from './replay.ts'

/** A host as the engine runs it: the {@link Host} plus its invoker chain. */
export interface HostState extends Host {
  /** the top of the host's invoker chain (its mitigations around the target) */
  kms: KmsInvoker
  /** true when no mitigation wraps the target (the engine can yield calls directly) */
  direct: boolean
  /** index of the host's principal in the scenario's principals */
  readonly principalIndex: number
  /** the counts of the host's fleet group (`fleet.groups`), when the fleet has groups */
  group?: GroupTally
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
  /**
   * set when the request is exactly one KMS call (`intendedMs`: the arrival's intended time from
   * the start; `arrival`: its global number, the same across shards and workers)
   */
  readonly single?: (
    host: HostState,
    tenant: number,
    random: Random,
    intendedMs: number,
    arrival: number,
  ) => KmsCallSpec
  /** set otherwise: the request's logic, returning its outcome class */
  readonly run?: (host: HostState, tenant: number, random: Random, intendedMs: number) => EffectGenerator<OutcomeCode>
  /** set when the request arrives at a rate of its own (per second, evenly spaced), outside the weighted mix */
  readonly rate?: number
  /** statements the kind's figures depend on that AWS does not publish (reported with the run's assumptions) */
  readonly assumptions?: readonly string[]
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
  /** the run's `--scale` (which recorded calls a replay's arrivals make). @default 1 */
  scale?: number
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
  /**
   * The run's arrivals from the scenario's stream options: that stream, merged with one stream
   * per kind that has a rate of its own (own-arrivals.ts); {@link pick} then returns the kind of
   * the current arrival.
   */
  arrivals(main: ArrivalStreamOptions): Arrivals
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
    } else if (
      r.kind === 'sqs-receive' ||
      r.kind === 'dynamodb' ||
      r.kind === 'secrets-manager-get' ||
      r.kind === 'lambda-cold-start' ||
      (r.kind === 'ebs-attach' && r.volume === 'existing')
    ) {
      // The encrypted data keys the services hold: one per queue, table, secret, function or volume.
      const decl = s.keys.find((k) => k.name === r.key)
      const place = {
        region: decl?.region ?? s.region,
        account: decl?.account ?? (s.accounts[0] as { id: string }).id,
      }
      const [count, contextOf]: [number, (n: number) => Record<string, string>] =
        r.kind === 'sqs-receive'
          ? [r.queues, (q) => sqsContext(r, q, place)]
          : r.kind === 'dynamodb'
            ? [r.tables, (t) => dynamodbContext(r, t, place)]
            : r.kind === 'secrets-manager-get'
              ? [r.secrets, (x) => secretContext(r, x, place)]
              : r.kind === 'lambda-cold-start'
                ? [1, () => lambdaContext(r.function, place)]
                : [r.volumes, (v) => ({ 'aws:ebs:id': ebsVolumeId(v) })]
      needs.push({ id: `r${i}`, kind: 'data-key', key: r.key, count, payloadBytes: 32, contextOf })
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

/** Memoizes call specs per (caller, tenant or object) for read-only reuse (bounded). */
export class SpecCache {
  readonly #items: (KmsCallSpec | undefined)[] = []
  get(k: number): KmsCallSpec | undefined {
    return k < 1_000_000 ? this.#items[k] : undefined
  }
  set(k: number, spec: KmsCallSpec): KmsCallSpec {
    if (k < 1_000_000) this.#items[k] = spec
    return spec
  }
  /** The spec of `host` for item `n` of `width` (a tenant or an object), built once per principal. */
  memo(host: HostState, n: number, width: number, build: () => KmsCallSpec): KmsCallSpec {
    const k = host.principalIndex * width + n
    return this.get(k) ?? this.set(k, build())
  }
}

/** What the compiler of one request kind gets (see compile.ts, one compiler per kind). */
export interface KindContext {
  /** the request's position in the scenario's `requests` */
  readonly index: number
  readonly tenants: number
  readonly options: WorkloadOptions
  /** `r<index>`: the id of the request's fixtures */
  readonly fixtureId: string
  /** the created key the scenario calls `name` */
  keyOf(name: string): ResolvedKey
  /** fixture `n` of this request (indices wrap over the fixtures made) */
  fixture(n: number): Uint8Array
  /**
   * The fixture `n` wraps to (`n` mod the fixtures made): a tenant or object beyond them uses
   * that fixture *under its own encryption context*, since a ciphertext only decrypts under
   * the context it was made with.
   */
  fixtureIndex(n: number): number
  /** the hosts' execution environments, shared by every request kind of the run (Lambda cold starts) */
  readonly environments: HostEnvironments
}

/** A Decrypt input, with the encryption context when there is one. */
export function decryptInput(
  keyId: string,
  blob: Uint8Array,
  context: Record<string, string> | undefined,
): OperationInputs['Decrypt'] {
  return context === undefined
    ? { KeyId: keyId, CiphertextBlob: blob }
    : { KeyId: keyId, CiphertextBlob: blob, EncryptionContext: context }
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
