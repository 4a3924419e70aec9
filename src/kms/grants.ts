/**
 * Grants (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html, kms-facts.md §6.6):
 * one key, one grantee principal, a list of grant operations, optional encryption-context
 * constraints and an optional retiring principal. A grant only allows, never denies.
 *
 * Grants are kept per key in the key owner's account × Region state ({@link GrantStore} in
 * `store.ts`). A new grant is eventually consistent: it takes effect `grantPropagationDelayMs`
 * after CreateGrant (a core option), except in requests that present its grant token
 * (using-grant-token.html). Retiring or revoking a grant takes effect at once here, which
 * is the conservative reading of the same eventual-consistency note.
 */
import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import {
  InvalidGrantIdException,
  InvalidGrantTokenException,
  NotFoundException,
  ValidationException,
} from './errors.ts'
import { type ChangeTracker, NO_TRACKING } from './changes.ts'
import type { KmsKey } from './key.ts'
import type { GrantConstraints, GrantListEntry, GrantOperation } from './model.generated.ts'
import type { CallerIdentity } from './access/principals.ts'
import { parseGrantPrincipal } from './access/principals.ts'

/** Grants per key (resource-limits.html; LimitExceededException beyond it). */
export const MAX_GRANTS_PER_KEY = 50_000

/** One grant. */
export interface Grant {
  /** 64 hex characters, like AWS's grant ids. */
  readonly grantId: string
  readonly keyId: string
  readonly keyArn: string
  /** Key owner account and Region. */
  readonly account: string
  readonly region: string
  readonly name: string | undefined
  /** Epoch ms of CreateGrant. */
  readonly createdAt: number
  /** Epoch ms from which the grant works without its token (eventual consistency). */
  readonly effectiveAt: number
  readonly granteePrincipal: string
  readonly retiringPrincipal: string | undefined
  /** Root ARN of the account that created the grant (GrantListEntry.IssuingAccount). */
  readonly issuingAccount: string
  readonly operations: readonly GrantOperation[]
  readonly operationSet: ReadonlySet<string>
  readonly constraints: GrantConstraints | undefined
}

/** The grants of one account × Region, per key, in creation order. */
export class GrantStore {
  readonly #byKey = new Map<string, Map<string, Grant>>()
  readonly #tracker: ChangeTracker
  readonly #regionId: string

  /** `tracker` learns whose grants change (`changes.ts`). */
  constructor(tracker: ChangeTracker = NO_TRACKING, regionId = '') {
    this.#tracker = tracker
    this.#regionId = regionId
  }

  /** Grants of a key, oldest first. */
  forKey(keyId: string): Iterable<Grant> {
    if (this.#tracker.recording) this.#tracker.touch(this.#regionId, 'grants', keyId)
    return this.#byKey.get(keyId)?.values() ?? []
  }

  /** Number of grants on a key. */
  count(keyId: string): number {
    return this.#byKey.get(keyId)?.size ?? 0
  }

  /** One grant of a key. */
  get(keyId: string, grantId: string): Grant | undefined {
    if (this.#tracker.recording) this.#tracker.touch(this.#regionId, 'grants', keyId)
    return this.#byKey.get(keyId)?.get(grantId)
  }

  /** Stores a grant (the caller enforces the per-key limit). */
  add(grant: Grant): void {
    if (this.#tracker.enabled) this.#tracker.touch(this.#regionId, 'grants', grant.keyId)
    let m = this.#byKey.get(grant.keyId)
    if (m === undefined) {
      m = new Map()
      this.#byKey.set(grant.keyId, m)
    }
    m.set(grant.grantId, grant)
  }

  /** Removes a grant; returns whether it existed. */
  delete(keyId: string, grantId: string): boolean {
    if (this.#tracker.enabled) this.#tracker.touch(this.#regionId, 'grants', keyId)
    const m = this.#byKey.get(keyId)
    if (m === undefined || !m.delete(grantId)) return false
    if (m.size === 0) this.#byKey.delete(keyId)
    return true
  }

  /** Drops every grant of a key (the key was deleted). */
  deleteKey(keyId: string): void {
    if (this.#tracker.enabled) this.#tracker.touch(this.#regionId, 'grants', keyId)
    this.#byKey.delete(keyId)
  }

  /** Every grant, key by key. */
  *all(): IterableIterator<Grant> {
    if (this.#tracker.recording) this.#tracker.touchAll(this.#regionId, 'grants')
    for (const m of this.#byKey.values()) yield* m.values()
  }
}

// ---- grant ids and tokens --------------------------------------------------------------

const GRANT_ID_RE = /^[0-9a-f]{64}$/

/** A new grant id (64 hex characters). */
export function newGrantId(): string {
  return randomBytes(32).toString('hex')
}

/** True for a well-formed grant id. */
export function isGrantId(s: string): boolean {
  return GRANT_ID_RE.test(s)
}

const TOKEN_MAGIC = 'KBGT1'

/** What a grant token names. */
export interface GrantTokenRef {
  readonly account: string
  readonly region: string
  readonly keyId: string
  readonly grantId: string
}

/**
 * A new grant token for `grant`. Like AWS's, tokens are not secret and every CreateGrant
 * returns a fresh one (even for an existing grant): a base64 string carrying where the grant
 * lives, a nonce, and a SHA-256 digest that catches corrupted or made-up tokens.
 */
export function issueGrantToken(grant: Grant): string {
  const body = [
    TOKEN_MAGIC,
    grant.account,
    grant.region,
    grant.keyId,
    grant.grantId,
    randomBytes(24).toString('base64'),
  ].join('\n')
  const digest = createHash('sha256').update(body).digest('base64')
  return Buffer.from(`${body}\n${digest}`, 'utf8').toString('base64')
}

/** The invalid-token error (AWS: InvalidGrantTokenException). */
function invalidToken(): InvalidGrantTokenException {
  return new InvalidGrantTokenException('The grant token is not valid.')
}

/** Tokens already checked: requests repeat the same token many times, and checking hashes it. */
const parsedTokens = new LRUCache<string, GrantTokenRef>({ max: 10_000 })

/** Decodes a grant token; throws InvalidGrantTokenException when it is not one kms-bench issued. */
export function parseGrantToken(token: string): GrantTokenRef {
  let ref = parsedTokens.get(token)
  if (ref === undefined) {
    ref = decodeGrantToken(token)
    parsedTokens.set(token, ref)
  }
  return ref
}

function decodeGrantToken(token: string): GrantTokenRef {
  const text = Buffer.from(token, 'base64').toString('utf8')
  const parts = text.split('\n')
  if (parts.length !== 7 || parts[0] !== TOKEN_MAGIC) throw invalidToken()
  const [, account, region, keyId, grantId, , digest] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  const body = parts.slice(0, 6).join('\n')
  if (createHash('sha256').update(body).digest('base64') !== digest || !isGrantId(grantId)) throw invalidToken()
  return { account, region, keyId, grantId }
}

/** Grant ids named by a request's grant tokens; throws InvalidGrantTokenException for a bad token. */
export function grantIdsOfTokens(tokens: readonly string[]): Set<string> {
  const ids = new Set<string>()
  for (const t of tokens) ids.add(parseGrantToken(t).grantId)
  return ids
}

// ---- what a grant allows ---------------------------------------------------------------

/** Grant operations per key type (grants.md#terms-grant-operations, symm-asymm-compare.html). */
const COMMON_OPS: readonly GrantOperation[] = ['CreateGrant', 'RetireGrant', 'DescribeKey']

/** Grant operations that `key` supports; CreateGrant with any other is a ValidationException. */
export function supportedGrantOperations(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): ReadonlySet<GrantOperation> {
  const ops: GrantOperation[] = [...COMMON_OPS]
  switch (key.keyUsage) {
    case 'ENCRYPT_DECRYPT':
      if (key.keySpec === 'SYMMETRIC_DEFAULT') {
        ops.push(
          'Decrypt',
          'Encrypt',
          'GenerateDataKey',
          'GenerateDataKeyWithoutPlaintext',
          'GenerateDataKeyPair',
          'GenerateDataKeyPairWithoutPlaintext',
          'ReEncryptFrom',
          'ReEncryptTo',
        )
      } else {
        ops.push('Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey')
      }
      break
    case 'SIGN_VERIFY':
      ops.push('Sign', 'Verify', 'GetPublicKey')
      break
    case 'GENERATE_VERIFY_MAC':
      ops.push('GenerateMac', 'VerifyMac')
      break
    case 'KEY_AGREEMENT':
      ops.push('DeriveSharedSecret', 'GetPublicKey')
      break
  }
  return new Set(ops)
}

/** Grant operations that do not take an encryption context, so constraints do not apply to them. */
const CONSTRAINT_FREE_OPS = new Set<string>(['DescribeKey', 'RetireGrant', 'GetPublicKey'])

/** The grant operation an IAM action is (`kms:Decrypt` → `Decrypt`); undefined when no grant can allow it. */
export function grantOperationOf(action: string): string | undefined {
  return action.startsWith('kms:') ? action.slice(4) : undefined
}

/** Maximum encryption-context pairs per grant constraint (API_CreateGrant.html, Constraints). */
export const MAX_CONSTRAINT_PAIRS = 8
/** Maximum characters of a grant constraint's encryption-context value (API_CreateGrant.html, Constraints). */
export const MAX_CONSTRAINT_VALUE_CHARS = 384

/** Checks CreateGrant's Constraints; throws ValidationException naming the problem. */
export function validateConstraints(
  c: GrantConstraints | undefined,
  key: Pick<KmsKey, 'keySpec' | 'keyUsage' | 'arn'>,
): void {
  if (c === undefined) return
  for (const [name, ec] of [
    ['EncryptionContextEquals', c.EncryptionContextEquals],
    ['EncryptionContextSubset', c.EncryptionContextSubset],
  ] as const) {
    if (ec === undefined) continue
    if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
      throw new ValidationException(
        `Encryption context grant constraints (${name}) are supported only on symmetric encryption KMS keys; ${key.arn} is ${key.keySpec} with KeyUsage ${key.keyUsage}.`,
      )
    }
    const pairs = Object.entries(ec)
    if (pairs.length > MAX_CONSTRAINT_PAIRS)
      throw new ValidationException(
        `${name} has ${pairs.length} encryption context pairs; at most ${MAX_CONSTRAINT_PAIRS} are allowed.`,
      )
    for (const [k, v] of pairs) {
      if (v.length > MAX_CONSTRAINT_VALUE_CHARS)
        throw new ValidationException(
          `${name} value of '${k}' is longer than ${MAX_CONSTRAINT_VALUE_CHARS} characters.`,
        )
    }
  }
}

/** Whether a request's encryption context satisfies a grant's constraints (grants.md, grant constraints). */
export function constraintsSatisfied(
  c: GrantConstraints | undefined,
  ec: Readonly<Record<string, string>> | undefined,
): boolean {
  if (c === undefined) return true
  const req = ec ?? {}
  if (c.EncryptionContextEquals !== undefined) {
    const want = Object.entries(c.EncryptionContextEquals)
    if (want.length !== Object.keys(req).length) return false
    for (const [k, v] of want) if (req[k] !== v) return false
  }
  if (c.EncryptionContextSubset !== undefined) {
    for (const [k, v] of Object.entries(c.EncryptionContextSubset)) if (req[k] !== v) return false
  }
  return true
}

/**
 * Whether child constraints are at least as strict as a parent grant's (grants.md, "Granting
 * CreateGrant permission"): a child can add pairs to a Subset constraint, turn Subset into
 * Equals, but never loosen; under an Equals parent the child must be the same Equals.
 */
export function constraintsAtLeastAsStrict(
  parent: GrantConstraints | undefined,
  child: GrantConstraints | undefined,
): boolean {
  if (parent === undefined) return true
  if (child === undefined) return false
  const pe = parent.EncryptionContextEquals
  const ce = child.EncryptionContextEquals
  if (pe !== undefined) {
    if (ce === undefined || child.EncryptionContextSubset !== undefined) return false
    const pk = Object.keys(pe)
    return pk.length === Object.keys(ce).length && pk.every((k) => ce[k] === pe[k])
  }
  const ps = parent.EncryptionContextSubset
  if (ps === undefined) return true
  // Every child constraint must still require the parent's pairs.
  const includes = (c: Readonly<Record<string, string>>): boolean => Object.entries(ps).every(([k, v]) => c[k] === v)
  if (ce !== undefined && !includes(ce)) return false
  const cs = child.EncryptionContextSubset
  if (cs !== undefined && !includes(cs)) return false
  return ce !== undefined || cs !== undefined
}

/** How a grantee principal applies to a caller: itself, or its account (IAM then delegates), or not. */
export function granteeMatch(grantee: string, caller: CallerIdentity): 'direct' | 'account' | undefined {
  if (grantee === caller.principal || grantee === caller.policyPrincipal) return 'direct'
  const p = parseGrantPrincipal(grantee)
  if (p?.kind === 'account' && p.account === caller.account)
    return caller.identityType === 'Root' ? 'direct' : 'account'
  return undefined
}

/** The child grant a CreateGrant request would make (to check delegation from a parent grant). */
export interface ChildGrant {
  readonly operations: readonly string[]
  readonly constraints: GrantConstraints | undefined
}

/** One question to the grants of a key. */
export interface GrantQuestion {
  /** IAM action asked for, e.g. `kms:Decrypt`. */
  readonly action: string
  readonly caller: CallerIdentity
  readonly now: number
  /** Grant ids of the request's grant tokens (they make new grants usable at once). */
  readonly tokenGrantIds: ReadonlySet<string> | undefined
  readonly encryptionContext: Readonly<Record<string, string>> | undefined
  /** For kms:CreateGrant: the grant being created. */
  readonly child?: ChildGrant
}

/** The first grant that allows the request, and whether the caller needs IAM to use it (grant to its account). */
export interface GrantAllowance {
  readonly grant: Grant
  readonly via: 'direct' | 'account'
}

/** Finds a grant among `grants` that allows `q`; grants only allow, so the first one wins. */
export function findAllowingGrant(grants: Iterable<Grant>, q: GrantQuestion): GrantAllowance | undefined {
  const op = grantOperationOf(q.action)
  if (op === undefined) return undefined
  let fallback: GrantAllowance | undefined
  for (const g of grants) {
    if (!g.operationSet.has(op)) continue
    if (g.effectiveAt > q.now && q.tokenGrantIds?.has(g.grantId) !== true) continue
    const via = granteeMatch(g.granteePrincipal, q.caller)
    if (via === undefined) continue
    if (
      !CONSTRAINT_FREE_OPS.has(op) &&
      op !== 'CreateGrant' &&
      !constraintsSatisfied(g.constraints, q.encryptionContext)
    )
      continue
    if (op === 'CreateGrant' && q.child !== undefined) {
      // A principal may only delegate what it was granted (grant-authorization.html).
      if (!q.child.operations.every((o) => g.operationSet.has(o))) continue
      if (!constraintsAtLeastAsStrict(g.constraints, q.child.constraints)) continue
    }
    if (via === 'direct') return { grant: g, via }
    fallback ??= { grant: g, via }
  }
  return fallback
}

/** A grant as ListGrants and ListRetirableGrants show it (GrantListEntry); tokens are never listed. */
export function grantListEntry(g: Grant): GrantListEntry {
  const e: GrantListEntry = {
    KeyId: g.keyArn,
    GrantId: g.grantId,
    CreationDate: new Date(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations],
  }
  if (g.name !== undefined) e.Name = g.name
  if (g.retiringPrincipal !== undefined) e.RetiringPrincipal = g.retiringPrincipal
  if (g.constraints !== undefined) {
    e.Constraints = {}
    if (g.constraints.EncryptionContextEquals !== undefined)
      e.Constraints.EncryptionContextEquals = { ...g.constraints.EncryptionContextEquals }
    if (g.constraints.EncryptionContextSubset !== undefined)
      e.Constraints.EncryptionContextSubset = { ...g.constraints.EncryptionContextSubset }
  }
  return e
}

/**
 * The InvalidGrantIdException of a malformed grant id, or the NotFoundException of a missing grant.
 * Decided for RevokeGrant/RetireGrant with a short or non-hex id (the model allows 1..128 of
 * any character): InvalidGrantIdException, the error the API reference documents for "the
 * specified GrantId is not valid"; NotFoundException only for a well-formed id that names no grant.
 */
export function grantNotFound(grantId: string): Error {
  return isGrantId(grantId)
    ? new NotFoundException(`Grant ID ${grantId} not found`)
    : new InvalidGrantIdException(`Invalid grant ID '${grantId}': a grant id is 64 hexadecimal characters.`)
}
