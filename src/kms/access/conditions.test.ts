import { describe, expect, it } from 'vitest'
import { MalformedPolicyDocumentException } from '../errors.ts'
import { compileConditions, isKnownConditionKey, type ConditionValue } from './conditions.ts'

const site = { where: 'Statement 1', keyPolicy: true }

/** Evaluates a Condition block against request values (keys as written; lookup is case-insensitive). */
function holds(block: Record<string, Record<string, unknown>>, values: Record<string, ConditionValue>): boolean {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]))
  return compileConditions(block, site).every((c) => c.test({ value: (k) => lower.get(k) }))
}

describe('condition operators (IAM semantics)', () => {
  it('StringEquals / StringNotEquals: ORed values, case-sensitive, missing key', () => {
    const eq = { StringEquals: { 'kms:CallerAccount': ['111122223333', '444455556666'] } }
    expect(holds(eq, { 'kms:CallerAccount': '444455556666' })).toBe(true)
    expect(holds(eq, { 'kms:CallerAccount': '999999999999' })).toBe(false)
    expect(holds(eq, {})).toBe(false) // missing key: positive operators fail
    const ne = { StringNotEquals: { 'kms:CallerAccount': '111122223333' } }
    expect(holds(ne, { 'kms:CallerAccount': '111122223333' })).toBe(false)
    expect(holds(ne, { 'kms:CallerAccount': '2' })).toBe(true)
    expect(holds(ne, {})).toBe(true) // missing key: negated operators hold
    expect(
      holds(
        { StringEquals: { 'kms:ViaService': 'S3.us-east-1.amazonaws.com' } },
        { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      ),
    ).toBe(false)
    expect(
      holds(
        { StringEqualsIgnoreCase: { 'kms:ViaService': 'S3.us-east-1.amazonaws.com' } },
        { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      ),
    ).toBe(true)
  })

  it('StringLike / StringNotLike with * and ?', () => {
    const like = { StringLike: { 'kms:RequestAlias': ['alias/app-*', 'alias/t?st'] } }
    expect(holds(like, { 'kms:RequestAlias': 'alias/app-prod' })).toBe(true)
    expect(holds(like, { 'kms:RequestAlias': 'alias/test' })).toBe(true)
    expect(holds(like, { 'kms:RequestAlias': 'alias/toast' })).toBe(false)
    expect(holds({ StringNotLike: { 'kms:RequestAlias': 'alias/app-*' } }, { 'kms:RequestAlias': 'alias/app-1' })).toBe(
      false,
    )
    expect(
      holds(
        { StringLike: { 'kms:EncryptionContext:path': 'a.b+(c)*' } },
        { 'kms:EncryptionContext:path': 'a.b+(c)/x' },
      ),
    ).toBe(true)
  })

  it('...IfExists holds when the key is missing, and tests it when present', () => {
    const c = { StringEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }
    expect(holds(c, {})).toBe(true)
    expect(holds(c, { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).toBe(false)
    expect(holds(c, { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe(true)
  })

  it('Null tests presence; an empty set counts as absent', () => {
    expect(holds({ Null: { 'kms:EncryptionContextKeys': 'false' } }, { 'kms:EncryptionContextKeys': ['a'] })).toBe(true)
    expect(holds({ Null: { 'kms:EncryptionContextKeys': false } }, { 'kms:EncryptionContextKeys': [] })).toBe(false)
    expect(holds({ Null: { 'kms:EncryptionContextKeys': true } }, {})).toBe(true)
  })

  it('Bool compares true/false whatever their type', () => {
    expect(holds({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }, { 'kms:GrantIsForAWSResource': true })).toBe(true)
    expect(holds({ Bool: { 'kms:GrantIsForAWSResource': true } }, { 'kms:GrantIsForAWSResource': false })).toBe(false)
    expect(holds({ Bool: { 'kms:BypassPolicyLockoutSafetyCheck': true } }, {})).toBe(false)
  })

  it('ForAnyValue / ForAllValues over multi-valued keys (kms:EncryptionContextKeys, kms:GrantOperations)', () => {
    const any = { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'AppName' } }
    expect(holds(any, { 'kms:EncryptionContextKeys': ['AppName', 'Project'] })).toBe(true)
    expect(holds(any, { 'kms:EncryptionContextKeys': ['Project'] })).toBe(false)
    expect(holds(any, {})).toBe(false) // no context: ForAnyValue fails
    const all = { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'ReEncryptTo'] } }
    expect(holds(all, { 'kms:GrantOperations': ['Encrypt'] })).toBe(true)
    expect(holds(all, { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] })).toBe(false)
    expect(holds(all, {})).toBe(true) // ForAllValues holds on an empty set
    expect(
      holds(
        { 'ForAllValues:StringNotEquals': { 'kms:GrantOperations': 'Decrypt' } },
        { 'kms:GrantOperations': ['Encrypt', 'Sign'] },
      ),
    ).toBe(true)
    expect(
      holds(
        { 'ForAnyValue:StringNotLike': { 'kms:ResourceAliases': 'alias/prod-*' } },
        { 'kms:ResourceAliases': ['alias/prod-a', 'alias/dev'] },
      ),
    ).toBe(true)
  })

  it('several keys and several operators are ANDed', () => {
    const block = {
      StringEquals: { 'kms:CallerAccount': 'A', 'kms:ViaService': 'S' },
      Bool: { 'aws:ViaAWSService': 'true' },
    }
    expect(holds(block, { 'kms:CallerAccount': 'A', 'kms:ViaService': 'S', 'aws:ViaAWSService': true })).toBe(true)
    expect(holds(block, { 'kms:CallerAccount': 'A', 'kms:ViaService': 'S', 'aws:ViaAWSService': false })).toBe(false)
    expect(holds(block, { 'kms:CallerAccount': 'A', 'aws:ViaAWSService': true })).toBe(false)
  })

  it('Numeric, Date, IpAddress and Arn operators', () => {
    expect(
      holds({ NumericLessThanEquals: { 'kms:RotationPeriodInDays': '365' } }, { 'kms:RotationPeriodInDays': 90 }),
    ).toBe(true)
    expect(
      holds(
        { NumericGreaterThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 20 } },
        { 'kms:ScheduleKeyDeletionPendingWindowInDays': '7' },
      ),
    ).toBe(false)
    expect(
      holds(
        { DateLessThan: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2025-01-01T00:00:00.000Z' },
      ),
    ).toBe(true)
    expect(holds({ DateGreaterThan: { 'aws:EpochTime': '1735689600' } }, { 'aws:EpochTime': '1735689599' })).toBe(false)
    expect(
      holds({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '10.1.2.3' }),
    ).toBe(true)
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' })).toBe(false)
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' })).toBe(true)
    expect(
      holds(
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app-*' } },
        { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app-1' },
      ),
    ).toBe(true)
    expect(
      holds(
        { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/x' } },
        { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/x' },
      ),
    ).toBe(false)
  })

  it('a condition on a key kms-bench cannot supply never matches, whatever the operator', () => {
    expect(isKnownConditionKey('aws:SourceVpce')).toBe(false)
    expect(isKnownConditionKey('KMS:EncryptionContext:Tenant')).toBe(true)
    expect(isKnownConditionKey('kms:EncryptionContext:')).toBe(false)
    expect(holds({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe(false)
    expect(holds({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe(false)
    expect(holds({ Null: { 'aws:SourceVpce': 'true' } }, {})).toBe(false)
    const [c] = compileConditions({ StringEquals: { 'aws:SourceVpce': 'x' } }, site)
    expect(c?.known).toBe(false)
  })

  it('rejects malformed blocks with MalformedPolicyDocumentException naming the problem', () => {
    const bad = (block: unknown, re: RegExp): void => {
      expect(() => compileConditions(block, site)).toThrow(MalformedPolicyDocumentException)
      expect(() => compileConditions(block, site)).toThrow(re)
    }
    bad({ StringEqualz: { 'kms:CallerAccount': 'x' } }, /Statement 1: unknown condition operator 'StringEqualz'/)
    bad({ StringEquals: 'x' }, /must map condition keys to values/)
    bad({ StringEquals: { 'kms:CallerAccount': { nested: 1 } } }, /on 'kms:CallerAccount' must have a string/)
    bad({ NumericEquals: { 'kms:RotationPeriodInDays': 'many' } }, /non-numeric value 'many'/)
    bad({ DateLessThan: { 'aws:CurrentTime': 'yesterday' } }, /invalid date 'yesterday'/)
    bad({ IpAddress: { 'aws:SourceIp': '10.0.0.300/8' } }, /invalid address/)
    bad({ Null: { 'kms:ViaService': 'maybe' } }, /must be true or false/)
    bad({ NullIfExists: { 'kms:ViaService': 'true' } }, /unknown condition operator/)
    bad([], /must be an object/)
    // KMS refuses ForAllValues with the single-valued kms:EncryptionContext:* in key policies.
    bad(
      { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:Dept': 'IT' } },
      /^OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator/,
    )
    expect(
      compileConditions(
        { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:Dept': 'IT' } },
        { where: 'x', keyPolicy: false },
      ),
    ).toHaveLength(1)
  })
})
