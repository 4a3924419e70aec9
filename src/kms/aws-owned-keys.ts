/**
 * AWS owned keys: KMS keys an AWS service owns and manages in its own account, used to
 * protect customers' resources (for example DynamoDB's default encryption). Customers cannot
 * see or manage them, they cost nothing, and **their use counts against no request quota**
 * ("The use of AWS owned keys does not count against request quotas for your AWS account,
 * even when they are used to protect resources in your account",
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html;
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-owned-key).
 *
 * The load engine creates them to model services that use them. The service calls KMS with
 * its own identity, in its own account (customers cannot use AWS owned keys directly:
 * cross-account use of AWS-managed keys is refused), so call with the key's ARN and
 * {@link awsOwnedKeyCaller}.
 */
import type { CallerInput } from './caller.ts'
import type { CoreServices } from './context.ts'
import { newKeyRecord } from './key-factory.ts'
import type { KmsKey } from './key.ts'
import { partitionOf } from '../regions.ts'

/**
 * The account that holds every AWS owned key in this emulator. Real AWS owned keys live in
 * the owning service's accounts, which are not published; one stand-in account keeps them
 * apart from every customer account.
 */
export const AWS_OWNED_KEYS_ACCOUNT = '000000000000'

const SERVICE_RE = /^[a-z0-9][a-z0-9-]*$/

/**
 * Creates a new AWS owned symmetric key that `service` (e.g. `dynamodb`) uses in `region`.
 * Its policy gives the owning account full access and lets any principal use it only
 * through that service (`kms:ViaService`).
 */
export function createAwsOwnedKey(core: CoreServices, service: string, region: string): KmsKey {
  if (!SERVICE_RE.test(service))
    throw new RangeError(`AWS owned key: service must be a lowercase service name such as 'dynamodb', got '${service}'`)
  const now = core.clock.now()
  const record = newKeyRecord(
    {
      account: AWS_OWNED_KEYS_ACCOUNT,
      region,
      now,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyManager: 'AWS',
      description: `AWS owned key of ${service}`,
      policy: awsOwnedKeyPolicy(service, region),
    },
    core.random,
  )
  const key: KmsKey = { ...record, awsOwned: true }
  core.store.region(AWS_OWNED_KEYS_ACCOUNT, region).keys.set(key.keyId, key)
  return key
}

/**
 * The caller to use an AWS owned key with: the service's role in {@link AWS_OWNED_KEYS_ACCOUNT},
 * calling through the service's endpoint (`<service>.<region>.amazonaws.com`).
 */
export function awsOwnedKeyCaller(service: string, region: string): CallerInput {
  return {
    account: AWS_OWNED_KEYS_ACCOUNT,
    region,
    principal: `arn:${partitionOf(region)}:iam::${AWS_OWNED_KEYS_ACCOUNT}:role/${service}`,
    viaService: `${service}.${region}.amazonaws.com`,
  }
}

function awsOwnedKeyPolicy(service: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `aws-owned-${service}`,
    Statement: [
      {
        Sid: 'Owning account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partitionOf(region)}:iam::${AWS_OWNED_KEYS_ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: `Allow use through ${service}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
      },
    ],
  })
}
