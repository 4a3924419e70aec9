/**
 * Request kinds with arrivals of their own (`rate`: a Lambda cold start, an EBS attach): their
 * evenly spaced streams merged, in time order, with the scenario's schedule (which feeds the
 * weighted mix of the other kinds). The workload's `pick` then returns the kind the current
 * arrival belongs to (compile.ts); without such kinds the scenario's stream runs alone, as before.
 */
import { parseDuration } from '../scenario/index.ts'
import { type Arrivals, ArrivalStream, type ArrivalStreamOptions } from './arrivals.ts'
import { compileShape, constantRate } from './schedule.ts'

/** The arrivals of a run: the scenario's stream and, merged in, one per rate of `own` (requests/s each). */
export function mergedArrivals(
  main: ArrivalStreamOptions,
  own: readonly number[],
  mixed: boolean,
  onArrival: (source: number) => void,
): Arrivals {
  const first = new ArrivalStream(main)
  if (own.length === 0) return first
  const seconds = main.durationMs / 1000
  const streams: Arrivals[] = [
    mixed ? first : { next: () => Infinity },
    ...own.map(
      (rate) => new ArrivalStream({ ...main, shape: compileShape(constantRate(rate), seconds, parseDuration) }),
    ),
  ]
  const heads = streams.map((s) => s.next())
  return {
    next(): number {
      let best = 0
      for (let i = 1; i < heads.length; i++) if ((heads[i] as number) < (heads[best] as number)) best = i
      const t = heads[best] as number
      if (t === Infinity) return Infinity
      heads[best] = (streams[best] as Arrivals).next()
      onArrival(best)
      return t
    },
  }
}
