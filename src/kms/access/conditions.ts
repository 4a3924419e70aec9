/**
 * The `Condition` element: operators, `...IfExists`, `Null`, the `ForAllValues` /
 * `ForAnyValue` set operators, and the condition keys kms-bench can supply
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/policy-conditions.html).
 *
 * IAM's rules, copied: a key missing from the request makes positive operators false and
 * negated ones (`StringNotEquals`, `ArnNotLike`, ...) true; `...IfExists` is true when the
 * key is missing; `ForAllValues` is true and `ForAnyValue` false on a missing or empty key.
 * Several values of one key are ORed; several keys, and several operators, are ANDed.
 *
 * A condition key kms-bench does not know (say `aws:SourceVpce`) never matches, whatever
 * the operator: an Allow that depends on it does not allow, a Deny does not deny. The
 * authorizer reports such keys in the audit event so the gap is visible.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { MalformedPolicyDocumentException } from '../errors.ts'
import { compileWildcard, type Wildcard } from './wildcard.ts'

/** A condition key's value in one request: absent, one value, or several (multi-valued keys). */
export type ConditionValue = string | number | boolean | readonly string[] | undefined

/** The request context a condition is evaluated against. Keys are looked up lower-cased. */
export interface ConditionContext {
  value(keyLower: string): ConditionValue
}

/** One compiled operator × key test. */
export interface CompiledCondition {
  /** The operator as written, e.g. `ForAllValues:StringEquals`. */
  readonly operator: string
  /** The key as written, e.g. `kms:EncryptionContext:Tenant`. */
  readonly key: string
  readonly keyLower: string
  /** False for keys kms-bench cannot supply: such a condition never matches. */
  readonly known: boolean
  test(ctx: ConditionContext): boolean
}

/** Prefixes of condition-key families kms-bench supplies. */
const KNOWN_PREFIXES = ['kms:encryptioncontext:', 'aws:resourcetag/']

/**
 * Condition keys kms-bench can supply (when the request has them). The KMS keys are those
 * of policy-conditions.html; request-derived ones arrive from the operation handlers.
 */
const KNOWN_KEYS = new Set(
  [
    'kms:BypassPolicyLockoutSafetyCheck',
    'kms:CallerAccount',
    'kms:CustomerMasterKeySpec',
    'kms:CustomerMasterKeyUsage',
    'kms:DataKeyPairSpec',
    'kms:EncryptionAlgorithm',
    'kms:EncryptionContextKeys',
    'kms:ExpirationModel',
    'kms:GrantConstraintType',
    'kms:GrantIsForAWSResource',
    'kms:GrantOperations',
    'kms:GranteePrincipal',
    'kms:KeyAgreementAlgorithm',
    'kms:KeyOrigin',
    'kms:KeySpec',
    'kms:KeyUsage',
    'kms:MacAlgorithm',
    'kms:MessageType',
    'kms:MultiRegion',
    'kms:MultiRegionKeyType',
    'kms:PrimaryRegion',
    'kms:ReEncryptOnSameKey',
    'kms:RequestAlias',
    'kms:ResourceAliases',
    'kms:ReplicaRegion',
    'kms:RetiringPrincipal',
    'kms:RotationPeriodInDays',
    'kms:ScheduleKeyDeletionPendingWindowInDays',
    'kms:SigningAlgorithm',
    'kms:ValidTo',
    'kms:ViaService',
    'kms:WrappingAlgorithm',
    'kms:WrappingKeySpec',
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:PrincipalType',
    'aws:PrincipalIsAWSService',
    'aws:username',
    'aws:SourceIp',
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:RequestedRegion',
    'aws:ViaAWSService',
    'aws:ResourceAccount',
  ].map((k) => k.toLowerCase()),
)

/** True when kms-bench can supply `key` (case-insensitive, as IAM condition key names are). */
export function isKnownConditionKey(key: string): boolean {
  const k = key.toLowerCase()
  return KNOWN_KEYS.has(k) || KNOWN_PREFIXES.some((p) => k.startsWith(p) && k.length > p.length)
}

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null'

interface BaseOperator {
  family: Family
  negated: boolean
  /** For string: compare case-insensitively; for string/arn: wildcards allowed. */
  ignoreCase?: boolean
  like?: boolean
  compare?: 'eq' | 'lt' | 'le' | 'gt' | 'ge'
}

const BASE_OPERATORS: Record<string, BaseOperator> = {
  stringequals: { family: 'string', negated: false },
  stringnotequals: { family: 'string', negated: true },
  stringequalsignorecase: { family: 'string', negated: false, ignoreCase: true },
  stringnotequalsignorecase: { family: 'string', negated: true, ignoreCase: true },
  stringlike: { family: 'string', negated: false, like: true },
  stringnotlike: { family: 'string', negated: true, like: true },
  numericequals: { family: 'numeric', negated: false, compare: 'eq' },
  numericnotequals: { family: 'numeric', negated: true, compare: 'eq' },
  numericlessthan: { family: 'numeric', negated: false, compare: 'lt' },
  numericlessthanequals: { family: 'numeric', negated: false, compare: 'le' },
  numericgreaterthan: { family: 'numeric', negated: false, compare: 'gt' },
  numericgreaterthanequals: { family: 'numeric', negated: false, compare: 'ge' },
  dateequals: { family: 'date', negated: false, compare: 'eq' },
  datenotequals: { family: 'date', negated: true, compare: 'eq' },
  datelessthan: { family: 'date', negated: false, compare: 'lt' },
  datelessthanequals: { family: 'date', negated: false, compare: 'le' },
  dategreaterthan: { family: 'date', negated: false, compare: 'gt' },
  dategreaterthanequals: { family: 'date', negated: false, compare: 'ge' },
  bool: { family: 'bool', negated: false },
  binaryequals: { family: 'binary', negated: false },
  ipaddress: { family: 'ip', negated: false },
  notipaddress: { family: 'ip', negated: true },
  // ArnEquals and ArnLike behave the same: both accept wildcards (IAM condition operators, ARN).
  arnequals: { family: 'arn', negated: false, like: true },
  arnlike: { family: 'arn', negated: false, like: true },
  arnnotequals: { family: 'arn', negated: true, like: true },
  arnnotlike: { family: 'arn', negated: true, like: true },
  null: { family: 'null', negated: false },
}

/** The `OverlyPermissiveCondition` text KMS returns (policy-conditions.html#conditions-kms-encryption-context). */
export const OVERLY_PERMISSIVE_EC_MESSAGE =
  'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.'

/** Where a condition block sits, for error messages, and which policy rules apply. */
export interface ConditionSite {
  /** e.g. `Statement 2 (Sid "AllowUse")` */
  readonly where: string
  /** Key policies reject ForAllValues with kms:EncryptionContext:* (OverlyPermissiveCondition). */
  readonly keyPolicy: boolean
}

/** Compiles a statement's `Condition` object; throws MalformedPolicyDocumentException naming the problem. */
export function compileConditions(block: unknown, site: ConditionSite): CompiledCondition[] {
  const bad = (what: string): MalformedPolicyDocumentException =>
    new MalformedPolicyDocumentException(`${site.where}: ${what}`)
  if (block === null || typeof block !== 'object' || Array.isArray(block))
    throw bad('Condition must be an object of condition operators')
  const out: CompiledCondition[] = []
  for (const [operator, keys] of Object.entries(block as Record<string, unknown>)) {
    const parsed = parseOperator(operator)
    if (parsed === undefined) throw bad(`unknown condition operator '${operator}'`)
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys))
      throw bad(`condition operator '${operator}' must map condition keys to values`)
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const values = policyValues(raw)
      if (values === undefined)
        throw bad(`condition '${operator}' on '${key}' must have a string, number, boolean or a list of them`)
      const keyLower = key.toLowerCase()
      if (site.keyPolicy && parsed.qualifier === 'all' && keyLower.startsWith('kms:encryptioncontext:')) {
        throw new MalformedPolicyDocumentException(OVERLY_PERMISSIVE_EC_MESSAGE)
      }
      out.push(compileOne(operator, key, keyLower, parsed, values, bad))
    }
  }
  return out
}

interface ParsedOperator {
  base: BaseOperator
  qualifier: 'all' | 'any' | undefined
  ifExists: boolean
}

function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator.toLowerCase()
  let qualifier: ParsedOperator['qualifier']
  if (rest.startsWith('forallvalues:')) {
    qualifier = 'all'
    rest = rest.slice('forallvalues:'.length)
  } else if (rest.startsWith('foranyvalue:')) {
    qualifier = 'any'
    rest = rest.slice('foranyvalue:'.length)
  }
  let ifExists = false
  if (rest.endsWith('ifexists')) {
    ifExists = true
    rest = rest.slice(0, -'ifexists'.length)
  }
  const base = BASE_OPERATORS[rest]
  if (base === undefined) return undefined
  if (base.family === 'null' && (ifExists || qualifier !== undefined)) return undefined
  return { base, qualifier, ifExists }
}

function policyValues(raw: unknown): string[] | undefined {
  const one = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
  if (Array.isArray(raw)) {
    const out: string[] = []
    for (const v of raw) {
      const s = one(v)
      if (s === undefined) return undefined
      out.push(s)
    }
    return out
  }
  const s = one(raw)
  return s === undefined ? undefined : [s]
}

/** Request values as strings; undefined when the key is absent (an empty set counts as absent). */
function requestValues(v: ConditionValue): readonly string[] | undefined {
  if (v === undefined) return undefined
  if (typeof v === 'string') return [v]
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)]
  return v.length === 0 ? undefined : v
}

function parseDate(s: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

function cmp(a: number, b: number, op: BaseOperator['compare']): boolean {
  switch (op) {
    case 'lt':
      return a < b
    case 'le':
      return a <= b
    case 'gt':
      return a > b
    case 'ge':
      return a >= b
    default:
      return a === b
  }
}

function compileOne(
  operator: string,
  key: string,
  keyLower: string,
  parsed: ParsedOperator,
  values: string[],
  bad: (what: string) => MalformedPolicyDocumentException,
): CompiledCondition {
  const known = isKnownConditionKey(key)
  const { base, qualifier, ifExists } = parsed
  if (!known) return { operator, key, keyLower, known, test: () => false }

  if (base.family === 'null') {
    const wants = values.map((v) => v.toLowerCase())
    for (const w of wants)
      if (w !== 'true' && w !== 'false') throw bad(`Null condition on '${key}' must be true or false, got '${w}'`)
    return {
      operator,
      key,
      keyLower,
      known,
      test: (ctx) => {
        const present = requestValues(ctx.value(keyLower)) !== undefined
        for (const w of wants) if ((w === 'true') !== present) return true
        return false
      },
    }
  }

  const match = valueMatcher(base, values, key, bad)
  const negated = base.negated
  // One request value against the policy values: ORed; negated operators match when none do.
  const one = (v: string): boolean => (negated ? !match(v) : match(v))
  return {
    operator,
    key,
    keyLower,
    known,
    test: (ctx) => {
      const vs = requestValues(ctx.value(keyLower))
      if (vs === undefined) {
        if (qualifier === 'all') return true
        if (qualifier === 'any') return false
        return ifExists || negated
      }
      if (qualifier === 'all') return vs.every(one)
      if (qualifier === 'any') return vs.some(one)
      // No set operator: positive operators need some request value to match; negated ones need none to.
      const some = vs.some(match)
      return negated ? !some : some
    },
  }
}

/** Returns a function telling whether one request value matches any of the policy values (positive sense). */
function valueMatcher(
  base: BaseOperator,
  values: string[],
  key: string,
  bad: (what: string) => MalformedPolicyDocumentException,
): (v: string) => boolean {
  switch (base.family) {
    case 'string':
    case 'arn': {
      if (base.like === true) {
        const ws: Wildcard[] = values.map((p) => compileWildcard(p))
        return (v) => {
          for (const w of ws) if (w.test(v)) return true
          return false
        }
      }
      if (base.ignoreCase === true) {
        const set = new Set(values.map((p) => p.toLowerCase()))
        return (v) => set.has(v.toLowerCase())
      }
      const set = new Set(values)
      return (v) => set.has(v)
    }
    case 'bool': {
      const set = new Set(values.map((p) => p.toLowerCase()))
      return (v) => set.has(v.toLowerCase())
    }
    case 'binary': {
      const set = new Set(values)
      return (v) => set.has(v)
    }
    case 'numeric': {
      const ns = values.map((p) => {
        const n = Number(p)
        if (p.trim() === '' || Number.isNaN(n))
          throw bad(`numeric condition on '${key}' has a non-numeric value '${p}'`)
        return n
      })
      return (v) => {
        const n = Number(v)
        return !Number.isNaN(n) && ns.some((p) => cmp(n, p, base.compare))
      }
    }
    case 'date': {
      const ds = values.map((p) => {
        const d = parseDate(p)
        if (d === undefined) throw bad(`date condition on '${key}' has an invalid date '${p}'`)
        return d
      })
      return (v) => {
        const d = parseDate(v)
        return d !== undefined && ds.some((p) => cmp(d, p, base.compare))
      }
    }
    case 'ip': {
      const list = new BlockList()
      for (const p of values) {
        const [addr, bits] = p.split('/')
        const type =
          addr !== undefined && isIPv4(addr) ? 'ipv4' : addr !== undefined && isIPv6(addr) ? 'ipv6' : undefined
        if (type === undefined || addr === undefined)
          throw bad(`IP address condition on '${key}' has an invalid address '${p}'`)
        const prefix = bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits)
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128))
          throw bad(`IP address condition on '${key}' has an invalid prefix '${p}'`)
        list.addSubnet(addr, prefix, type)
      }
      return (v) => (isIPv4(v) ? list.check(v, 'ipv4') : isIPv6(v) ? list.check(v, 'ipv6') : false)
    }
    case 'null':
      return () => false
  }
}
