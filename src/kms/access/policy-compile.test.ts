import { describe, expect, it } from 'vitest'
import { MalformedPolicyDocumentException } from '../errors.ts'
import {
  compilePolicy,
  INVALID_PRINCIPALS_MESSAGE,
  statementPrincipalMatch,
  type PolicyKind,
} from './policy-compile.ts'

const ROOT = 'arn:aws:iam::111122223333:root'
const ok = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }
const doc = (statements: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements, ...extra })

function rejects(text: string, re: RegExp, kind: PolicyKind = 'key'): void {
  let err: unknown
  try {
    compilePolicy(text, kind)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(MalformedPolicyDocumentException)
  expect((err as Error).message).toMatch(re)
}

describe('compilePolicy', () => {
  it('accepts the documented key policy forms', () => {
    const p = compilePolicy(
      doc([
        { Sid: 'Enable IAM User Permissions', ...ok },
        {
          Sid: 'b',
          Effect: 'Allow',
          Principal: {
            AWS: [
              '111122223333',
              'arn:aws:iam::111122223333:role/path/app',
              'arn:aws:sts::111122223333:assumed-role/app/s',
              'arn:aws:iam::111122223333:user/u',
            ],
          },
          Action: ['kms:Encrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
        {
          Sid: 'c',
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': '111122223333' } },
        },
        { Sid: 'd', Effect: 'Deny', NotPrincipal: { AWS: ROOT }, NotAction: 'kms:Decrypt', NotResource: '*' },
        { Sid: 'e', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Sid: 'f', Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEUNIQUEID1' }, Action: 'kms:Decrypt', Resource: '*' },
      ]),
      'key',
    )
    expect(p.statements.map((s) => s.label)).toEqual(['Enable IAM User Permissions', 'b', 'c', 'd', 'e', 'f'])
    expect(p.forAction('kms:GenerateDataKeyWithoutPlaintext').allow.map((s) => s.label)).toEqual([
      'Enable IAM User Permissions',
      'b',
      'e',
    ])
    expect(p.forAction('kms:Encrypt').deny.map((s) => s.label)).toEqual(['d'])
    expect(p.forAction('kms:Decrypt').deny).toEqual([])
    // Action names match without case (IAM); the memo serves the same answer.
    expect(p.forAction('KMS:ENCRYPT').allow.map((s) => s.label)).toEqual(['Enable IAM User Permissions', 'b', 'e'])
  })

  it('caches by text: the same text compiles once', () => {
    const text = doc([ok])
    expect(compilePolicy(text, 'key')).toBe(compilePolicy(text, 'key'))
    expect(compilePolicy(text, 'key')).not.toBe(compilePolicy(doc([ok], { Id: 'x' }), 'key'))
  })

  it('matches principals: direct, through the account, or not', () => {
    const p = compilePolicy(
      doc([
        ok,
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/app' }, Action: 'kms:*', Resource: '*' },
      ]),
      'key',
    )
    const [root, role] = p.statements as [NonNullable<(typeof p.statements)[0]>, NonNullable<(typeof p.statements)[0]>]
    const session = {
      account: '111122223333',
      principal: 'arn:aws:sts::111122223333:assumed-role/app/s',
      policyPrincipal: 'arn:aws:iam::111122223333:role/app',
      identityType: 'AssumedRole' as const,
    }
    expect(statementPrincipalMatch(role, session)).toBe('direct')
    expect(statementPrincipalMatch(root, session)).toBe('account')
    expect(statementPrincipalMatch(root, { ...session, account: '444455556666' })).toBeUndefined()
    expect(
      statementPrincipalMatch(root, {
        account: '111122223333',
        principal: ROOT,
        policyPrincipal: ROOT,
        identityType: 'Root',
      }),
    ).toBe('direct')
  })

  it('names the problem of a malformed key policy', () => {
    rejects('{"Statement": [', /^The key policy contains invalid JSON: /)
    rejects('[]', /must be a JSON object/)
    rejects(JSON.stringify({ Sid: 'x'.repeat(33_000), Statement: [] }), /larger than 32768 bytes/)
    rejects(JSON.stringify({ Version: '2012-10-17' }), /has no Statement/)
    rejects(doc([ok], { Version: '2020-01-01' }), /Version must be "2012-10-17" or "2008-10-17"/)
    rejects(doc([ok], { Extra: 1 }), /unknown element 'Extra'/)
    rejects(doc([{ ...ok, Effect: 'allow' }]), /Statement 1: Effect must be "Allow" or "Deny", got "allow"/)
    rejects(
      doc([ok, { ...ok, Sid: 'two', Principal: undefined }]),
      /Statement 2 \(Sid "two"\): a key policy statement must have a Principal/,
    )
    rejects(doc([{ ...ok, Action: 'Encrypt' }]), /Action 'Encrypt' is not a valid action/)
    rejects(doc([{ ...ok, Action: [] }]), /Action must not be empty/)
    rejects(doc([{ ...ok, Resource: undefined }]), /must have a Resource or NotResource/)
    rejects(doc([{ ...ok, NotAction: 'kms:Decrypt' }]), /both Action and NotAction/)
    rejects(doc([{ ...ok, Colour: 'red' }]), /unknown element 'Colour'/)
    rejects(
      doc([
        { Sid: 'a', ...ok },
        { Sid: 'a', ...ok },
      ]),
      /must be unique: 'a' appears twice/,
    )
  })

  it("rejects an invalid principal with AWS's text, naming the principal", () => {
    for (const bad of [
      'arn:aws:iam::111122223333:role/*',
      'not-an-arn',
      'arn:aws:iam::1111:root',
      'arn:aws:s3:::bucket',
    ]) {
      rejects(
        doc([{ ...ok, Principal: { AWS: bad } }]),
        new RegExp(
          `^${INVALID_PRINCIPALS_MESSAGE.replace(/\./g, '\\.')} Invalid principal: "${bad.replace(/[*.]/g, '\\$&')}" \\(Statement 1\\)\\.$`,
        ),
      )
    }
    rejects(
      doc([{ ...ok, Principal: { Service: 'not a service' } }]),
      /invalid principals\. Invalid principal: "not a service"/,
    )
    rejects(doc([{ ...ok, Principal: { Robot: 'x' } }]), /unknown principal type 'Robot'/)
    rejects(doc([{ ...ok, Principal: 'someone' }]), /invalid principals/)
  })

  it('identity policies must not name a principal', () => {
    rejects(doc([ok]), /^Policy document should not specify a principal \(Statement 1\)\.$/, 'identity')
    const p = compilePolicy(
      doc([
        {
          Effect: 'Allow',
          Action: 'kms:Encrypt',
          Resource: ['arn:aws:kms:*:111122223333:key/*', 'arn:aws:kms:*:111122223333:alias/*'],
        },
      ]),
      'identity',
    )
    expect(p.kind).toBe('identity')
  })
})
