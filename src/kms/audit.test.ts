import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { buildServiceEvent, type AuditOptions } from './audit.ts'
import { KmsCore } from './core.ts'
import type { OperationInputs, OperationName } from './model.generated.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import { coreHarness, TEST_ACCOUNT } from './test-support.ts'

describe('buildServiceEvent', () => {
  it('builds the CloudTrail AwsServiceEvent of an action KMS takes by itself (ct-deletekey.html shape)', () => {
    const { newKey, record } = coreHarness()
    const key = record(newKey())
    const event = buildServiceEvent({
      eventName: 'DeleteKey',
      key,
      at: Date.UTC(2025, 0, 2),
      invokedBy: 'kms.amazonaws.com',
      additionalEventData: { keyId: key.keyId },
    })
    expect(event).toEqual({
      eventVersion: '1.08',
      userIdentity: { accountId: TEST_ACCOUNT, invokedBy: 'kms.amazonaws.com' },
      eventTime: '2025-01-02T00:00:00.000Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'DeleteKey',
      awsRegion: 'us-east-1',
      sourceIPAddress: 'kms.amazonaws.com',
      userAgent: 'kms.amazonaws.com',
      requestParameters: null,
      responseElements: null,
      additionalEventData: { keyId: key.keyId },
      eventID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      readOnly: false,
      resources: [{ accountId: TEST_ACCOUNT, type: 'AWS::KMS::Key', ARN: key.arn }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: TEST_ACCOUNT,
      eventCategory: 'Management',
    })
    expect(event).not.toHaveProperty('requestID')
    expect(event).not.toHaveProperty('serviceEventDetails')
  })
})

function ringCore(audit: AuditOptions) {
  const core = new KmsCore({
    operations: OPERATION_TABLE,
    clock: new VirtualClock(),
    defaultAccount: TEST_ACCOUNT,
    defaultRegion: 'us-east-1',
    audit,
  })
  const caller = core.caller({})
  return {
    core,
    call: <Op extends OperationName>(op: Op, input: OperationInputs[Op]) => core.invoke(op, input, caller),
  }
}

describe('AuditLog: compact call records shaped when read', () => {
  it('shapes each kept call once: IDs stable across reads, parameters as they were at call time, ring order kept', () => {
    const { core, call } = ringCore({ capacity: 3 })
    const keyId = call('CreateKey', { Description: 'a' }).KeyMetadata?.KeyId ?? ''
    const input = { KeyId: keyId, Plaintext: new Uint8Array([1, 2, 3]) }
    call('Encrypt', input)
    input.KeyId = 'changed-after-the-call'
    call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([4]) })
    call('DescribeKey', { KeyId: keyId })
    const first = core.audit.events()
    expect(first.map((e) => e.eventName)).toEqual(['Encrypt', 'Encrypt', 'DescribeKey'])
    expect(first[0]?.requestParameters).toEqual({ keyId })
    expect(JSON.stringify(first)).not.toContain('"plaintext"')
    const second = core.audit.events()
    expect(second.map((e) => e.eventID)).toEqual(first.map((e) => e.eventID))
    expect(new Set(first.map((e) => e.requestID)).size).toBe(3)
    expect(core.audit.count).toBe(4)
  })

  it('shapes at once for a sink, which sees the same event the ring keeps', () => {
    const seen: string[] = []
    const { core, call } = ringCore({ capacity: 10, sink: (e) => seen.push(e.eventID) })
    call('CreateKey', {})
    expect(seen).toHaveLength(1)
    expect(core.audit.events().map((e) => e.eventID)).toEqual(seen)
  })

  it('gives every event objects of its own when calls share parameters and a reused access decision', () => {
    const { core, call } = ringCore({ capacity: 10 })
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId ?? ''
    for (let i = 0; i < 3; i++) call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([i]) })
    const events = core.audit.events().filter((e) => e.eventName === 'Encrypt')
    expect(events).toHaveLength(3)
    const [a, b, c] = events
    expect(b?.requestParameters).toEqual(a?.requestParameters)
    expect(b?.requestParameters).not.toBe(a?.requestParameters)
    expect(b?.additionalEventData).toEqual(a?.additionalEventData)
    expect(a?.additionalEventData?.['authorization']).toEqual([
      {
        action: 'kms:Encrypt',
        resource: a?.resources?.[0]?.ARN,
        decision: 'Allow',
        reason: 'key-policy',
        statement: 'key-policy:Enable IAM User Permissions',
      },
    ])
    const entries = (e: typeof a) => (e?.additionalEventData?.['authorization'] ?? []) as Record<string, unknown>[]
    ;(a?.requestParameters as Record<string, unknown>)['keyId'] = 'edited by a reader'
    const first = entries(a)[0]
    if (first !== undefined) first['decision'] = 'edited'
    expect(c?.requestParameters).toEqual({ keyId })
    expect(entries(c)[0]?.['decision']).toBe('Allow')
  })

  it('records a changed key policy at once: a reused decision never outlives the policy it came from', () => {
    const { core, call } = ringCore({ capacity: 10 })
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId ?? ''
    call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) })
    const deny = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'admin',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        { Sid: 'no-encrypt', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*' },
      ],
    })
    call('PutKeyPolicy', { KeyId: keyId, Policy: deny, PolicyName: 'default' })
    expect(() => call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([2]) })).toThrow(/explicit deny/)
    const last = core.audit.events().at(-1)
    expect(last?.errorCode).toBe('AccessDeniedException')
    expect(last?.additionalEventData?.['authorization']).toMatchObject([
      { decision: 'Deny', statement: 'key-policy:no-encrypt' },
    ])
  })

  it("records each call's encryption context as given, in a fresh object or a reused one changed after the call", () => {
    const { core, call } = ringCore({ capacity: 10 })
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId ?? ''
    const plaintext = new Uint8Array([1])
    const reused: Record<string, string> = { tenant: 'a' }
    call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: reused })
    reused['tenant'] = 'changed after the call'
    call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { tenant: 'a' } })
    call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { tenant: 'a', b: '2' } })
    call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { b: '2', tenant: 'a' } })
    call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { b: '2' } })
    const events = core.audit.events().filter((e) => e.eventName === 'Encrypt')
    const contexts = events.map((e) => JSON.stringify(e.requestParameters?.['encryptionContext']))
    expect(contexts).toEqual([
      '{"tenant":"a"}',
      '{"tenant":"a"}',
      '{"tenant":"a","b":"2"}',
      '{"b":"2","tenant":"a"}',
      '{"b":"2"}',
    ])
    ;(events[0]?.requestParameters?.['encryptionContext'] as Record<string, string>)['tenant'] = 'edited by a reader'
    expect(core.audit.events()[2]?.requestParameters?.['encryptionContext']).toEqual({ tenant: 'a' })
  })
})
