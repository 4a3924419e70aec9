/**
 * VerifyMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html):
 * recomputes the HMAC and compares it in constant time. A mismatch answers
 * KMSInvalidMacException with AWS's empty message (LocalStack's AWS-recorded snapshot).
 */
import type { Handler } from '../context.ts'
import { KMSInvalidMacException } from '../errors.ts'
import { macMatches } from '../mac.ts'
import { prepareMac } from './generate-mac.ts'

/** Handler of VerifyMac. */
export const verifyMac: Handler<'VerifyMac'> = (ctx, input) => {
  const key = prepareMac(ctx, input, 'VerifyMac')
  if (!macMatches(key, input.MacAlgorithm, input.Message, input.Mac)) throw new KMSInvalidMacException('')
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm }
}
