/**
 * Policy documents, checked and compiled: key policies (resource-based, with `Principal`)
 * and IAM identity policies (without). The grammar is IAM's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html) with
 * the KMS key policy rules (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html):
 * at most 32 KB, `Version`, `Id`, `Statement`; each statement has `Effect`, `Principal`
 * (key policies only), `Action`/`NotAction`, `Resource`/`NotResource`, optional `Sid` and
 * `Condition`. Anything else is a MalformedPolicyDocumentException that names the problem.
 *
 * Compiled policies are cached by their text (a key's policy text is compiled once however
 * many calls use it), and each policy memoizes which of its statements apply to an action,
 * so evaluating a call only looks at the statements that can matter.
 */
import { LRUCache } from 'lru-cache'
import { MalformedPolicyDocumentException } from '../errors.ts'
import { compileConditions, type CompiledCondition } from './conditions.ts'
import {
  parseAwsPrincipal,
  parseServicePrincipal,
  principalMatches,
  type CallerIdentity,
  type PolicyPrincipal,
  type PrincipalMatch,
} from './principals.ts'
import { compileWildcard, type Wildcard } from './wildcard.ts'

/** Maximum key policy size in bytes (resource-limits.html; not adjustable). */
export const MAX_POLICY_BYTES = 32_768

/** `key`: a key policy (needs Principal); `identity`: an IAM identity policy (must not have one). */
export type PolicyKind = 'key' | 'identity'

/** AWS's text for a principal it does not accept (MalformedPolicyDocumentException). */
export const INVALID_PRINCIPALS_MESSAGE = 'Policy contains a statement with one or more invalid principals.'

/** One compiled statement. */
export interface CompiledStatement {
  /** 0-based position in the policy. */
  readonly index: number
  readonly sid: string | undefined
  /** `Sid` when present, else `#<index>`: how audit events name the statement. */
  readonly label: string
  readonly effect: 'Allow' | 'Deny'
  /** Key policies: the principals named (`Principal` or `NotPrincipal`). */
  readonly principals: readonly PolicyPrincipal[]
  readonly notPrincipal: boolean
  readonly resources: readonly Wildcard[]
  readonly notResource: boolean
  readonly conditions: readonly CompiledCondition[]
  /** Condition keys of this statement that kms-bench cannot supply (they never match). */
  readonly unknownConditionKeys: readonly string[]
}

/** The statements of a policy whose Action (or NotAction) covers one action. */
export interface ActionStatements {
  readonly allow: readonly CompiledStatement[]
  readonly deny: readonly CompiledStatement[]
}

/** A checked, compiled policy document. */
export interface CompiledPolicy {
  readonly kind: PolicyKind
  readonly text: string
  /** `Id` of the document, if any. */
  readonly id: string | undefined
  readonly statements: readonly CompiledStatement[]
  /** Statements that apply to `action` (e.g. `kms:Decrypt`), memoized per action. */
  forAction(action: string): ActionStatements
}

/** Compiled policies by kind and text (LRU, so changing policies cannot grow memory without bound). */
const cache = new LRUCache<string, CompiledPolicy>({ max: 2048 })

/**
 * Checks and compiles a policy document, from cache when the same text was compiled before.
 * Throws MalformedPolicyDocumentException naming the first problem found.
 */
export function compilePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  const cacheKey = kind === 'key' ? `k${text}` : `i${text}`
  let p = cache.get(cacheKey)
  if (p === undefined) {
    p = compileUncached(text, kind)
    cache.set(cacheKey, p)
  }
  return p
}

/** The parsed JSON of a policy that {@link compilePolicy} accepts. */
export function parsePolicyJson(text: string, kind: PolicyKind): Record<string, unknown> {
  const what = kind === 'key' ? 'key policy' : 'policy document'
  if (typeof text !== 'string') throw new MalformedPolicyDocumentException(`The ${what} must be a JSON string.`)
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new MalformedPolicyDocumentException(`The ${what} is larger than ${MAX_POLICY_BYTES} bytes.`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new MalformedPolicyDocumentException(
      `The ${what} contains invalid JSON: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new MalformedPolicyDocumentException(`The ${what} must be a JSON object.`)
  return doc as Record<string, unknown>
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
])
const VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const ACTION_RE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/

function compileUncached(text: string, kind: PolicyKind): CompiledPolicy {
  const doc = parsePolicyJson(text, kind)
  const malformed = (msg: string): MalformedPolicyDocumentException => new MalformedPolicyDocumentException(msg)
  for (const k of Object.keys(doc))
    if (!TOP_LEVEL.has(k))
      throw malformed(`The policy has an unknown element '${k}' (allowed: Version, Id, Statement).`)
  const version = doc['Version']
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw malformed(`The policy Version must be "2012-10-17" or "2008-10-17", got ${JSON.stringify(version)}.`)
  }
  const id = doc['Id']
  if (id !== undefined && typeof id !== 'string') throw malformed('The policy Id must be a string.')
  const raw = doc['Statement']
  if (raw === undefined) throw malformed('The policy has no Statement.')
  const list = Array.isArray(raw) ? raw : [raw]
  const statements: CompiledStatement[] = []
  const sids = new Set<string>()
  list.forEach((s, i) => {
    const st = compileStatement(s, i, kind)
    if (st.sid !== undefined) {
      if (sids.has(st.sid))
        throw malformed(`Statement IDs (SID) in a single policy must be unique: '${st.sid}' appears twice.`)
      sids.add(st.sid)
    }
    statements.push(st)
  })
  return makePolicy(kind, text, id as string | undefined, statements)
}

interface StatementActions {
  readonly patterns: readonly Wildcard[]
  readonly not: boolean
}

function compileStatement(raw: unknown, index: number, kind: PolicyKind): CompiledStatement {
  let where = `Statement ${index + 1}`
  const malformed = (msg: string): MalformedPolicyDocumentException =>
    new MalformedPolicyDocumentException(`${where}: ${msg}`)
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw malformed('each statement must be a JSON object')
  const s = raw as Record<string, unknown>
  const sid = s['Sid']
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Sid must be a string')
  if (sid !== undefined) where += ` (Sid "${sid}")`
  for (const k of Object.keys(s)) if (!STATEMENT_ELEMENTS.has(k)) throw malformed(`unknown element '${k}'`)
  const effect = s['Effect']
  if (effect !== 'Allow' && effect !== 'Deny')
    throw malformed(`Effect must be "Allow" or "Deny", got ${JSON.stringify(effect)}`)

  const hasP = s['Principal'] !== undefined
  const hasNP = s['NotPrincipal'] !== undefined
  let principals: PolicyPrincipal[] = []
  if (kind === 'identity') {
    if (hasP || hasNP)
      throw new MalformedPolicyDocumentException(`Policy document should not specify a principal (${where}).`)
  } else {
    if (hasP && hasNP) throw malformed('a statement cannot have both Principal and NotPrincipal')
    if (!hasP && !hasNP) throw malformed('a key policy statement must have a Principal')
    principals = compilePrincipals(hasP ? s['Principal'] : s['NotPrincipal'], where)
  }

  const actions = compileActions(s, malformed)
  const hasR = s['Resource'] !== undefined
  const hasNR = s['NotResource'] !== undefined
  if (hasR && hasNR) throw malformed('a statement cannot have both Resource and NotResource')
  if (!hasR && !hasNR) throw malformed('a statement must have a Resource or NotResource')
  const resources = stringList(
    hasR ? s['Resource'] : s['NotResource'],
    hasR ? 'Resource' : 'NotResource',
    malformed,
  ).map((r) => compileWildcard(r))

  const conditions =
    s['Condition'] === undefined ? [] : compileConditions(s['Condition'], { where, keyPolicy: kind === 'key' })
  const unknown = conditions.filter((c) => !c.known).map((c) => c.key)
  const st: CompiledStatement & { actions: StatementActions } = {
    index,
    sid: sid as string | undefined,
    label: (sid as string | undefined) ?? `#${index}`,
    effect,
    principals,
    notPrincipal: hasNP,
    resources,
    notResource: hasNR,
    conditions,
    unknownConditionKeys: unknown,
    actions,
  }
  return st
}

function stringList(
  v: unknown,
  element: string,
  malformed: (msg: string) => MalformedPolicyDocumentException,
): string[] {
  const list = Array.isArray(v) ? v : [v]
  if (list.length === 0) throw malformed(`${element} must not be empty`)
  for (const x of list)
    if (typeof x !== 'string' || x.length === 0)
      throw malformed(`${element} must be a non-empty string or a list of them, got ${JSON.stringify(x)}`)
  return list as string[]
}

function compileActions(
  s: Record<string, unknown>,
  malformed: (msg: string) => MalformedPolicyDocumentException,
): StatementActions {
  const hasA = s['Action'] !== undefined
  const hasNA = s['NotAction'] !== undefined
  if (hasA && hasNA) throw malformed('a statement cannot have both Action and NotAction')
  if (!hasA && !hasNA) throw malformed('a statement must have an Action or NotAction')
  const element = hasA ? 'Action' : 'NotAction'
  const list = stringList(hasA ? s['Action'] : s['NotAction'], element, malformed)
  for (const a of list)
    if (!ACTION_RE.test(a))
      throw malformed(`${element} '${a}' is not a valid action (expected "service:Action", wildcards allowed)`)
  return { patterns: list.map((a) => compileWildcard(a, true)), not: hasNA }
}

function compilePrincipals(v: unknown, where: string): PolicyPrincipal[] {
  const invalid = (value: unknown): MalformedPolicyDocumentException =>
    new MalformedPolicyDocumentException(
      `${INVALID_PRINCIPALS_MESSAGE} Invalid principal: ${JSON.stringify(value)} (${where}).`,
    )
  if (v === '*') return [{ kind: 'any' }]
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(v)
  const out: PolicyPrincipal[] = []
  const entries = Object.entries(v as Record<string, unknown>)
  if (entries.length === 0) throw invalid(v)
  for (const [type, values] of entries) {
    const list = Array.isArray(values) ? values : [values]
    if (list.length === 0) throw invalid(v)
    for (const value of list) {
      if (typeof value !== 'string') throw invalid(value)
      let p: PolicyPrincipal | undefined
      if (type === 'AWS') p = parseAwsPrincipal(value)
      else if (type === 'Service') p = parseServicePrincipal(value)
      // Federated and canonical-user principals are valid but never name a kms-bench caller.
      else if (type === 'Federated' || type === 'CanonicalUser')
        p = value.length > 0 ? { kind: 'other', value } : undefined
      else
        throw new MalformedPolicyDocumentException(
          `${where}: unknown principal type '${type}' (allowed: AWS, Service, Federated, CanonicalUser).`,
        )
      if (p === undefined) throw invalid(value)
      out.push(p)
    }
  }
  return out
}

function makePolicy(
  kind: PolicyKind,
  text: string,
  id: string | undefined,
  statements: CompiledStatement[],
): CompiledPolicy {
  const memo = new Map<string, ActionStatements>()
  return {
    kind,
    text,
    id,
    statements,
    forAction(action: string): ActionStatements {
      let r = memo.get(action)
      if (r === undefined) {
        const lower = action.toLowerCase()
        const allow: CompiledStatement[] = []
        const deny: CompiledStatement[] = []
        for (const st of statements) {
          const a = (st as CompiledStatement & { actions: StatementActions }).actions
          const hit = a.patterns.some((w) => w.test(lower))
          if (hit !== a.not) (st.effect === 'Allow' ? allow : deny).push(st)
        }
        r = { allow, deny }
        if (memo.size < 256) memo.set(action, r)
      }
      return r
    },
  }
}

/** Whether a key policy statement applies to `caller`: `direct`, via the caller's `account`, or not at all. */
export function statementPrincipalMatch(st: CompiledStatement, caller: CallerIdentity): PrincipalMatch {
  let best: PrincipalMatch
  for (const p of st.principals) {
    const m = principalMatches(p, caller)
    if (m === 'direct') {
      best = 'direct'
      break
    }
    if (m === 'account') best = 'account'
  }
  // NotPrincipal excludes only what it names itself: an account ARN there excludes the
  // account (root), not its users and roles (reference_policies_elements_notprincipal.html).
  if (st.notPrincipal) return best === 'direct' ? undefined : 'direct'
  return best
}

/** Whether a statement's Resource (or NotResource) covers `resource` (a key ARN, alias ARN or `*`). */
export function statementResourceMatch(st: CompiledStatement, resource: string): boolean {
  let hit = false
  for (const w of st.resources) {
    if (w.test(resource)) {
      hit = true
      break
    }
  }
  return hit !== st.notResource
}
