/**
 * Compiler of `s3-put` / `s3-get` requests: what S3 does on the caller's behalf with SSE-KMS,
 * GenerateDataKey per PUT and Decrypt per GET, with encryption context
 * `{"aws:s3:arn": "arn:aws:s3:::bucket/key"}` and `kms:ViaService` `s3.<region>.amazonaws.com`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 */
import type { CallMeta, KmsCallSpec, RequestSpec } from '../scenario/index.ts'
import { kmsCall } from './effects.ts'
import {
  type CompiledKind,
  decryptInput,
  type HostState,
  type KindContext,
  keyIdFor,
  SpecCache,
  sizeSampler,
} from './workload.ts'

/** Compiles an `s3-put` or `s3-get` request. */
export function compileS3(r: Extract<RequestSpec, { kind: 's3-put' | 's3-get' }>, c: KindContext): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `s3.${key.region}.amazonaws.com`
  const cache = new SpecCache()
  const size = sizeSampler(r.payloadBytes)
  const { bucket, prefix, objects } = r
  const put = r.kind === 's3-put'
  const build = (host: HostState, object: number, bytes: number): KmsCallSpec => {
    const objectKey = `${prefix}${object}`
    const context = { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${objectKey}` }
    const caller = c.options.callers.get(host.principal, key.region, via)
    const keyId = keyIdFor(key, caller)
    const meta: CallMeta = {
      bytes,
      keyName: r.key,
      request: r.kind,
      s3: { operation: put ? 'PUT' : 'GET', bucket, object: objectKey, requester: host.principal },
    }
    if (put)
      return kmsCall('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }, caller, meta)
    return kmsCall('Decrypt', decryptInput(keyId, c.fixture(object), context), caller, meta)
  }
  const fixed = size.fixed
  return {
    name: r.kind,
    weight: r.weight,
    single: (host, _tenant, random) => {
      const drawn = objects === 1 ? 0 : random.int(objects)
      // GETs beyond the fixtures made read fixture o mod n, under its own object's context.
      const object = put ? drawn : c.fixtureIndex(drawn)
      if (fixed === undefined) return build(host, object, size.sample(random))
      return cache.memo(host, object, objects, () => build(host, object, fixed))
    },
  }
}
