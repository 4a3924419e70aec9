/**
 * IAM identity policies attached to principals (users and roles), as the emulator's stand-in
 * for IAM: `putIdentityPolicy(principalArn, name, json)`. Policies are kept per principal
 * ARN and name, like IAM inline policies
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html).
 */
import { MalformedPolicyDocumentException, ValidationException } from './errors.ts'
import { parsePrincipal } from './caller.ts'
import { compilePolicy, parsePolicyJson } from './access/policy-compile.ts'

/** A stored identity policy. */
export interface IdentityPolicy {
  readonly name: string
  readonly document: string
  readonly parsed: Record<string, unknown>
}

const POLICY_NAME_RE = /^[\w+=,.@-]{1,128}$/

/** Identity policies by principal ARN (roles and users; an assumed-role session uses its role's). */
export class IdentityPolicyStore {
  readonly #byPrincipal = new Map<string, Map<string, IdentityPolicy>>()
  #version = 0

  /** Incremented on every change, so evaluators can cache compiled policies. */
  get version(): number {
    return this.#version
  }

  /** Attaches (or replaces) a policy. Throws ValidationException / MalformedPolicyDocumentException. */
  put(principalArn: string, name: string, documentJson: string): void {
    const parsed = parsePrincipal(principalArn)
    if (parsed === undefined) throw new ValidationException(`'${principalArn}' is not a valid IAM principal ARN`)
    if (!POLICY_NAME_RE.test(name))
      throw new ValidationException(`'${name}' is not a valid policy name ([\\w+=,.@-]{1,128})`)
    if (parsed.identityType === 'Root')
      throw new ValidationException(
        `'${principalArn}' is the root user: IAM policies cannot be attached to it (it holds every permission of its account).`,
      )
    if (typeof documentJson !== 'string')
      throw new MalformedPolicyDocumentException('The policy document must be a JSON string.')
    // Full IAM grammar (no Principal, valid actions, conditions); compiled once and cached.
    compilePolicy(documentJson, 'identity')
    const doc = parsePolicyJson(documentJson, 'identity')
    let m = this.#byPrincipal.get(parsed.policyPrincipal)
    if (m === undefined) {
      m = new Map()
      this.#byPrincipal.set(parsed.policyPrincipal, m)
    }
    m.set(name, { name, document: documentJson, parsed: doc })
    this.#version++
  }

  /** Detaches a policy; returns whether it existed. */
  delete(principalArn: string, name: string): boolean {
    const key = parsePrincipal(principalArn)?.policyPrincipal ?? principalArn
    const removed = this.#byPrincipal.get(key)?.delete(name) ?? false
    if (removed) this.#version++
    return removed
  }

  /** Policy names attached to a principal, sorted. */
  list(principalArn: string): string[] {
    const key = parsePrincipal(principalArn)?.policyPrincipal ?? principalArn
    return [...(this.#byPrincipal.get(key)?.keys() ?? [])].sort()
  }

  /** Every stored policy with its principal (policy-evaluation ARN), for saving state (`snapshot.ts`). */
  *entries(): IterableIterator<{ principal: string; name: string; document: string }> {
    for (const [principal, m] of this.#byPrincipal)
      for (const p of m.values()) yield { principal, name: p.name, document: p.document }
  }

  /** Policies that apply to a principal (by its policy-evaluation ARN). */
  policiesOf(policyPrincipal: string): readonly IdentityPolicy[] {
    const m = this.#byPrincipal.get(policyPrincipal)
    return m === undefined ? [] : [...m.values()]
  }

  /** Removes every policy. */
  clear(): void {
    this.#byPrincipal.clear()
    this.#version++
  }
}
