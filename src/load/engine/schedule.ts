/**
 * Arrival schedules: how many application requests a scenario offers, and when. A schedule
 * is plain data (so scenario files stay declarative and results can name it); {@link compileShape}
 * turns it into a rate function `rate(t)` with its integral `cumulative(t)`, which the arrival
 * stream inverts to get intended send times computed from the start of the run, never by
 * adding up gaps.
 *
 * Shapes: constant, linear ramp, steps, spike/burst, sine/diurnal, and trace replay of
 * per-second rates (e.g. a CloudWatch export of KMS usage). Any shape can be offered as a
 * Poisson process instead of evenly spaced arrivals.
 */

/** How arrivals are placed under the rate curve. */
export type ArrivalProcess = 'uniform' | 'poisson'

interface ScheduleBase {
  /**
   * `uniform`: evenly spaced under the rate curve (deterministic); `poisson`: a Poisson
   * process with that rate (seeded).
   * @default 'uniform' ('poisson' for the `poisson` shape)
   */
  process?: ArrivalProcess
}

/** A constant rate. */
export interface ConstantSchedule extends ScheduleBase {
  shape: 'constant'
  /** requests per second */
  rate: number
}
/** A linear ramp from `from` to `to` over `over` seconds, then held at `to`. */
export interface RampSchedule extends ScheduleBase {
  shape: 'ramp'
  from: number
  to: number
  /** seconds (or a duration string) the ramp lasts. @default the run's duration */
  over?: number | string
}
/** Piecewise-constant rates. */
export interface StepsSchedule extends ScheduleBase {
  shape: 'steps'
  /** each step's rate and how long it lasts; the last rate is held after the last step unless `repeat` */
  steps: { rate: number; duration: number | string }[]
  /** start over after the last step. @default false */
  repeat?: boolean
}
/** A Poisson process at a constant rate (shorthand for `{ shape: 'constant', process: 'poisson' }`). */
export interface PoissonSchedule extends ScheduleBase {
  shape: 'poisson'
  rate: number
}
/** A base rate with bursts to `peak` lasting `duration`, starting at `at` (and every `every` seconds). */
export interface SpikeSchedule extends ScheduleBase {
  shape: 'spike'
  base: number
  peak: number
  /** seconds (or duration) from the start to the first burst */
  at: number | string
  /** seconds (or duration) each burst lasts */
  duration: number | string
  /** seconds (or duration) between burst starts; one burst when absent */
  every?: number | string
}
/** `mean + amplitude · sin(2π t / period + phase)`: a diurnal cycle compressed or not. */
export interface SineSchedule extends ScheduleBase {
  shape: 'sine'
  mean: number
  /** must not exceed `mean` (rates are never negative) */
  amplitude: number
  /** seconds (or duration) of one cycle */
  period: number | string
  /** radians. @default 0 */
  phase?: number
}
/** Replay of per-second rates (one number per second, looped when the run is longer). */
export interface TraceSchedule extends ScheduleBase {
  shape: 'trace'
  /** requests per second, one entry per second */
  rates: number[]
  /** where the rates came from (file name), for reports */
  source?: string
  /**
   * `even`: a second's n arrivals evenly spaced; `seeded`: each at a seeded uniform point of
   * its own 1/n slot (exact counts per second, order kept). Uniform process only. @default 'even'
   */
  spread?: 'even' | 'seeded'
}

/** Every schedule shape. */
export type Schedule =
  | ConstantSchedule
  | RampSchedule
  | StepsSchedule
  | PoissonSchedule
  | SpikeSchedule
  | SineSchedule
  | TraceSchedule

/** A constant rate (requests/s). */
export function constantRate(rate: number, process: ArrivalProcess = 'uniform'): ConstantSchedule {
  return { shape: 'constant', rate, process }
}
/** A linear ramp from `from` to `to` requests/s over `over` (then held). */
export function rampRate(from: number, to: number, over?: number | string): RampSchedule {
  return over === undefined ? { shape: 'ramp', from, to } : { shape: 'ramp', from, to, over }
}
/** Piecewise-constant rates. */
export function stepRates(steps: { rate: number; duration: number | string }[], repeat = false): StepsSchedule {
  return { shape: 'steps', steps, repeat }
}
/** A Poisson process at `rate` requests/s. */
export function poissonArrivals(rate: number): PoissonSchedule {
  return { shape: 'poisson', rate }
}
/** A base rate with a burst (optionally recurring). */
export function spikeRate(options: Omit<SpikeSchedule, 'shape'>): SpikeSchedule {
  return { shape: 'spike', ...options }
}
/** A sine (diurnal) rate. */
export function sineRate(options: Omit<SineSchedule, 'shape'>): SineSchedule {
  return { shape: 'sine', ...options }
}
/** Replay of per-second rates. */
export function traceRates(rates: number[], source?: string): TraceSchedule {
  return source === undefined ? { shape: 'trace', rates } : { shape: 'trace', rates, source }
}

/** A compiled rate function; times in milliseconds from the start of the run. */
export interface RateShape {
  /** requests per second at `tMs` */
  rate(tMs: number): number
  /** expected requests in [0, tMs) (the integral of the rate) */
  cumulative(tMs: number): number
  /**
   * Times (ms, ascending) in [0, horizonMs] where the rate jumps or changes form; arrivals
   * are placed exactly between them. Smooth shapes also get a fine grid (see the stream).
   */
  breakpoints(horizonMs: number): number[]
  /** true when the rate is constant between breakpoints (no interpolation needed) */
  readonly piecewiseConstant: boolean
  /** the arrival process */
  readonly process: ArrivalProcess
  /** one line for reports, e.g. `constant 2000/s` */
  readonly description: string
  /** uniform arrivals: `seeded` jitters each inside its own slot of the lattice. @default 'even' */
  readonly spread?: 'even' | 'seeded'
}

/** Why a schedule is unusable (a negative rate, a zero period, ...). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError'
}

/**
 * Compiles a schedule into a {@link RateShape}. `parseSeconds` reads duration fields
 * (numbers are seconds); `runSeconds` is the run's duration (the default ramp length).
 */
export function compileShape(
  schedule: Schedule,
  runSeconds: number,
  parseSeconds: (v: number | string) => number,
): RateShape {
  const process: ArrivalProcess = schedule.process ?? (schedule.shape === 'poisson' ? 'poisson' : 'uniform')
  const nonNegative = (name: string, v: number): number => {
    if (!Number.isFinite(v) || v < 0)
      throw new ScheduleError(`${schedule.shape} schedule: ${name} must be a non-negative finite rate, got ${v}`)
    return v
  }
  switch (schedule.shape) {
    case 'constant':
    case 'poisson': {
      const r = nonNegative('rate', schedule.rate)
      return piecewise(
        [{ startMs: 0, rate: r }],
        undefined,
        process,
        `${schedule.shape === 'poisson' ? 'poisson' : 'constant'} ${r}/s`,
      )
    }
    case 'ramp': {
      const a = nonNegative('from', schedule.from)
      const b = nonNegative('to', schedule.to)
      const overMs = (schedule.over === undefined ? runSeconds : parseSeconds(schedule.over)) * 1000
      if (!(overMs > 0)) throw new ScheduleError('ramp schedule: over must be a positive duration')
      const slope = (b - a) / overMs // per s, per ms
      const atEnd = a * (overMs / 1000) + (slope * overMs * overMs) / 2000
      return {
        process,
        piecewiseConstant: false,
        description: `ramp ${a}/s → ${b}/s over ${overMs / 1000}s`,
        rate: (t) => (t >= overMs ? b : a + slope * t),
        cumulative: (t) => (t >= overMs ? atEnd + (b * (t - overMs)) / 1000 : (a * t) / 1000 + (slope * t * t) / 2000),
        breakpoints: (h) => (overMs < h ? [0, overMs] : [0]),
      }
    }
    case 'steps': {
      if (schedule.steps.length === 0) throw new ScheduleError('steps schedule: needs at least one step')
      const segments: Segment[] = []
      let at = 0
      for (const [i, s] of schedule.steps.entries()) {
        const d = parseSeconds(s.duration) * 1000
        if (!(d > 0)) throw new ScheduleError(`steps schedule: step ${i} needs a positive duration`)
        segments.push({ startMs: at, rate: nonNegative(`steps[${i}].rate`, s.rate) })
        at += d
      }
      const text = `steps ${schedule.steps.map((s) => `${s.rate}/s×${s.duration}`).join(', ')}`
      return piecewise(segments, schedule.repeat === true ? at : undefined, process, text)
    }
    case 'spike': {
      const base = nonNegative('base', schedule.base)
      const peak = nonNegative('peak', schedule.peak)
      const atMs = parseSeconds(schedule.at) * 1000
      const durMs = parseSeconds(schedule.duration) * 1000
      if (!(durMs > 0)) throw new ScheduleError('spike schedule: duration must be positive')
      if (schedule.every === undefined) {
        const segments: Segment[] = atMs > 0 ? [{ startMs: 0, rate: base }] : []
        segments.push({ startMs: atMs, rate: peak }, { startMs: atMs + durMs, rate: base })
        return piecewise(
          segments,
          undefined,
          process,
          `spike ${base}/s → ${peak}/s at ${atMs / 1000}s for ${durMs / 1000}s`,
        )
      }
      const everyMs = parseSeconds(schedule.every) * 1000
      if (!(everyMs > durMs)) throw new ScheduleError('spike schedule: every must be longer than duration')
      // Base rate until `at`, then cycles of `every`: peak for `duration`, base for the rest.
      const perCycle = (peak * durMs + base * (everyMs - durMs)) / 1000
      const inCycle = (v: number): number =>
        v < durMs ? (peak * v) / 1000 : (peak * durMs + base * (v - durMs)) / 1000
      return {
        process,
        piecewiseConstant: true,
        description: `spike ${base}/s → ${peak}/s for ${durMs / 1000}s every ${everyMs / 1000}s from ${atMs / 1000}s`,
        rate: (t) => (t < atMs ? base : (t - atMs) % everyMs < durMs ? peak : base),
        cumulative: (t) => {
          if (t < atMs) return (base * t) / 1000
          const u = t - atMs
          const n = Math.floor(u / everyMs)
          return (base * atMs) / 1000 + n * perCycle + inCycle(u - n * everyMs)
        },
        breakpoints: (h) => {
          const out = [0]
          for (let s = atMs; s <= h; s += everyMs) {
            if (s > 0) out.push(s)
            if (s + durMs <= h) out.push(s + durMs)
          }
          return out
        },
      }
    }
    case 'sine': {
      const mean = nonNegative('mean', schedule.mean)
      const amp = nonNegative('amplitude', schedule.amplitude)
      if (amp > mean)
        throw new ScheduleError(`sine schedule: amplitude ${amp} exceeds mean ${mean} (rates would go negative)`)
      const periodMs = parseSeconds(schedule.period) * 1000
      if (!(periodMs > 0)) throw new ScheduleError('sine schedule: period must be positive')
      const phase = schedule.phase ?? 0
      const w = (2 * Math.PI) / periodMs
      return {
        process,
        piecewiseConstant: false,
        description: `sine ${mean}±${amp}/s, period ${periodMs / 1000}s`,
        rate: (t) => mean + amp * Math.sin(w * t + phase),
        // ∫ mean + amp·sin(wt+φ) dt, in requests (rates are per second, t in ms).
        cumulative: (t) => (mean * t) / 1000 + (amp / (w * 1000)) * (Math.cos(phase) - Math.cos(w * t + phase)),
        breakpoints: () => [0],
      }
    }
    case 'trace': {
      if (schedule.rates.length === 0) throw new ScheduleError('trace schedule: has no rates')
      const segments = schedule.rates.map((r, i) => ({ startMs: i * 1000, rate: nonNegative(`rates[${i}]`, r) }))
      const shape = piecewise(
        segments,
        schedule.rates.length * 1000,
        process,
        `trace of ${schedule.rates.length}s${schedule.source !== undefined ? ` (${schedule.source})` : ''}${schedule.spread === 'seeded' ? ', seeded spread within each second' : ''}`,
      )
      return schedule.spread === 'seeded' ? { ...shape, spread: 'seeded' } : shape
    }
  }
}

interface Segment {
  startMs: number
  rate: number
}

/**
 * A piecewise-constant rate. Segments start at ascending times (the first at 0); the last
 * holds forever, unless `cycleMs` is set: then the pattern repeats every `cycleMs`.
 */
function piecewise(
  segments: Segment[],
  cycleMs: number | undefined,
  process: ArrivalProcess,
  description: string,
): RateShape {
  const starts = segments.map((s) => s.startMs)
  const rates = segments.map((s) => s.rate)
  // prefix[i] = requests before segment i starts.
  const prefix: number[] = [0]
  for (let i = 1; i < segments.length; i++) {
    prefix.push(
      (prefix[i - 1] as number) +
        ((rates[i - 1] as number) * ((starts[i] as number) - (starts[i - 1] as number))) / 1000,
    )
  }
  const last = segments.length - 1
  const perCycle =
    cycleMs === undefined
      ? 0
      : (prefix[last] as number) + ((rates[last] as number) * (cycleMs - (starts[last] as number))) / 1000
  const find = (t: number): number => {
    let lo = 0
    let hi = last
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] as number) <= t) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const within = (t: number): number => {
    const i = find(t)
    return (prefix[i] as number) + ((rates[i] as number) * (t - (starts[i] as number))) / 1000
  }
  return {
    process,
    piecewiseConstant: true,
    description,
    rate: (t) => rates[find(cycleMs === undefined ? t : t % cycleMs)] as number,
    cumulative: (t) => {
      if (cycleMs === undefined) return within(t)
      const n = Math.floor(t / cycleMs)
      return n * perCycle + within(t - n * cycleMs)
    },
    breakpoints: (h) => {
      const out: number[] = []
      if (cycleMs === undefined) {
        for (const s of starts) if (s <= h) out.push(s)
        return out
      }
      for (let base = 0; base <= h; base += cycleMs) for (const s of starts) if (base + s <= h) out.push(base + s)
      return out
    },
  }
}
