/**
 * CreateGrant (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html):
 * adds a grant to a key (grants.md). The key is named by key id or key ARN (another
 * account's key by ARN). Operations must be ones the key type supports, and
 * encryption-context constraints need a symmetric encryption key (ValidationException
 * otherwise). With a Name, retrying the same request returns the existing grant's id (with
 * a fresh token); without one every call makes a new grant. A key holds at most 50,000 grants
 * (LimitExceededException). The policy sees the request through kms:GrantOperations,
 * kms:GranteePrincipal, kms:RetiringPrincipal, kms:GrantConstraintType,
 * kms:GrantIsForAWSResource and kms:EncryptionContext:* (the constraint's context); a
 * principal allowed only by a grant may delegate only what that grant allows.
 */
import { parseGrantPrincipal } from '../access/principals.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { InvalidArnException, LimitExceededException, ValidationException } from '../errors.ts'
import {
  issueGrantToken,
  MAX_GRANTS_PER_KEY,
  newGrantId,
  supportedGrantOperations,
  validateConstraints,
  type Grant,
} from '../grants.ts'
import { assertKeyState } from '../key-state.ts'
import type { GrantConstraints, GrantOperation } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'

/** The CreateGrant handler. */
export const createGrant: Handler<'CreateGrant'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  for (const [member, value] of [
    ['GranteePrincipal', input.GranteePrincipal],
    ['RetiringPrincipal', input.RetiringPrincipal],
  ] as const) {
    if (value !== undefined && parseGrantPrincipal(value) === undefined) {
      throw new InvalidArnException(
        `${member} '${value}' is not a valid principal: use the ARN of an AWS account, IAM user, IAM role, federated user or assumed-role user.`,
      )
    }
  }
  const operations = [...new Set(input.Operations)] as GrantOperation[]
  if (operations.length === 0) throw new ValidationException('Operations must list at least one grant operation.')
  const supported = supportedGrantOperations(key)
  const unsupported = operations.filter((o) => !supported.has(o))
  if (unsupported.length > 0) {
    throw new ValidationException(
      `Grant operations ${unsupported.join(', ')} are not supported for ${key.arn} (KeySpec ${key.keySpec}, KeyUsage ${key.keyUsage}).`,
    )
  }
  const constraints = normalizeConstraints(input.Constraints)
  validateConstraints(constraints, key)
  const constraintType =
    constraints?.EncryptionContextEquals !== undefined
      ? 'EncryptionContextEquals'
      : constraints?.EncryptionContextSubset !== undefined
        ? 'EncryptionContextSubset'
        : undefined
  const constraintContext = constraints?.EncryptionContextEquals ?? constraints?.EncryptionContextSubset
  ctx.core.authorize(ctx, {
    action: 'kms:CreateGrant',
    key,
    ...(constraintContext !== undefined ? { encryptionContext: constraintContext } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: {
      'kms:GrantOperations': operations,
      'kms:GranteePrincipal': input.GranteePrincipal,
      'kms:RetiringPrincipal': input.RetiringPrincipal,
      'kms:GrantConstraintType': constraintType,
    },
  })
  assertKeyState(key, 'grant')
  endDryRun(input)

  const grants = ctx.core.store.region(key.account, key.region).grants
  if (input.Name !== undefined) {
    for (const g of grants.forKey(key.keyId)) {
      if (
        g.name === input.Name &&
        sameGrant(g, input.GranteePrincipal, input.RetiringPrincipal, operations, constraints)
      ) {
        return { GrantToken: issueGrantToken(g), GrantId: g.grantId }
      }
    }
  }
  if (grants.count(key.keyId) >= MAX_GRANTS_PER_KEY) {
    throw new LimitExceededException(`${key.arn} already has ${MAX_GRANTS_PER_KEY} grants, the maximum for a KMS key.`)
  }
  const grant: Grant = {
    grantId: newGrantId(),
    keyId: key.keyId,
    keyArn: key.arn,
    account: key.account,
    region: key.region,
    name: input.Name,
    createdAt: ctx.now,
    effectiveAt: ctx.now + ctx.core.grantPropagationDelayMs,
    granteePrincipal: input.GranteePrincipal,
    retiringPrincipal: input.RetiringPrincipal,
    issuingAccount: `arn:${key.arn.split(':')[1] ?? 'aws'}:iam::${ctx.caller.account}:root`,
    operations,
    operationSet: new Set(operations),
    constraints,
  }
  grants.add(grant)
  return { GrantToken: issueGrantToken(grant), GrantId: grant.grantId }
}

/** Drops empty constraint members, and copies the maps so later changes by the caller cannot reach the grant. */
function normalizeConstraints(c: GrantConstraints | undefined): GrantConstraints | undefined {
  if (c === undefined) return undefined
  const out: GrantConstraints = {}
  if (c.EncryptionContextEquals !== undefined) out.EncryptionContextEquals = { ...c.EncryptionContextEquals }
  if (c.EncryptionContextSubset !== undefined) out.EncryptionContextSubset = { ...c.EncryptionContextSubset }
  return out.EncryptionContextEquals === undefined && out.EncryptionContextSubset === undefined ? undefined : out
}

function sameMap(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k])
}

/** Whether a stored grant has the parameters of a retried CreateGrant (the idempotency of Name). */
function sameGrant(
  g: Grant,
  grantee: string,
  retiring: string | undefined,
  ops: readonly string[],
  c: GrantConstraints | undefined,
): boolean {
  return (
    g.granteePrincipal === grantee &&
    g.retiringPrincipal === retiring &&
    g.operations.length === ops.length &&
    ops.every((o) => g.operationSet.has(o)) &&
    sameMap(g.constraints?.EncryptionContextEquals, c?.EncryptionContextEquals) &&
    sameMap(g.constraints?.EncryptionContextSubset, c?.EncryptionContextSubset)
  )
}
