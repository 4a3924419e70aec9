/**
 * Decides, call by call, which fault hits: the first fault (in the order given) whose
 * operation and time window match and whose seeded draw falls under its percentage. Each fault
 * draws from a stream of its own (seed, fault index), so adding a fault does not change which
 * calls an earlier one hits; a call that matches no fault draws nothing.
 */
import type { FaultKind, FaultLatency, FaultSpec } from './fault-spec.ts'

/** What hits one call. */
export interface FaultHit {
  readonly kind: FaultKind
  /** for `latency`: the added milliseconds */
  readonly delayMs: number
}

/** Options of {@link FaultInjector}. */
export interface FaultInjectorOptions {
  /** @default 1 */
  readonly seed?: number
  /** epoch ms windows count from (the run's or the server's start); a function is read at each call (a run's start is known late) */
  readonly epochMs: number | (() => number)
}

/** A seeded generator (splitmix32): the faults' own streams. */
function stream(seed: number, index: number): () => number {
  let s = (Math.trunc(seed) ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0
  return () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296
  }
}

/** Injects {@link FaultSpec}s. */
export class FaultInjector {
  readonly faults: readonly FaultSpec[]
  readonly #draws: (() => number)[]
  readonly #epochMs: () => number
  readonly #ops: (ReadonlySet<string> | undefined)[]
  /** calls hit so far, per fault index */
  readonly hits: number[]

  constructor(faults: readonly FaultSpec[], options: FaultInjectorOptions) {
    this.faults = faults
    const epoch = options.epochMs
    this.#epochMs = typeof epoch === 'number' ? () => epoch : epoch
    this.#draws = faults.map((_, i) => stream(options.seed ?? 1, i))
    this.#ops = faults.map((f) => (f.operations === undefined ? undefined : new Set(f.operations)))
    this.hits = faults.map(() => 0)
  }

  /** True when some fault adds latency (the embedded engine must then time its calls). */
  get addsLatency(): boolean {
    return this.faults.some((f) => f.kind === 'latency')
  }

  /**
   * The fault hitting a call of `op` at `nowMs`, among `kinds` (the emulator asks for error
   * and latency kinds, the HTTP layer for reset and hang), or undefined.
   */
  pick(op: string, nowMs: number, kinds: ReadonlySet<FaultKind>): FaultHit | undefined {
    const t = (nowMs - this.#epochMs()) / 1000
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i] as FaultSpec
      if (!kinds.has(f.kind)) continue
      const ops = this.#ops[i]
      if (ops !== undefined && !ops.has(op)) continue
      const start = f.start ?? 0
      if (t < start || (f.duration !== undefined && t >= start + f.duration)) continue
      const draw = this.#draws[i] as () => number
      if (draw() * 100 >= (f.percent ?? 100)) continue
      ;(this.hits as number[])[i] = (this.hits[i] as number) + 1
      return { kind: f.kind, delayMs: f.kind === 'latency' ? sample(f.latency as FaultLatency, draw) : 0 }
    }
    return undefined
  }
}

function sample(l: FaultLatency, draw: () => number): number {
  if ('ms' in l) return l.ms
  if ('min' in l) return l.min + draw() * (l.max - l.min)
  return -Math.log(1 - draw()) * l.mean
}

/** Kinds the emulator injects. */
export const CALL_FAULTS: ReadonlySet<FaultKind> = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ThrottlingException',
  'latency',
])
/** Kinds only the HTTP layer can inject. */
export const TRANSPORT_FAULTS: ReadonlySet<FaultKind> = new Set(['reset', 'hang'])
