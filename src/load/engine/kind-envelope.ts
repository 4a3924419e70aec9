/**
 * Compiler of `envelope-encrypt` (GenerateDataKey, then AES-GCM of the payload locally) and
 * `envelope-decrypt` (Decrypt of the encrypted data key, then local decryption) requests. The
 * local AES-GCM runs only with `localCrypto` (real-time runs); otherwise the request is its
 * one KMS call.
 */
import type { CallerInput, OperationInputs } from '../../kms/index.ts'
import type { CallMeta, EffectGenerator, KmsCallSpec, KmsOutcome, RequestSpec } from '../scenario/index.ts'
import type { Random } from '../../random.ts'
import { FAILED, type OutcomeCode, operationIndex, outcomeCode, SUCCEEDED } from './effects.ts'
import {
  type CompiledKind,
  ContextTable,
  decryptInput,
  type HostState,
  type KindContext,
  keyIdFor,
  localAesGcm,
  payloadOf,
  SpecCache,
  sizeSampler,
} from './workload.ts'

/** Compiles an `envelope-encrypt` or `envelope-decrypt` request. */
export function compileEnvelope(
  r: Extract<RequestSpec, { kind: 'envelope-encrypt' | 'envelope-decrypt' }>,
  c: KindContext,
): CompiledKind {
  const key = c.keyOf(r.key)
  const ctx = new ContextTable(r.context, c.tenants)
  const size = sizeSampler(r.payloadBytes)
  const cache = new SpecCache()
  const encrypt = r.kind === 'envelope-encrypt'
  // The data-key model of reads: every message has a data key of its own (the writers made one
  // per message), unless the scenario says how many the store holds (dataKeysInStore).
  const store = r.kind === 'envelope-decrypt' ? r.dataKeysInStore : undefined
  let nextMessage = 0
  // Per principal: its caller; per principal and tenant: the read-only input (or whole spec) of
  // its calls, made once. A read with a data key of its own then makes only its spec and meta.
  const callers: (CallerInput | undefined)[] = []
  const inputs: (OperationInputs['GenerateDataKey' | 'Decrypt'] | undefined)[] = []
  const callerOf = (host: HostState): CallerInput =>
    (callers[host.principalIndex] ??= c.options.callers.get(host.principal, key.region))
  const inputOf = (
    host: HostState,
    tenant: number,
    caller: CallerInput,
  ): OperationInputs['GenerateDataKey' | 'Decrypt'] => {
    const k = host.principalIndex * c.tenants + tenant
    let input = k < 1_000_000 ? inputs[k] : undefined
    if (input === undefined) {
      const fi = encrypt ? tenant : c.fixtureIndex(tenant)
      const context = ctx.get(fi)
      const keyId = keyIdFor(key, caller)
      input = encrypt
        ? context === undefined
          ? { KeyId: keyId, KeySpec: r.dataKeySpec }
          : { KeyId: keyId, KeySpec: r.dataKeySpec, EncryptionContext: context }
        : decryptInput(keyId, c.fixture(fi), context)
      if (k < 1_000_000) inputs[k] = input
    }
    return input
  }
  const operation = encrypt ? 'GenerateDataKey' : 'Decrypt'
  const opIndex = operationIndex(operation)
  const spec = (host: HostState, tenant: number, bytes: number, dataKey?: number): KmsCallSpec => {
    const caller = callerOf(host)
    if (dataKey === undefined) {
      const meta: CallMeta = { bytes, tenant, keyName: r.key, request: r.kind }
      return { kind: 'kms', operation, input: inputOf(host, tenant, caller), caller, meta, opIndex }
    }
    // A message's own data key: an input object of its own too (mitigations key what a call asks
    // for by its input object, mitigations/call-keys.ts), a copy of the tenant's.
    const meta: CallMeta = { bytes, tenant, keyName: r.key, request: r.kind, dataKey }
    return { kind: 'kms', operation, input: { ...inputOf(host, tenant, caller) }, caller, meta, opIndex }
  }
  const fixed = size.fixed
  const specFor = (host: HostState, tenant: number, random: Random): KmsCallSpec => {
    if (!encrypt && store !== 'per-tenant') {
      // A read decrypts its message's data key: a new one per read, or one of the store's.
      const dataKey = store === undefined ? nextMessage++ : random.int(store)
      return spec(host, tenant, fixed ?? size.sample(random), dataKey)
    }
    if (fixed === undefined) return spec(host, tenant, size.sample(random))
    const k = host.principalIndex * c.tenants + tenant
    return cache.get(k) ?? cache.set(k, spec(host, tenant, fixed))
  }
  if (!c.options.localCrypto) return { name: r.kind, weight: r.weight, single: specFor }
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
