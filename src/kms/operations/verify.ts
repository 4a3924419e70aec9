/**
 * Verify (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html): checks a
 * signature made with Sign (or offline with the private key's algorithm). A signature that
 * does not verify, malformed or not, answers KMSInvalidSignatureException with AWS's empty
 * message (LocalStack's AWS-recorded snapshot); a valid one answers SignatureValid: true.
 */
import { verifySignature } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { KMSInvalidSignatureException } from '../errors.ts'
import { currentMaterial } from '../key.ts'
import { prepareSigning } from './sign.ts'

/** Handler of Verify. */
export const verify: Handler<'Verify'> = (ctx, input) => {
  const { key, scheme, messageType } = prepareSigning(ctx, input, 'Verify')
  if (!verifySignature(currentMaterial(key), scheme, messageType, input.Message, input.Signature))
    throw new KMSInvalidSignatureException('')
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm }
}
