/** Compiler of `custom` requests: a generator function of the scenario file, given a {@link RequestContext}. */
import type { EffectGenerator, KmsOutcome, RequestContext, RequestSpec } from '../scenario/index.ts'
import { FAILED, kmsCall, type OutcomeCode, outcomeCode, SUCCEEDED, THROTTLED_OUTCOME } from './effects.ts'
import { type CompiledKind, ContextTable, type KindContext } from './workload.ts'

/** Compiles a `custom` request. */
export function compileCustom(r: Extract<RequestSpec, { kind: 'custom' }>, c: KindContext): CompiledKind {
  const ctxTable = new ContextTable(r.context, c.tenants)
  const { run, name } = r
  const o = c.options
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
        callerFor: (keyName) => o.callers.get(host.principal, c.keyOf(keyName).region),
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
      if (result === 'throttled' || result === 1) return THROTTLED_OUTCOME
      if (result === 'failed' || result === 2) return FAILED
      return last === undefined ? SUCCEEDED : outcomeCode(last)
    },
  }
}
