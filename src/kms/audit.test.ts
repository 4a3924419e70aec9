import { describe, expect, it } from 'vitest'
import { buildServiceEvent } from './audit.ts'
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
