/** Compiler of `replay` requests: the calls of a recorded trail (replay.ts), second by second. */
import type { RequestSpec } from '../scenario/index.ts'
import { ReplayCalls } from './replay.ts'
import { type CompiledKind, type KindContext, payloadOf } from './workload.ts'

/** Compiles a `replay` request. */
export function compileReplay(r: Extract<RequestSpec, { kind: 'replay' }>, c: KindContext): CompiledKind {
  const o = c.options
  const rows = o.replay?.get(c.index)
  if (rows === undefined) throw new Error(`requests[${c.index}]: the replay's calls table was not read`)
  const seconds = rows.reduce((m, x) => Math.max(m, x.second + 1), 0)
  const calls = new ReplayCalls(
    rows,
    {
      keys: o.keys,
      fixture: (id, i) => o.fixtures.get(id, i % Math.max(1, o.fixtures.count(id))),
      payload: payloadOf,
      seed: o.seed ?? 1,
      seconds,
      ...(o.scale !== undefined ? { scale: o.scale } : {}),
    },
    c.fixtureId,
  )
  return {
    name: 'replay',
    weight: r.weight,
    single: (_host, _tenant, _random, intendedMs, arrival) => calls.next(Math.floor(intendedMs / 1000), arrival),
  }
}
