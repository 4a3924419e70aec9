/**
 * Compiler of `ebs-attach` requests: an encrypted EBS volume attached to an instance, from "How
 * Amazon EBS encryption works" (https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html)
 * and the KMS guide's EBS page (https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html):
 *
 * - `volume: 'new'` (an instance launch, a volume created from an encrypted snapshot): Amazon EC2
 *   sends GenerateDataKeyWithoutPlaintext for the volume's data key; then, attaching it, a
 *   CreateGrant "so that it can decrypt the data key", and a Decrypt of that data key, whose
 *   plaintext goes to the instance's host. Three calls per attach.
 * - `volume: 'existing'`: an existing volume attached again: CreateGrant + Decrypt.
 *
 * The calls are made as the principal that launches or attaches, through EC2 (`kms:ViaService`
 * `ec2.<region>.amazonaws.com`), with encryption context `{"aws:ebs:id": "vol-..."}`, and count
 * against its account. CreateGrant is in its own per-API quota (50/s by default), so a fleet
 * launching many instances at once is throttled there first. The grant is not retired in the run
 * (EC2 retires it when the volume is detached); its grantee is the attaching principal here
 * (an assumption: AWS does not publish the principal EC2 grants to).
 */
import type { KmsOutcome, RequestSpec } from '../scenario/index.ts'
import { kmsCall, outcomeCode, SUCCEEDED } from './effects.ts'
import { callThrough } from './service-cache.ts'
import { ebsVolumeId } from './service-names.ts'
import { type CompiledKind, decryptInput, type KindContext, keyIdFor } from './workload.ts'

/** Compiles an `ebs-attach` request. */
export function compileEbs(r: Extract<RequestSpec, { kind: 'ebs-attach' }>, c: KindContext): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `ec2.${key.region}.amazonaws.com`
  const meta = { keyName: r.key, request: r.kind, service: 'ec2' }
  let created = 0
  return {
    name: r.kind,
    weight: r.weight,
    assumptions: [
      "EBS: EC2's grant for an attach names the attaching principal as grantee and is not retired during the run (AWS does not publish EC2's grantee principal; EC2 retires the grant on detach).",
    ],
    ...(r.rate !== undefined ? { rate: r.rate } : {}),
    *run(host, _tenant, random) {
      const caller = c.options.callers.get(host.principal, key.region, via)
      const keyId = keyIdFor(key, caller)
      let context: Record<string, string>
      let blob: Uint8Array
      if (r.volume === 'new') {
        context = { 'aws:ebs:id': ebsVolumeId(created++, true) }
        const made = (yield* callThrough(
          host,
          kmsCall(
            'GenerateDataKeyWithoutPlaintext',
            { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context },
            caller,
            meta,
          ),
        )) as KmsOutcome<'GenerateDataKeyWithoutPlaintext'>
        if (!made.ok) return outcomeCode(made)
        blob = made.output.CiphertextBlob as Uint8Array
      } else {
        const v = random.int(r.volumes)
        context = { 'aws:ebs:id': ebsVolumeId(c.fixtureIndex(v)) }
        blob = c.fixture(v)
      }
      const grant = yield* callThrough(
        host,
        kmsCall(
          'CreateGrant',
          {
            KeyId: keyId,
            GranteePrincipal: host.principal,
            Operations: ['Decrypt'],
            Constraints: { EncryptionContextSubset: context },
          },
          caller,
          meta,
        ),
      )
      if (!grant.ok) return outcomeCode(grant)
      const out = yield* callThrough(host, kmsCall('Decrypt', decryptInput(keyId, blob, context), caller, meta))
      return out.ok ? SUCCEEDED : outcomeCode(out)
    },
  }
}
