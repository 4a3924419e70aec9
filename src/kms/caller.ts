/**
 * Who makes a call: account, Region and IAM principal. No principal means the account's
 * root user. Assumed-role session ARNs are evaluated as their role, as IAM does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-role-session).
 */
import { ValidationException } from './errors.ts'
import { isAccountId } from './ids.ts'
import { isKnownRegion, partitionOf, suggestRegion } from '../regions.ts'

/** What a caller of `call()` may say about itself; every member is optional. */
export interface CallerInput {
  /** 12-digit account id. @default the emulator's default account (or the principal's account) */
  account?: string
  /** @default the emulator's default Region */
  region?: string
  /** IAM principal ARN (root, user, role, or assumed-role session). @default the account's root user */
  principal?: string
  /**
   * The AWS service calling on the principal's behalf (`kms:ViaService`), e.g.
   * `s3.us-east-1.amazonaws.com` for S3 SSE-KMS. Such calls still count against the
   * principal's account quota.
   */
  viaService?: string
  /** Recorded in audit events. @default '127.0.0.1' */
  sourceIp?: string
  /** Recorded in audit events. @default 'kms-bench' */
  userAgent?: string
}

/** CloudTrail's userIdentity.type values we produce. */
export type IdentityType = 'Root' | 'IAMUser' | 'AssumedRole' | 'Role'

/** A resolved caller. */
export interface Caller {
  readonly account: string
  readonly region: string
  /** The principal ARN as given (or the root ARN). */
  readonly principal: string
  /** The ARN policies are evaluated against (an assumed-role session maps to its role). */
  readonly policyPrincipal: string
  readonly identityType: IdentityType
  readonly viaService: string | undefined
  readonly sourceIp: string
  readonly userAgent: string
}

const IAM_RE = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/
const STS_RE = /^arn:(aws|aws-cn|aws-us-gov):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/

/** A parsed principal ARN. */
export interface ParsedPrincipal {
  account: string
  identityType: IdentityType
  /** ARN used for policy evaluation. */
  policyPrincipal: string
}

/** Parses an IAM/STS principal ARN; `undefined` when malformed. */
export function parsePrincipal(arn: string): ParsedPrincipal | undefined {
  const iam = IAM_RE.exec(arn)
  if (iam !== null) {
    const [, , account, rest] = iam as unknown as [string, string, string, string]
    const identityType: IdentityType = rest === 'root' ? 'Root' : rest.startsWith('user/') ? 'IAMUser' : 'Role'
    return { account, identityType, policyPrincipal: arn }
  }
  const sts = STS_RE.exec(arn)
  if (sts !== null) {
    const [, partition, account, role] = sts as unknown as [string, string, string, string]
    return { account, identityType: 'AssumedRole', policyPrincipal: `arn:${partition}:iam::${account}:role/${role}` }
  }
  return undefined
}

/**
 * Why `region` cannot be a caller's Region (undefined when it can): it must be a Region where
 * KMS is offered, as the endpoint's SigV4 scope check and scenario files also require.
 */
export function regionProblem(region: unknown): string | undefined {
  if (typeof region === 'string' && isKnownRegion(region)) return undefined
  const hint = typeof region === 'string' ? suggestRegion(region) : undefined
  return `'${String(region)}' is not an AWS Region where KMS is available${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`
}

const TEXT_MEMBERS = ['viaService', 'sourceIp', 'userAgent'] as const

/**
 * Resolves a {@link CallerInput} against defaults, rejecting (ValidationException, naming every
 * problem) malformed accounts and principals, unknown Regions and non-string members.
 */
export function resolveCaller(input: CallerInput | undefined, defaultAccount: string, defaultRegion: string): Caller {
  const region = input?.region ?? defaultRegion
  const problems: string[] = []
  if (input?.region !== undefined) {
    const bad = regionProblem(input.region)
    if (bad !== undefined) problems.push(`caller region ${bad}`)
  }
  for (const member of TEXT_MEMBERS) {
    const v: unknown = input?.[member]
    if (v !== undefined && typeof v !== 'string')
      problems.push(`caller ${member} must be a string, got ${JSON.stringify(v) ?? String(v)}`)
  }
  if (input?.account !== undefined && !isAccountId(input.account)) {
    problems.push(`caller account '${input.account}' is not a 12-digit AWS account id`)
  }
  let parsed: ParsedPrincipal | undefined
  if (input?.principal !== undefined) {
    parsed = parsePrincipal(input.principal)
    if (parsed === undefined) problems.push(`caller principal '${input.principal}' is not a valid IAM principal ARN`)
    else if (input.account !== undefined && parsed.account !== input.account) {
      problems.push(`caller principal '${input.principal}' belongs to account ${parsed.account}, not ${input.account}`)
    }
  }
  if (problems.length > 0) throw new ValidationException(problems.join('; '))
  const account = input?.account ?? parsed?.account ?? defaultAccount
  const principal = input?.principal ?? `arn:${partitionOf(region)}:iam::${account}:root`
  return {
    account,
    region,
    principal,
    policyPrincipal: parsed?.policyPrincipal ?? principal,
    identityType: parsed?.identityType ?? 'Root',
    viaService: input?.viaService,
    sourceIp: input?.sourceIp ?? '127.0.0.1',
    userAgent: input?.userAgent ?? 'kms-bench',
  }
}
