/**
 * Credentials the endpoint knows (`kms-bench serve --credentials FILE`): access key id →
 * secret access key → IAM principal. The principal is who the caller is for key policies,
 * IAM identity policies and grants; its account is the caller's account.
 *
 * File format (JSON):
 *
 * ```json
 * { "credentials": [
 *     { "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
 *       "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 *       "principal": "arn:aws:iam::111122223333:role/app" },
 *     { "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
 *       "secretAccessKey": "...", "sessionToken": "IQoJb3JpZ2luX2VjE...",
 *       "principal": "arn:aws:sts::111122223333:assumed-role/app/session" },
 *     { "accessKeyId": "AKIAADMINEXAMPLE0001", "secretAccessKey": "...",
 *       "principal": "arn:aws:iam::111122223333:user/ops", "admin": true } ] }
 * ```
 *
 * `principal` is an IAM user, role, root, or an STS assumed-role session ARN.
 * `sessionToken` (temporary credentials): requests signed with this access key must carry
 * exactly this `X-Amz-Security-Token`; a credential without one accepts no token at all
 * (AWS answers UnrecognizedClientException for a token it did not issue).
 * `admin: true` lets the credential call the endpoint's own routes that change all state
 * (`POST /kms-bench/reset`, `POST /moto-api/reset`) under `--auth sigv4`. @default false
 */
import { z } from 'zod'
import { parsePrincipal } from '../kms/index.ts'

/** One known credential. */
export interface Credential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** IAM principal ARN the key maps to. */
  readonly principal: string
  /** The principal's 12-digit account. */
  readonly account: string
  /** The session token of temporary credentials: requests must carry exactly it. @default none */
  readonly sessionToken?: string | undefined
  /** May call the endpoint's reset routes under `--auth sigv4`. @default false */
  readonly admin?: boolean | undefined
}

/** Bad credentials file: the message names every problem. */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError'
}

const entrySchema = z
  .object({
    // AWS access key ids are 16–128 word characters (IAM AccessKey data type); shorter ids
    // such as moto's "testing" are allowed so existing test setups keep working.
    accessKeyId: z.string().regex(/^\w{1,128}$/, 'must be 1–128 letters, digits or underscores'),
    secretAccessKey: z.string().min(1, 'must not be empty'),
    principal: z.string().refine((p) => parsePrincipal(p) !== undefined, {
      message:
        'must be an IAM principal ARN (arn:aws:iam::<12 digits>:root|user/...|role/..., or arn:aws:sts::<12 digits>:assumed-role/...)',
    }),
    sessionToken: z.string().min(1, 'must not be empty').optional(),
    admin: z.boolean().optional(),
  })
  .strict()

/** The credentials file's zod schema (`serve --credentials FILE`): the source of its reference in docs/scenarios.md. */
export const fileSchema = z
  .object({ credentials: z.array(entrySchema).min(1, 'needs at least one credential') })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>()
    f.credentials.forEach((c, i) => {
      if (seen.has(c.accessKeyId))
        ctx.addIssue({
          code: 'custom',
          path: ['credentials', i, 'accessKeyId'],
          message: `duplicate access key id '${c.accessKeyId}'`,
        })
      seen.add(c.accessKeyId)
    })
  })

/** Known credentials by access key id. */
export class CredentialStore {
  readonly #byKey: ReadonlyMap<string, Credential>

  constructor(credentials: readonly Omit<Credential, 'account'>[]) {
    const m = new Map<string, Credential>()
    for (const c of credentials) {
      const parsed = parsePrincipal(c.principal)
      if (parsed === undefined) throw new CredentialsFileError(`principal '${c.principal}' is not an IAM principal ARN`)
      m.set(c.accessKeyId, { ...c, account: parsed.account })
    }
    this.#byKey = m
  }

  /** The credential of an access key id, if known. */
  get(accessKeyId: string): Credential | undefined {
    return this.#byKey.get(accessKeyId)
  }

  /** Number of credentials. */
  get size(): number {
    return this.#byKey.size
  }
}

/** Validates a parsed credentials file (format above). Throws {@link CredentialsFileError} naming every problem. */
export function parseCredentialsFile(json: unknown): CredentialStore {
  const r = fileSchema.safeParse(json)
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    throw new CredentialsFileError(`invalid credentials file: ${problems.join('; ')}`)
  }
  return new CredentialStore(r.data.credentials)
}
