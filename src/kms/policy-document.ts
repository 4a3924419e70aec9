/**
 * Key policy documents: syntax and size checks
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
 * A key policy is at most 32 KB (resource-limits.html); the model allows 131,072 characters,
 * the resource quota is what KMS enforces.
 */
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
    throw new MalformedPolicyDocumentException(`The new key policy contains invalid JSON: ${e instanceof Error ? e.message : String(e)}`)
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
