/**
 * Compiler of `sqs-send` / `sqs-receive` requests: what Amazon SQS does with a queue encrypted
 * under a KMS key (SSE-KMS), from the SQS Developer Guide's "Key management" page
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
 * "Understanding the data key reuse period" and "Estimating AWS KMS costs"):
 *
 * - SQS reuses a data key for `KmsDataKeyReusePeriodSeconds` (60 to 86,400 s, default 300);
 *   principals do not share data keys, so the key is per queue and producing principal.
 * - When the period has ended, the producer's next SendMessage makes SQS call GenerateDataKey
 *   and then Decrypt "to verify the integrity of the data key before using it"; the consumer's
 *   next ReceiveMessage makes it call Decrypt. Encryption and decryption cache their copies
 *   apart. Hence the page's formula, R = B / D × (2P + C) calls per queue.
 * - The calls are made with the producer's or consumer's credentials through SQS
 *   (`kms:ViaService` `sqs.<region>.amazonaws.com`, CloudTrail `invokedBy` `sqs.amazonaws.com`),
 *   with encryption context `{"aws:sqs:arn": "<queue ARN>"}`, and count against the caller's
 *   account (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html#rps-from-service).
 *
 * The cache is SQS's (service side), shared by every host that calls as the same principal.
 * A send or receive that finds a fresh data key makes no KMS call. `principals` names the
 * producers (or consumers), one drawn per request; by default the host's principal calls.
 */
import type { EffectGenerator, KmsOutcome, RequestSpec } from '../scenario/index.ts'
import { kmsCall, type OutcomeCode, outcomeCode, SUCCEEDED } from './effects.ts'
import { callThrough, ServiceCache } from './service-cache.ts'
import { sqsContext } from './service-names.ts'
import { type CompiledKind, decryptInput, type KindContext, keyIdFor } from './workload.ts'

/** Compiles an `sqs-send` or `sqs-receive` request. */
export function compileSqs(
  r: Extract<RequestSpec, { kind: 'sqs-send' | 'sqs-receive' }>,
  c: KindContext,
): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `sqs.${key.region}.amazonaws.com`
  const send = r.kind === 'sqs-send'
  const cache = new ServiceCache({ ttlMs: r.kmsDataKeyReusePeriodSeconds * 1000 })
  const contexts = new Map<number, Record<string, string>>()
  const contextOf = (q: number): Record<string, string> => {
    let ctx = contexts.get(q)
    if (ctx === undefined) contexts.set(q, (ctx = sqsContext(r, q, key)))
    return ctx
  }
  const principals = r.principals
  const meta = { keyName: r.key, request: r.kind, service: 'sqs' }
  return {
    name: r.kind,
    weight: r.weight,
    assumptions: [
      `SQS (${r.kind}): one ${send ? 'GenerateDataKey + Decrypt' : 'Decrypt'} per queue and ${send ? 'producing' : 'consuming'} principal per KmsDataKeyReusePeriodSeconds (${r.kmsDataKeyReusePeriodSeconds} s), as the SQS guide's formula R = B / D × (2P + C) counts them; AWS says actual calls "might be higher because of the distributed nature of Amazon SQS".`,
      'SQS: requests that find an expired data key while SQS is fetching a new one wait for that fetch (AWS does not say how SQS coordinates them).',
    ],
    *run(host, _tenant, random) {
      const q = r.queues === 1 ? 0 : random.int(r.queues)
      const principal =
        principals === undefined ? host.principal : (principals[random.int(principals.length)] as string)
      const caller = c.options.callers.get(principal, key.region, via)
      const keyId = keyIdFor(key, caller)
      const context = contextOf(q)
      return yield* cache.use(
        `${q}|${principal}`,
        () => host.now(),
        function* (): EffectGenerator<OutcomeCode> {
          if (!send)
            return outcomeCode(
              yield* callThrough(host, kmsCall('Decrypt', decryptInput(keyId, c.fixture(q), context), caller, meta)),
            )
          const made = (yield* callThrough(
            host,
            kmsCall('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }, caller, meta),
          )) as KmsOutcome<'GenerateDataKey'>
          if (!made.ok) return outcomeCode(made)
          // SQS decrypts the new data key to verify it before using it.
          const blob = made.output.CiphertextBlob as Uint8Array
          const checked = yield* callThrough(host, kmsCall('Decrypt', decryptInput(keyId, blob, context), caller, meta))
          return checked.ok ? SUCCEEDED : outcomeCode(checked)
        },
      )
    },
  }
}
