/**
 * Compiler of `encrypt` and `op` requests: one KMS operation with a ready-made input (the op
 * recipes of op-inputs.ts), extra input members from the scenario, and a fixture (a
 * ciphertext, a MAC, a signature) where the operation consumes one.
 */
import type { OperationInputs, OperationName } from '../../kms/index.ts'
import type { KmsCallSpec, RequestSpec } from '../scenario/index.ts'
import { kmsCall } from './effects.ts'
import { OP_RECIPES } from './op-inputs.ts'
import {
  type CompiledKind,
  ContextTable,
  type HostState,
  type KindContext,
  keyIdFor,
  payloadOf,
  SpecCache,
  sizeSampler,
} from './workload.ts'

/** Compiles an `encrypt` or `op` request. */
export function compileOp(r: Extract<RequestSpec, { kind: 'encrypt' | 'op' }>, c: KindContext): CompiledKind {
  const op: OperationName = r.kind === 'encrypt' ? 'Encrypt' : r.operation
  const recipe = OP_RECIPES[op]
  const key = r.key !== undefined ? c.keyOf(r.key) : undefined
  const ctx = new ContextTable(r.context, c.tenants)
  const size = sizeSampler(r.payloadBytes)
  const extra = r.kind === 'op' ? r.input : undefined
  if (recipe === undefined && extra === undefined) {
    throw new Error(`requests[${c.index}]: operation ${op} has no ready-made input: give its input members in 'input'`)
  }
  const cache = new SpecCache()
  const name = r.kind === 'encrypt' ? 'encrypt' : op
  const build = (host: HostState, tenant: number, bytes: number): KmsCallSpec => {
    // With a fixture, the context is the fixture's own (tenant t beyond them uses fixture t mod n).
    const fi = recipe?.fixture !== undefined ? c.fixtureIndex(tenant) : tenant
    const context = recipe?.context === true ? ctx.get(fi) : undefined
    const fixture = recipe?.fixture !== undefined ? c.fixture(fi) : undefined
    const caller = c.options.callers.get(host.principal, key?.region ?? host.region)
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
  const fixed = size.fixed
  return {
    name,
    weight: r.weight,
    single:
      fixed !== undefined
        ? (host, tenant) => cache.memo(host, tenant, c.tenants, () => build(host, tenant, fixed))
        : (host, tenant, random) => build(host, tenant, size.sample(random)),
  }
}
