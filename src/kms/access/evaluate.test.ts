/**
 * Decision table: principal × key policy × identity policy × grant × condition → allow/deny,
 * with the reason AWS's message is built from. Each row is one documented rule
 * (key-policies.html, key-policy-default.html, key-policy-modifying-external-accounts.html,
 * grant-authorization.html, IAM policy evaluation logic).
 */
import { describe, expect, it } from 'vitest'
import type { CallerIdentity } from './principals.ts'
import type { ConditionContext, ConditionValue } from './conditions.ts'
import { evaluateAccess, type AccessQuery, type DecisionReason } from './evaluate.ts'
import { compilePolicy } from './policy-compile.ts'
import type { Grant } from '../grants.ts'
import type { GrantConstraints, GrantOperation } from '../model.generated.ts'

const A = '111122223333'
const B = '444455556666'
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const OTHER_KEY = `arn:aws:kms:us-east-1:${A}:key/00000000-12ab-34cd-56ef-1234567890ab`
const ROOT_A = `arn:aws:iam::${A}:root`
const ROLE_A = `arn:aws:iam::${A}:role/app`
const ROLE_B = `arn:aws:iam::${B}:role/app`

type Who = 'rootA' | 'roleA' | 'sessionA' | 'userA' | 'roleB' | 'rootB'
const CALLERS: Record<Who, CallerIdentity> = {
  rootA: { account: A, principal: ROOT_A, policyPrincipal: ROOT_A, identityType: 'Root' },
  roleA: { account: A, principal: ROLE_A, policyPrincipal: ROLE_A, identityType: 'Role' },
  sessionA: {
    account: A,
    principal: `arn:aws:sts::${A}:assumed-role/app/s1`,
    policyPrincipal: ROLE_A,
    identityType: 'AssumedRole',
  },
  userA: {
    account: A,
    principal: `arn:aws:iam::${A}:user/alice`,
    policyPrincipal: `arn:aws:iam::${A}:user/alice`,
    identityType: 'IAMUser',
  },
  roleB: { account: B, principal: ROLE_B, policyPrincipal: ROLE_B, identityType: 'Role' },
  rootB: {
    account: B,
    principal: `arn:aws:iam::${B}:root`,
    policyPrincipal: `arn:aws:iam::${B}:root`,
    identityType: 'Root',
  },
}

type Stmt = Record<string, unknown>
const allowRootA: Stmt = {
  Sid: 'EnableIAM',
  Effect: 'Allow',
  Principal: { AWS: ROOT_A },
  Action: 'kms:*',
  Resource: '*',
}
const KEY_POLICIES: Record<string, Stmt[]> = {
  default: [allowRootA],
  roleDirect: [
    {
      Sid: 'RoleUse',
      Effect: 'Allow',
      Principal: { AWS: ROLE_A },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    },
  ],
  accountIdOnly: [{ Sid: 'Acct', Effect: 'Allow', Principal: { AWS: A }, Action: 'kms:Encrypt', Resource: '*' }],
  describeOnlyForAccount: [
    { Sid: 'Describe', Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:Describe*', Resource: '*' },
  ],
  starCallerAccount: [
    {
      Sid: 'Star',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': A } },
    },
  ],
  denyRole: [
    allowRootA,
    { Sid: 'NoRole', Effect: 'Deny', Principal: { AWS: ROLE_A }, Action: 'kms:Encrypt', Resource: '*' },
  ],
  denyStarUnlessEc: [
    allowRootA,
    {
      Sid: 'NeedTenant',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { Null: { 'kms:EncryptionContext:tenant': 'true' } },
    },
  ],
  crossB: [
    allowRootA,
    {
      Sid: 'B',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: ['kms:Encrypt', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant'],
      Resource: '*',
    },
  ],
  crossRoleB: [
    allowRootA,
    { Sid: 'RoleB', Effect: 'Allow', Principal: { AWS: ROLE_B }, Action: 'kms:Encrypt', Resource: '*' },
  ],
  ecTenantA: [
    {
      Sid: 'TenantA',
      Effect: 'Allow',
      Principal: { AWS: ROLE_A },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } },
    },
  ],
  viaS3: [
    {
      Sid: 'Via',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': A, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    },
  ],
  unknownKeyAllow: [
    {
      Sid: 'Vpce',
      Effect: 'Allow',
      Principal: { AWS: ROLE_A },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
    },
  ],
  unknownKeyDeny: [
    allowRootA,
    {
      Sid: 'VpceDeny',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
    },
  ],
  notPrincipalDeny: [
    allowRootA,
    { Sid: 'OnlyRoot', Effect: 'Deny', NotPrincipal: { AWS: ROOT_A }, Action: 'kms:Encrypt', Resource: '*' },
  ],
  none: [],
}

const IDENTITY: Record<string, Stmt[]> = {
  none: [],
  allowEncrypt: [{ Sid: 'Enc', Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }],
  allowAllOnKey: [{ Sid: 'Key', Effect: 'Allow', Action: 'kms:*', Resource: KEY }],
  allowKeyWildcard: [{ Sid: 'Keys', Effect: 'Allow', Action: 'kms:Enc*', Resource: `arn:aws:kms:*:${A}:key/*` }],
  allowOtherKey: [{ Sid: 'Other', Effect: 'Allow', Action: 'kms:*', Resource: OTHER_KEY }],
  allowAliasArn: [
    { Sid: 'Alias', Effect: 'Allow', Action: 'kms:Encrypt', Resource: `arn:aws:kms:us-east-1:${A}:alias/app` },
  ],
  notActionDecrypt: [{ Sid: 'NotDec', Effect: 'Allow', NotAction: 'kms:Decrypt', Resource: '*' }],
  notResourceKey: [{ Sid: 'NotKey', Effect: 'Allow', Action: 'kms:Encrypt', NotResource: KEY }],
  denyEncrypt: [
    { Sid: 'Enc', Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    { Sid: 'NoEnc', Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' },
  ],
  allowRandom: [{ Sid: 'Rand', Effect: 'Allow', Action: 'kms:GenerateRandom', Resource: '*' }],
  allowCrossKey: [
    {
      Sid: 'UseA',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion'],
      Resource: KEY,
    },
  ],
}

function grant(over: Partial<Grant> & { operations: GrantOperation[] }): Grant {
  return {
    grantId: 'a'.repeat(64),
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keyArn: KEY,
    account: A,
    region: 'us-east-1',
    name: undefined,
    createdAt: 0,
    effectiveAt: 0,
    granteePrincipal: ROLE_A,
    retiringPrincipal: undefined,
    issuingAccount: ROOT_A,
    constraints: undefined as GrantConstraints | undefined,
    operationSet: new Set(over.operations),
    ...over,
  }
}

const GRANTS: Record<string, Grant[]> = {
  none: [],
  encryptToRole: [grant({ operations: ['Encrypt'] })],
  decryptToRole: [grant({ operations: ['Decrypt'] })],
  pending: [grant({ operations: ['Encrypt'], effectiveAt: 10_000 })],
  subsetTenantA: [grant({ operations: ['Encrypt'], constraints: { EncryptionContextSubset: { tenant: 'a' } } })],
  equalsTenantA: [grant({ operations: ['Encrypt'], constraints: { EncryptionContextEquals: { tenant: 'a' } } })],
  toAccountA: [grant({ operations: ['Encrypt'], granteePrincipal: ROOT_A })],
  toRoleB: [grant({ operations: ['Encrypt'], granteePrincipal: ROLE_B })],
}

function ctxOf(values: Record<string, ConditionValue>): ConditionContext {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]))
  return { value: (k) => lower.get(k) }
}

interface Row {
  name: string
  who: Who
  keyPolicy?: keyof typeof KEY_POLICIES | undefined
  identity?: keyof typeof IDENTITY
  grants?: keyof typeof GRANTS
  action?: string
  ec?: Record<string, string>
  via?: string
  tokens?: string[]
  keyManager?: 'AWS' | 'CUSTOMER'
  keyless?: boolean
  allowed: boolean
  reason: DecisionReason
}

const ROWS: Row[] = [
  // key policy alone
  { name: 'root, default policy', who: 'rootA', keyPolicy: 'default', allowed: true, reason: 'key-policy' },
  {
    name: 'root, policy without root',
    who: 'rootA',
    keyPolicy: 'roleDirect',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'root named by 12-digit account id',
    who: 'rootA',
    keyPolicy: 'accountIdOnly',
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'role named in key policy, no IAM',
    who: 'roleA',
    keyPolicy: 'roleDirect',
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'assumed-role session matches its role',
    who: 'sessionA',
    keyPolicy: 'roleDirect',
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'user not named anywhere',
    who: 'userA',
    keyPolicy: 'roleDirect',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'Principal * + kms:CallerAccount',
    who: 'userA',
    keyPolicy: 'starCallerAccount',
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'Principal * + kms:CallerAccount, other account',
    who: 'roleB',
    keyPolicy: 'starCallerAccount',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'no-resource-allow',
  },
  // key policy enables IAM
  {
    name: 'default policy, role without identity policy',
    who: 'roleA',
    keyPolicy: 'default',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'default policy + identity Allow',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'allowEncrypt',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'default policy + identity on the key ARN',
    who: 'sessionA',
    keyPolicy: 'default',
    identity: 'allowAllOnKey',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'default policy + identity with key/* wildcard',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'allowKeyWildcard',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'identity Allow on another key',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'allowOtherKey',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'identity Allow on an alias ARN does not cover the key',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'allowAliasArn',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'identity NotAction covers Encrypt',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'notActionDecrypt',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'identity NotAction excludes Decrypt',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'notActionDecrypt',
    action: 'kms:Decrypt',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'identity NotResource excludes the key',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'notResourceKey',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'identity Allow is ignored when the key policy does not enable IAM',
    who: 'roleA',
    keyPolicy: 'describeOnlyForAccount',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'key policy enables IAM only for Describe*',
    who: 'roleA',
    keyPolicy: 'describeOnlyForAccount',
    identity: 'allowAllOnKey',
    action: 'kms:DescribeKey',
    allowed: true,
    reason: 'key-policy+iam',
  },
  // explicit deny wins
  {
    name: 'key policy Deny beats identity Allow',
    who: 'roleA',
    keyPolicy: 'denyRole',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'deny-resource',
  },
  {
    name: 'key policy Deny beats a grant',
    who: 'roleA',
    keyPolicy: 'denyRole',
    grants: 'encryptToRole',
    allowed: false,
    reason: 'deny-resource',
  },
  {
    name: 'key policy Deny applies to sessions of the role',
    who: 'sessionA',
    keyPolicy: 'denyRole',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'deny-resource',
  },
  {
    name: 'identity Deny beats key policy Allow',
    who: 'roleA',
    keyPolicy: 'roleDirect',
    identity: 'denyEncrypt',
    allowed: false,
    reason: 'deny-identity',
  },
  {
    name: 'identity Deny beats a grant',
    who: 'roleA',
    keyPolicy: 'default',
    identity: 'denyEncrypt',
    grants: 'encryptToRole',
    allowed: false,
    reason: 'deny-identity',
  },
  {
    name: 'Deny with Null condition: no encryption context',
    who: 'rootA',
    keyPolicy: 'denyStarUnlessEc',
    allowed: false,
    reason: 'deny-resource',
  },
  {
    name: 'Deny with Null condition: context present',
    who: 'rootA',
    keyPolicy: 'denyStarUnlessEc',
    ec: { tenant: 'x' },
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'NotPrincipal Deny hits everyone but root',
    who: 'roleA',
    keyPolicy: 'notPrincipalDeny',
    identity: 'allowEncrypt',
    allowed: false,
    reason: 'deny-resource',
  },
  {
    name: 'NotPrincipal Deny spares root',
    who: 'rootA',
    keyPolicy: 'notPrincipalDeny',
    allowed: true,
    reason: 'key-policy',
  },
  // conditions
  {
    name: 'encryption context condition met',
    who: 'roleA',
    keyPolicy: 'ecTenantA',
    ec: { tenant: 'a' },
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'encryption context key name is case-insensitive',
    who: 'roleA',
    keyPolicy: 'ecTenantA',
    ec: { Tenant: 'a' },
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'encryption context value is case-sensitive',
    who: 'roleA',
    keyPolicy: 'ecTenantA',
    ec: { tenant: 'A' },
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'encryption context missing',
    who: 'roleA',
    keyPolicy: 'ecTenantA',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'kms:ViaService met',
    who: 'userA',
    keyPolicy: 'viaS3',
    via: 's3.us-east-1.amazonaws.com',
    allowed: true,
    reason: 'key-policy',
  },
  {
    name: 'kms:ViaService absent (direct use)',
    who: 'userA',
    keyPolicy: 'viaS3',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'unknown condition key never allows',
    who: 'roleA',
    keyPolicy: 'unknownKeyAllow',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'unknown condition key never denies',
    who: 'rootA',
    keyPolicy: 'unknownKeyDeny',
    allowed: true,
    reason: 'key-policy',
  },
  // grants
  {
    name: 'grant allows without IAM',
    who: 'roleA',
    keyPolicy: 'default',
    grants: 'encryptToRole',
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant to the role covers its sessions',
    who: 'sessionA',
    keyPolicy: 'none',
    grants: 'encryptToRole',
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant for another operation',
    who: 'roleA',
    keyPolicy: 'default',
    grants: 'decryptToRole',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'grant not yet propagated',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'pending',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'grant not yet propagated, token presented',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'pending',
    tokens: ['a'.repeat(64)],
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant Subset constraint met with extra pairs',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'subsetTenantA',
    ec: { tenant: 'a', x: 'y' },
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant Subset constraint not met',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'subsetTenantA',
    ec: { tenant: 'b' },
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'grant Equals constraint rejects extra pairs',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'equalsTenantA',
    ec: { tenant: 'a', x: 'y' },
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'grant Equals constraint met',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'equalsTenantA',
    ec: { tenant: 'a' },
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant to the account needs IAM to reach a role',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'toAccountA',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'grant to the account, delegated by IAM',
    who: 'roleA',
    keyPolicy: 'none',
    grants: 'toAccountA',
    identity: 'allowEncrypt',
    allowed: true,
    reason: 'grant',
  },
  {
    name: 'grant to the account, used by root',
    who: 'rootA',
    keyPolicy: 'none',
    grants: 'toAccountA',
    allowed: true,
    reason: 'grant',
  },
  // cross-account
  {
    name: 'cross-account: key policy and IAM allow',
    who: 'roleB',
    keyPolicy: 'crossB',
    identity: 'allowCrossKey',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'cross-account: key policy only',
    who: 'roleB',
    keyPolicy: 'crossB',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'cross-account: IAM only',
    who: 'roleB',
    keyPolicy: 'default',
    identity: 'allowCrossKey',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'cross-account: role named directly still needs IAM',
    who: 'roleB',
    keyPolicy: 'crossRoleB',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'cross-account: role named directly with IAM',
    who: 'roleB',
    keyPolicy: 'crossRoleB',
    identity: 'allowEncrypt',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'cross-account: root of the other account',
    who: 'rootB',
    keyPolicy: 'crossB',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'cross-account: DescribeKey works',
    who: 'roleB',
    keyPolicy: 'crossB',
    identity: 'allowCrossKey',
    action: 'kms:DescribeKey',
    allowed: true,
    reason: 'key-policy+iam',
  },
  {
    name: 'cross-account: ScheduleKeyDeletion has no effect',
    who: 'roleB',
    keyPolicy: 'crossB',
    identity: 'allowCrossKey',
    action: 'kms:ScheduleKeyDeletion',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'cross-account: never on AWS managed keys',
    who: 'rootB',
    keyPolicy: 'crossB',
    keyManager: 'AWS',
    allowed: false,
    reason: 'no-resource-allow',
  },
  {
    name: 'cross-account: a grant suffices',
    who: 'roleB',
    keyPolicy: 'default',
    grants: 'toRoleB',
    allowed: true,
    reason: 'grant',
  },
  // key-less actions: IAM alone
  {
    name: 'GenerateRandom by root',
    who: 'rootA',
    keyless: true,
    action: 'kms:GenerateRandom',
    allowed: true,
    reason: 'root',
  },
  {
    name: 'GenerateRandom by role with IAM',
    who: 'roleA',
    keyless: true,
    identity: 'allowRandom',
    action: 'kms:GenerateRandom',
    allowed: true,
    reason: 'iam',
  },
  {
    name: 'GenerateRandom by role without IAM',
    who: 'roleA',
    keyless: true,
    identity: 'allowEncrypt',
    action: 'kms:GenerateRandom',
    allowed: false,
    reason: 'no-identity-allow',
  },
  {
    name: 'key-less identity Deny',
    who: 'roleA',
    keyless: true,
    identity: 'denyEncrypt',
    action: 'kms:Encrypt',
    allowed: false,
    reason: 'deny-identity',
  },
]

function queryOf(row: Row): AccessQuery {
  const caller = CALLERS[row.who]
  const action = row.action ?? 'kms:Encrypt'
  const values: Record<string, ConditionValue> = { 'kms:CallerAccount': caller.account, 'kms:ViaService': row.via }
  if (row.ec !== undefined) {
    values['kms:EncryptionContextKeys'] = Object.keys(row.ec)
    for (const [k, v] of Object.entries(row.ec)) values[`kms:EncryptionContext:${k.toLowerCase()}`] = v
  }
  const identity = IDENTITY[row.identity ?? 'none'] ?? []
  return {
    action,
    resource: row.keyless === true ? '*' : KEY,
    caller,
    ...(row.keyless === true
      ? {}
      : {
          key: {
            account: A,
            keyManager: row.keyManager ?? 'CUSTOMER',
            policy: compilePolicy(
              JSON.stringify({ Version: '2012-10-17', Statement: KEY_POLICIES[row.keyPolicy ?? 'default'] }),
              'key',
            ),
          },
          grants: {
            grants: GRANTS[row.grants ?? 'none'] ?? [],
            now: 5000,
            tokenGrantIds: row.tokens === undefined ? undefined : new Set(row.tokens),
            encryptionContext: row.ec,
          },
        }),
    identityPolicies:
      identity.length === 0
        ? []
        : [
            {
              name: 'p',
              policy: compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: identity }), 'identity'),
            },
          ],
    conditions: ctxOf(values),
  }
}

describe('evaluateAccess decision table', () => {
  it.each(ROWS)('$name → $reason', (row) => {
    const d = evaluateAccess(queryOf(row))
    expect({ allowed: d.allowed, reason: d.reason }).toEqual({ allowed: row.allowed, reason: row.reason })
  })

  it('names the deciding statement and reports unknown condition keys', () => {
    const d = evaluateAccess(
      queryOf({
        name: '',
        who: 'roleA',
        keyPolicy: 'default',
        identity: 'allowEncrypt',
        allowed: true,
        reason: 'key-policy+iam',
      }),
    )
    expect(d.statement).toBe('key-policy:EnableIAM + identity:p:Enc')
    const u = evaluateAccess(
      queryOf({ name: '', who: 'roleA', keyPolicy: 'unknownKeyAllow', allowed: false, reason: 'no-resource-allow' }),
    )
    expect(u.unknownConditionKeys).toEqual(['aws:SourceVpce'])
    const g = evaluateAccess(
      queryOf({ name: '', who: 'roleA', keyPolicy: 'none', grants: 'encryptToRole', allowed: true, reason: 'grant' }),
    )
    expect(g.grantId).toBe('a'.repeat(64))
  })

  it('requires IAM on the alias ARN for alias actions even when the key policy names the caller', () => {
    const keyPolicy = compilePolicy(
      JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_A }, Action: 'kms:CreateAlias', Resource: '*' }],
      }),
      'key',
    )
    const alias = `arn:aws:kms:us-east-1:${A}:alias/app`
    const base = {
      action: 'kms:CreateAlias',
      resource: KEY,
      extraIdentityResources: [alias],
      caller: CALLERS.roleA,
      key: { account: A, keyManager: 'CUSTOMER', policy: keyPolicy },
      conditions: ctxOf({}),
    }
    expect(evaluateAccess({ ...base, identityPolicies: [] }).allowed).toBe(false)
    const onAlias = compilePolicy(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:CreateAlias', Resource: alias }] }),
      'identity',
    )
    expect(evaluateAccess({ ...base, identityPolicies: [{ name: 'a', policy: onAlias }] }).allowed).toBe(true)
  })
})
