/** Compiler of `decrypt` requests: a direct Decrypt of a ciphertext made before the run. */
import type { RequestSpec } from '../scenario/index.ts'
import { kmsCall } from './effects.ts'
import {
  type CompiledKind,
  ContextTable,
  decryptInput,
  type KindContext,
  keyIdFor,
  SpecCache,
  sizeSampler,
} from './workload.ts'

/** Compiles a `decrypt` request. */
export function compileDecrypt(r: Extract<RequestSpec, { kind: 'decrypt' }>, c: KindContext): CompiledKind {
  const key = c.keyOf(r.key)
  const ctx = new ContextTable(r.context, c.tenants)
  const cache = new SpecCache()
  const size = sizeSampler(r.payloadBytes)
  return {
    name: 'decrypt',
    weight: r.weight,
    single: (host, tenant) =>
      cache.memo(host, tenant, c.tenants, () => {
        const caller = c.options.callers.get(host.principal, key.region)
        // Fixture t mod n under that fixture's own context (see KindContext.fixtureIndex).
        const fi = c.fixtureIndex(tenant)
        const input = decryptInput(keyIdFor(key, caller), c.fixture(fi), ctx.get(fi))
        return kmsCall('Decrypt', input, caller, { bytes: size.max, tenant, keyName: r.key, request: 'decrypt' })
      }),
  }
}
