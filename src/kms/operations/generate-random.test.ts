import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import type { CallerInput } from '../caller.ts'
import type { AccessRequest } from '../context.ts'
import { KmsCore } from '../core.ts'
import type { KmsKey } from '../key.ts'
import type { KeySpec, KeyUsageType, OperationInputs, OperationName } from '../model.generated.ts'

const ACCOUNT = '111122223333'
const REGION = 'us-east-1'

function setup() {
  const core = new KmsCore({ clock: new VirtualClock(), defaultAccount: ACCOUNT, defaultRegion: REGION })
  const call = <Op extends OperationName>(op: Op, input: OperationInputs[Op], caller?: CallerInput) => core.invoke(op, input, core.caller(caller))
  const createKey = (KeySpec: KeySpec = 'SYMMETRIC_DEFAULT', KeyUsage: KeyUsageType = 'ENCRYPT_DECRYPT') =>
    call('CreateKey', { KeySpec, KeyUsage }).KeyMetadata as { KeyId: string; Arn: string }
  const record = (keyId: string) => core.store.region(ACCOUNT, REGION).keys.get(keyId) as KmsKey
  return { core, call, createKey, record }
}

function failure(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

describe('GenerateRandom', () => {
  it('returns NumberOfBytes random bytes, different each time (lengths of the AWS-recorded test)', () => {
    const { call } = setup()
    for (const n of [12, 44, 91, 1, 1024]) expect(call('GenerateRandom', { NumberOfBytes: n }).Plaintext?.byteLength).toBe(n)
    const a = Buffer.from(call('GenerateRandom', { NumberOfBytes: 32 }).Plaintext as Uint8Array)
    const b = Buffer.from(call('GenerateRandom', { NumberOfBytes: 32 }).Plaintext as Uint8Array)
    expect(a.equals(b)).toBe(false)
  })

  it('needs NumberOfBytes in 1..1024, with the messages recorded against AWS', () => {
    const { call } = setup()
    expect(failure(() => call('GenerateRandom', {}))).toMatchObject({ name: 'ValidationException', message: 'NumberOfBytes is required.' })
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 1025 })).message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    )
  })

  it('does not take a custom key store or a Recipient', () => {
    const { call } = setup()
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' })).name).toBe('UnsupportedOperationException')
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 8, Recipient: { AttestationDocument: new Uint8Array(4) } })).name).toBe('UnsupportedOperationException')
  })

  it('is authorized by kms:GenerateRandom with no key, and audits no key', () => {
    const { core, call } = setup()
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    const random = Buffer.from(call('GenerateRandom', { NumberOfBytes: 64 }).Plaintext as Uint8Array)
    expect(asked).toEqual([{ action: 'kms:GenerateRandom' }])
    const last = core.audit.events().at(-1)
    expect(last?.eventName).toBe('GenerateRandom')
    expect(last?.resources ?? []).toEqual([])
    expect(JSON.stringify(last)).not.toContain(random.toString('base64'))
    expect(JSON.stringify(last)).not.toContain(random.toString('hex'))
  })
})
