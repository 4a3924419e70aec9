/**
 * Key policy documents: syntax and size checks
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
 * A key policy is at most 32 KB (resource-limits.html); the model allows 131,072 characters,
 * the resource quota is what KMS enforces.
 */
import { compilePolicy } from './access/policy-compile.ts'
import { MalformedPolicyDocumentException } from './errors.ts'

/** Maximum key policy size in bytes (not adjustable). */
export const MAX_KEY_POLICY_BYTES = 32_768

/** Parses and checks a policy document; throws MalformedPolicyDocumentException naming the problem. */
export function parsePolicyDocument(text: string): Record<string, unknown> {
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_POLICY_BYTES) {
    throw new MalformedPolicyDocumentException(`The key policy is larger than ${MAX_KEY_POLICY_BYTES} bytes.`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new MalformedPolicyDocumentException(
      `The new key policy contains invalid JSON: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new MalformedPolicyDocumentException('The new key policy must be a JSON object.')
  }
  const statement = (doc as Record<string, unknown>)['Statement']
  if (statement === undefined || (typeof statement !== 'object' && !Array.isArray(statement)) || statement === null) {
    throw new MalformedPolicyDocumentException('The new key policy has no Statement.')
  }
  return doc as Record<string, unknown>
}

/** Principal types a key policy may name (IAM JSON policy reference, "Principal"). */
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser'])
/**
 * An `AWS` principal: `*`, an account id, an IAM/STS ARN, or the unique id IAM substitutes
 * for a deleted principal (`AIDA...`, `AROA...`).
 */
const AWS_PRINCIPAL_RE = /^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):\S+|A[A-Z0-9]{15,127})$/
/** AWS's text for a principal it cannot accept (seen from real KMS, e.g. terraform-aws-modules issues). */
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.'

function isStringOrStrings(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
}

/** AWS's text, followed by the principal at fault so that the message names the problem. */
function invalidPrincipal(what: unknown, statement: string): MalformedPolicyDocumentException {
  return new MalformedPolicyDocumentException(
    `${INVALID_PRINCIPALS} Invalid principal: ${JSON.stringify(what)} (${statement}).`,
  )
}

function checkPrincipal(p: unknown, statement: string): void {
  if (p === '*') return
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw invalidPrincipal(p, statement)
  const entries = Object.entries(p as Record<string, unknown>)
  if (entries.length === 0) throw invalidPrincipal(p, statement)
  for (const [type, value] of entries) {
    if (!PRINCIPAL_TYPES.has(type) || !isStringOrStrings(value)) throw invalidPrincipal({ [type]: value }, statement)
    if (type === 'AWS') {
      for (const v of typeof value === 'string' ? [value] : (value as string[])) {
        if (!AWS_PRINCIPAL_RE.test(v)) throw invalidPrincipal(v, statement)
      }
    }
  }
}

/**
 * Parses and checks a key policy: the document checks of {@link parsePolicyDocument}, then
 * the key policy grammar (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html):
 * an optional Version of `2012-10-17` or `2008-10-17`, and statements each with Effect
 * `Allow`/`Deny`, a Principal (or NotPrincipal, "each statement in the key policy must
 * contain one or more principals", PutKeyPolicy API reference), Action or NotAction,
 * Resource or NotResource, and an object Condition. Throws MalformedPolicyDocumentException
 * naming the problem and the statement (1-based, or by Sid).
 */
export function parseKeyPolicy(text: string): Record<string, unknown> {
  const doc = parsePolicyDocument(text)
  const version = doc['Version']
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw new MalformedPolicyDocumentException(
      `The policy Version must be 2012-10-17 or 2008-10-17, not ${JSON.stringify(version)}.`,
    )
  }
  const raw = doc['Statement']
  const statements: unknown[] = Array.isArray(raw) ? raw : [raw]
  if (statements.length === 0) throw new MalformedPolicyDocumentException('The new key policy has no Statement.')
  statements.forEach((st, i) => {
    if (st === null || typeof st !== 'object' || Array.isArray(st)) {
      throw new MalformedPolicyDocumentException(`Statement ${i + 1} of the key policy must be a JSON object.`)
    }
    const s = st as Record<string, unknown>
    const name = typeof s['Sid'] === 'string' && s['Sid'] !== '' ? `Statement '${s['Sid']}'` : `Statement ${i + 1}`
    if (s['Sid'] !== undefined && typeof s['Sid'] !== 'string')
      throw new MalformedPolicyDocumentException(`${name} has a Sid that is not a string.`)
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny')
      throw new MalformedPolicyDocumentException(`${name} must have an Effect of Allow or Deny.`)
    const principal = s['Principal'] ?? s['NotPrincipal']
    if (principal === undefined)
      throw new MalformedPolicyDocumentException(
        `${name} has no Principal: each statement in a key policy must contain one or more principals.`,
      )
    if (s['Principal'] !== undefined && s['NotPrincipal'] !== undefined)
      throw new MalformedPolicyDocumentException(`${name} has both Principal and NotPrincipal.`)
    checkPrincipal(principal, name)
    const action = s['Action'] ?? s['NotAction']
    if (
      action === undefined ||
      (s['Action'] !== undefined && s['NotAction'] !== undefined) ||
      !isStringOrStrings(action)
    ) {
      throw new MalformedPolicyDocumentException(
        `${name} must have exactly one of Action and NotAction, as a string or a list of strings.`,
      )
    }
    const resource = s['Resource'] ?? s['NotResource']
    if (
      resource === undefined ||
      (s['Resource'] !== undefined && s['NotResource'] !== undefined) ||
      !isStringOrStrings(resource)
    ) {
      throw new MalformedPolicyDocumentException(
        `${name} must have exactly one of Resource and NotResource, as a string or a list of strings (in a key policy, "*").`,
      )
    }
    const condition = s['Condition']
    if (condition !== undefined && (condition === null || typeof condition !== 'object' || Array.isArray(condition))) {
      throw new MalformedPolicyDocumentException(`${name} has a Condition that is not a JSON object.`)
    }
  })
  // Then the full grammar the evaluator uses (principal ARNs, named when invalid; actions;
  // condition operators; OverlyPermissiveCondition), compiled once and cached for evaluation.
  compilePolicy(text, 'key')
  return doc
}
