/** Compiler of `sequence` requests: KMS calls in order; a step can decrypt an earlier step's ciphertext. */
import type { OperationInputs } from '../../kms/index.ts'
import type { Random } from '../../random.ts'
import type { EffectGenerator, KmsCallSpec, KmsOutcome, RequestSpec, StepSpec } from '../scenario/index.ts'
import { kmsCall, type OutcomeCode, outcomeCode, SUCCEEDED } from './effects.ts'
import { OP_RECIPES } from './op-inputs.ts'
import {
  type CompiledKind,
  ContextTable,
  type HostState,
  type KindContext,
  keyIdFor,
  payloadOf,
  sizeSampler,
} from './workload.ts'

/** Compiles a `sequence` request. */
export function compileSequence(r: Extract<RequestSpec, { kind: 'sequence' }>, c: KindContext): CompiledKind {
  const steps = r.steps.map((st) => ({
    st,
    ctx: new ContextTable(st.context, c.tenants),
    size: sizeSampler(st.payloadBytes ?? 32),
  }))
  return {
    name: r.name,
    weight: r.weight,
    *run(host, tenant, random): EffectGenerator<OutcomeCode> {
      const outputs: Record<string, unknown>[] = []
      for (const step of steps) {
        const call = stepCall(step, host, tenant, random, outputs, c, r.name)
        const out = (host.direct ? yield call : yield* host.kms(call)) as KmsOutcome
        if (!out.ok) return outcomeCode(out)
        outputs.push(out.output as Record<string, unknown>)
      }
      return SUCCEEDED
    },
  }
}

/** One step's call, given the outputs of the steps before it. */
function stepCall(
  step: { st: StepSpec; ctx: ContextTable; size: ReturnType<typeof sizeSampler> },
  host: HostState,
  tenant: number,
  random: Random,
  outputs: Record<string, unknown>[],
  c: KindContext,
  request: string,
): KmsCallSpec {
  const { st, ctx, size } = step
  const key = st.key !== undefined ? c.keyOf(st.key) : undefined
  const bytes = size.sample(random)
  const recipe = OP_RECIPES[st.operation]
  const context = recipe?.context === true ? ctx.get(tenant) : undefined
  const fromBlob =
    st.ciphertextFrom !== undefined ? (outputs[st.ciphertextFrom]?.CiphertextBlob as Uint8Array | undefined) : undefined
  const caller = c.options.callers.get(host.principal, key?.region ?? host.region)
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
