/**
 * Replay of recorded KMS calls (`{ kind: 'replay', file: 'calls.csv' }`, written by
 * `kms-bench import-cloudtrail`). The calls table lists, per second of the recording, how many
 * calls of each operation each caller made with each key, in which account and Region, with
 * which encryption context (an index per key: the context's values are not kept, only how
 * many distinct contexts there were). The scenario's trace arrivals offer exactly the
 * recording's count per second; the n-th arrival of second s makes the n-th call of a seeded
 * shuffle of that second's calls. At `--scale 1` every recorded call is made once, in its
 * own second; at a smaller scale each second offers a uniform sample of its own calls.
 *
 * Table rows (CSV with a header): `second` (0-based, from the recording's start),
 * `operation`, `key` (a scenario key name, empty for keyless operations), `principal` (IAM or
 * STS ARN, empty for the account root), `via` (the AWS service calling for the principal,
 * e.g. `s3.amazonaws.com`), `caller` (who attribution charges: the service or the principal),
 * `account` (the account charged), `region`, `context` (index of the context per key, empty
 * for none), `count`, `throttled` (how many of `count` the recording shows throttled).
 */
import type { CallerInput, OperationInputs, OperationName } from '../../kms/index.ts'
import { kmsCall } from './effects.ts'
import type { KmsCallSpec, ResolvedKey } from '../scenario/index.ts'
import { OP_RECIPES } from './op-inputs.ts'
import { randomFor } from '../../random.ts'
import { at, splitCsvLine } from '../../util/index.ts'

/** One row of a calls table. */
export interface ReplayRow {
  readonly second: number
  readonly operation: OperationName
  readonly key: string
  readonly principal: string
  readonly via: string
  readonly caller: string
  readonly account: string
  readonly region: string
  /** context index per key, −1 for no context */
  readonly context: number
  readonly count: number
  readonly throttled: number
}

/** A calls table that cannot be read. */
export class ReplayTableError extends Error {
  override readonly name = 'ReplayTableError'
}

/** Distinct ciphertexts made per key for replayed Decrypts; contexts beyond reuse them modulo this. */
export const REPLAY_FIXTURE_CONTEXTS = 1000

const COLUMNS = [
  'second',
  'operation',
  'key',
  'principal',
  'via',
  'caller',
  'account',
  'region',
  'context',
  'count',
  'throttled',
] as const

/** Operations a replay can make (those with a ready-made input). */
export function isReplayable(operation: string): operation is OperationName {
  return Object.hasOwn(OP_RECIPES, operation)
}

/** The key type a replayed operation needs (`undefined` for keyless operations). */
export function replayKeyNeed(operation: OperationName): { spec: string; usage: string } | undefined {
  return OP_RECIPES[operation]?.key
}

/** Renders a calls table. */
export function renderReplayTable(rows: readonly ReplayRow[]): string {
  const esc = (v: string): string => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  const lines = [COLUMNS.join(',')]
  for (const r of rows)
    lines.push(
      [
        r.second,
        r.operation,
        r.key,
        r.principal,
        r.via,
        r.caller,
        r.account,
        r.region,
        r.context < 0 ? '' : r.context,
        r.count,
        r.throttled,
      ]
        .map((v) => esc(String(v)))
        .join(','),
    )
  return `${lines.join('\n')}\n`
}

/** Parses a calls table; rows come back ordered by second (stable). */
export function parseReplayTable(csv: string, source: string): ReplayRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'))
  const header = (lines[0] ?? '').split(',').map((h) => h.trim())
  const idx = COLUMNS.map((c) => header.indexOf(c))
  const missing = COLUMNS.filter((_, i) => at(idx, i) < 0)
  if (missing.length > 0) throw new ReplayTableError(`${source}: missing columns ${missing.join(', ')}`)
  const rows: ReplayRow[] = []
  for (let n = 1; n < lines.length; n++) {
    const f = splitCsvLine(at(lines, n))
    const get = (c: number): string => f[at(idx, c)] ?? ''
    const where = `${source}: row ${n + 1}`
    const int = (c: number, min: number): number => {
      const v = Number(get(c))
      if (!Number.isInteger(v) || v < min)
        throw new ReplayTableError(`${where}: ${COLUMNS[c]} '${get(c)}' is not valid`)
      return v
    }
    const operation = get(1)
    if (!isReplayable(operation)) throw new ReplayTableError(`${where}: '${operation}' is not a replayable operation`)
    const count = int(9, 1)
    const throttled = int(10, 0)
    if (throttled > count) throw new ReplayTableError(`${where}: throttled exceeds count`)
    rows.push({
      second: int(0, 0),
      operation,
      key: get(2),
      principal: get(3),
      via: get(4),
      caller: get(5),
      account: get(6),
      region: get(7),
      context: get(8) === '' ? -1 : int(8, 0),
      count,
      throttled,
    })
  }
  if (rows.length === 0) throw new ReplayTableError(`${source}: has no calls`)
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.second - b.r.second || a.i - b.i)
    .map((x) => x.r)
}

/** The encryption context of a replayed call: `{ "kms-bench:context": "c<i>" }` stands for the i-th distinct context of its key. */
export function replayContext(index: number): Record<string, string> | undefined {
  return index < 0 ? undefined : { 'kms-bench:context': `c${index}` }
}

/** What the replay needs made before the run: one fixture list per (key, operation fixture kind). */
export interface ReplayFixtureNeed {
  readonly id: string
  readonly key: string
  readonly kind: 'ciphertext' | 'mac' | 'signature'
  readonly count: number
  contextOf(i: number): Record<string, string> | undefined
}

/** Fixtures the rows consume: per key, one ciphertext per context (up to {@link REPLAY_FIXTURE_CONTEXTS}), slot 0 without context. */
export function replayFixtureNeeds(rows: readonly ReplayRow[], prefix: string): ReplayFixtureNeed[] {
  const byKey = new Map<string, { kind: 'ciphertext' | 'mac' | 'signature'; contexts: number }>()
  for (const r of rows) {
    const kind = OP_RECIPES[r.operation]?.fixture
    if (kind === undefined || r.key === '') continue
    const k = `${r.key}|${kind}`
    const cur = byKey.get(k) ?? { kind, contexts: 0 }
    cur.contexts = Math.max(cur.contexts, Math.min(REPLAY_FIXTURE_CONTEXTS, r.context + 1))
    byKey.set(k, cur)
  }
  return [...byKey.entries()].map(([k, v]) => {
    const key = k.split('|')[0] as string
    return {
      id: `${prefix}:${k}`,
      key,
      kind: v.kind,
      count: v.kind === 'ciphertext' ? 1 + v.contexts : 1,
      contextOf: (i: number) => (i === 0 || v.kind !== 'ciphertext' ? undefined : replayContext(i - 1)),
    }
  })
}

/** Everything {@link ReplayCalls} needs from the run. */
export interface ReplayEnv {
  readonly keys: ReadonlyMap<string, ResolvedKey>
  fixture(id: string, index: number): Uint8Array
  payload(bytes: number): Uint8Array
  readonly seed: number
  /** seconds the recording covers (it loops when the run is longer) */
  readonly seconds: number
  /** the run's `--scale`: the arrivals of a second are `scale` × its recorded calls. @default 1 */
  readonly scale?: number
}

/**
 * The calls of a replay, in arrival order per second: `next(second, arrival)` returns the call
 * that global arrival number `arrival` makes: position `arrival − first(second)` of a seeded
 * shuffle of the second's recorded calls, where `first(second)` is the number of the second's
 * first arrival (`ceil(scale × calls recorded before it)`). Positions wrap when a second gets
 * more arrivals than it recorded (`--scale` > 1).
 *
 * Shards (`--shard I/N`) and worker threads each get the global arrivals `k·N + I` (the
 * arrival stream's lattice), so they replay disjoint positions of every second, and together
 * exactly the recording: every recorded call once at `--scale 1`. At scale 1 the second is
 * found from the arrival number itself, so a lattice point that floating point puts at the
 * very end of the previous second still makes its own call. Without `arrival`, arrivals take
 * the positions in the order they come (one unsharded stream).
 */
export class ReplayCalls {
  readonly #rows: readonly ReplayRow[]
  readonly #env: ReplayEnv
  readonly #prefix: string
  /** first row index of each second */
  readonly #start = new Map<number, [number, number]>()
  readonly #callers = new Map<string, CallerInput>()
  readonly #specs = new Map<number, KmsCallSpec>()
  #second = -1
  #order: Uint32Array = new Uint32Array(0)
  #cursor = 0
  readonly #period: number
  readonly #scale: number
  /** calls recorded before each second of the recording (length period + 1) */
  readonly #before: Float64Array

  constructor(rows: readonly ReplayRow[], env: ReplayEnv, prefix: string) {
    this.#rows = rows
    this.#env = env
    this.#prefix = prefix
    for (let i = 0; i < rows.length; i++) {
      const s = at(rows, i).second
      const cur = this.#start.get(s)
      if (cur === undefined) this.#start.set(s, [i, i + 1])
      else cur[1] = i + 1
    }
    this.#period = Math.max(env.seconds, 1)
    this.#scale = env.scale ?? 1
    const before = new Float64Array(this.#period + 1)
    for (const r of rows) if (r.second < this.#period) before[r.second + 1] = at(before, r.second + 1) + r.count
    for (let i = 1; i <= this.#period; i++) before[i] = at(before, i) + at(before, i - 1)
    this.#before = before
  }

  /**
   * The call of an arrival in second `second` of the run (the recording loops when the run is
   * longer); `arrival` is its global number (see the class comment).
   */
  next(second: number, arrival?: number): KmsCallSpec {
    if (arrival !== undefined) return this.#at(second, arrival)
    const s = second % this.#period
    if (s !== this.#second) this.#enter(s)
    // A second the recording has no calls in gets arrivals only from a rounding of --scale: the first call stands in.
    if (this.#order.length === 0) return this.#spec(0)
    const row = this.#order[this.#cursor % this.#order.length] as number
    this.#cursor++
    return this.#spec(row)
  }

  #at(second: number, arrival: number): KmsCallSpec {
    const total = this.#before[this.#period] as number
    let s = second % this.#period
    let position: number
    if (this.#scale === 1 && total > 0) {
      // Arrival g is call g − before(s) of the second s with before(s) ≤ g mod total < before(s + 1).
      const g = arrival % total
      if (!((this.#before[s] as number) <= g && g < (this.#before[s + 1] as number))) s = this.#secondOf(g)
      position = g - (this.#before[s] as number)
    } else {
      const loops = Math.floor(second / this.#period)
      const first = Math.ceil(this.#scale * (loops * total + (this.#before[s] as number)) - 1e-9)
      position = Math.max(0, arrival - first)
    }
    if (s !== this.#second) this.#enter(s)
    if (this.#order.length === 0) return this.#spec(0)
    return this.#spec(this.#order[position % this.#order.length] as number)
  }

  /** The recording's second holding call number `g` (binary search over the counts before each second). */
  #secondOf(g: number): number {
    let lo = 0
    let hi = this.#period - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.#before[mid] as number) <= g) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  #enter(s: number): void {
    this.#second = s
    this.#cursor = 0
    this.#specs.clear()
    const range = this.#start.get(s)
    if (range === undefined) {
      this.#order = new Uint32Array(0)
      return
    }
    let n = 0
    for (let i = range[0]; i < range[1]; i++) n += at(this.#rows, i).count
    const order = new Uint32Array(n)
    let j = 0
    for (let i = range[0]; i < range[1]; i++) for (let c = 0; c < at(this.#rows, i).count; c++) order[j++] = i
    // Fisher–Yates with a stream of its own per second: the same seed gives the same order.
    const random = randomFor(this.#env.seed, 'replay', s)
    for (let i = n - 1; i > 0; i--) {
      const k = random.int(i + 1)
      const t = at(order, i)
      order[i] = at(order, k)
      order[k] = t
    }
    this.#order = order
  }

  #spec(rowIndex: number): KmsCallSpec {
    const hit = this.#specs.get(rowIndex)
    if (hit !== undefined) return hit
    const r = this.#rows[rowIndex] as ReplayRow
    const recipe = OP_RECIPES[r.operation]
    if (recipe === undefined) throw new ReplayTableError(`'${r.operation}' is not replayable`)
    const key = r.key === '' ? undefined : this.#env.keys.get(r.key)
    if (r.key !== '' && key === undefined)
      throw new ReplayTableError(`the calls table names key '${r.key}', not declared`)
    const caller = this.#caller(r)
    const keyId = key === undefined ? '' : caller.account === key.account ? key.keyId : key.arn
    const context = recipe.context ? replayContext(r.context) : undefined
    let fixture: Uint8Array | undefined
    if (recipe.fixture !== undefined) {
      const slot = recipe.fixture === 'ciphertext' && r.context >= 0 ? 1 + (r.context % REPLAY_FIXTURE_CONTEXTS) : 0
      fixture = this.#env.fixture(`${this.#prefix}:${r.key}|${recipe.fixture}`, slot)
    }
    const decryptContext =
      recipe.fixture === 'ciphertext' && r.context >= 0 ? replayContext(r.context % REPLAY_FIXTURE_CONTEXTS) : context
    const input = recipe.build({ keyArn: keyId, payload: this.#env.payload(32), context: decryptContext, fixture })
    const spec = kmsCall(r.operation, input as OperationInputs[typeof r.operation], caller, {
      ...(r.key !== '' ? { keyName: r.key } : {}),
      tenant: Math.max(0, r.context),
      request: 'replay',
      caller: r.caller,
    })
    this.#specs.set(rowIndex, spec)
    return spec
  }

  #caller(r: ReplayRow): CallerInput {
    const k = `${r.principal}|${r.via}|${r.account}|${r.region}`
    let c = this.#callers.get(k)
    if (c === undefined) {
      // kms:ViaService names the service's Regional endpoint (s3.us-east-1.amazonaws.com).
      const via =
        r.via === '' ? undefined : r.via.replace(/^([a-z0-9-]+)\.amazonaws\.com$/, `$1.${r.region}.amazonaws.com`)
      c = {
        account: r.account,
        region: r.region,
        ...(r.principal !== '' ? { principal: r.principal } : {}),
        ...(via !== undefined ? { viaService: via } : {}),
      }
      this.#callers.set(k, c)
    }
    return c
  }
}
