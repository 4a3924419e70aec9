import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'
import { randomFor } from '../../random.ts'
import { defineScenario, type KmsCallSpec, type KmsOutcome, type ResolvedKey } from '../scenario/index.ts'
import { compileWorkload } from './compile.ts'
import { directKms } from './effects.ts'
import { CallerCache, type HostState } from './workload.ts'

const ACCOUNT = '111122223333'
const PRODUCER = `arn:aws:iam::${ACCOUNT}:role/orders-api`

describe('sqs-send', () => {
  it('SQS calls as the producer through sqs.<region>: the audit log shows the principal, invokedBy and the queue ARN', async () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none', defaultAccount: ACCOUNT, defaultRegion: 'us-east-1' })
    kms.putIdentityPolicy(
      PRODUCER,
      'kms',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )
    const { KeyMetadata } = await kms.call('CreateKey', {})
    const key: ResolvedKey = {
      name: 'queues',
      keyId: KeyMetadata!.KeyId,
      arn: KeyMetadata!.Arn!,
      account: ACCOUNT,
      region: 'us-east-1',
      keySpec: 'SYMMETRIC_DEFAULT',
      manager: 'CUSTOMER',
    }
    const s = defineScenario({
      name: 'sqs',
      keys: [{ name: 'queues' }],
      principals: [PRODUCER],
      arrivals: { shape: 'constant', rate: 1 },
      requests: [{ kind: 'sqs-send', key: 'queues', queue: 'orders', kmsDataKeyReusePeriodSeconds: 60 }],
    })
    const callers = new CallerCache()
    const workload = compileWorkload(s, {
      keys: new Map([['queues', key]]),
      fixtures: { get: () => new Uint8Array(), count: () => 0 },
      callers,
      localCrypto: false,
    })
    const host: HostState = {
      index: 0,
      id: 'host-0',
      caller: callers.get(PRODUCER, 'us-east-1'),
      account: ACCOUNT,
      region: 'us-east-1',
      principal: PRODUCER,
      random: randomFor(1, 'host', 0),
      now: () => clock.now(),
      kms: directKms,
      direct: true,
      principalIndex: 0,
    }
    const kind = workload.kinds[0]!
    /** Runs one send, answering its KMS calls with the emulator; returns the calls made. */
    const send = (): KmsCallSpec[] => {
      const made: KmsCallSpec[] = []
      const gen = kind.run!(host, 0, randomFor(1, 'r'), 0)
      let input: KmsOutcome | undefined
      for (;;) {
        const r = gen.next(input)
        if (r.done === true) {
          expect(r.value).toBe(0)
          return made
        }
        const call = r.value as KmsCallSpec
        made.push(call)
        input = kms.tryCall(call.operation, call.input, call.caller) as KmsOutcome
      }
    }
    expect(send().map((c) => c.operation)).toEqual(['GenerateDataKey', 'Decrypt'])
    // within the reuse period: no KMS call
    clock.advance(59_000)
    expect(send()).toEqual([])
    clock.advance(2_000)
    expect(send().map((c) => c.operation)).toEqual(['GenerateDataKey', 'Decrypt'])
    const events = kms.auditEvents().filter((e) => e.eventName !== 'CreateKey')
    expect(events.map((e) => e.eventName)).toEqual(['GenerateDataKey', 'Decrypt', 'GenerateDataKey', 'Decrypt'])
    for (const e of events) {
      expect(e.userIdentity.arn).toBe(PRODUCER)
      expect(e.userIdentity.invokedBy).toBe('sqs.amazonaws.com')
      expect((e.requestParameters as { encryptionContext?: unknown }).encryptionContext).toEqual({
        'aws:sqs:arn': `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`,
      })
    }
  })
})
