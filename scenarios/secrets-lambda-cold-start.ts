/**
 * A Lambda function that reads a database secret on every invocation, with cold starts arriving
 * on their own: how many KMS calls Secrets Manager and Lambda make, with and without a cache.
 *
 * Sources:
 * - Secrets Manager calls KMS Decrypt for the secret version's data key on every GetSecretValue,
 *   as the caller, `invokedBy` `secretsmanager.amazonaws.com`, with context `SecretARN` and
 *   `SecretVersionId` ("Secret encryption and decryption in AWS Secrets Manager",
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 * - The AWS caching client keeps a secret for its item TTL, "1 hour" by default
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_cache-java-ref_SecretCacheConfiguration.html);
 *   the Secrets Manager Agent (and the Lambda extension) for 300 s by default
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/secrets-manager-agent.html).
 *   Both caches live in the execution environment's memory and start empty after a cold start.
 * - Lambda decrypts environment variables encrypted under a customer managed key when an
 *   execution environment starts, as the function's execution role, `invokedBy`
 *   `lambda.amazonaws.com`, with context `aws:lambda:FunctionArn`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html).
 *
 * The workload: 100 execution environments of `checkout` serve 500 invocations/s for 10 minutes,
 * each reading the `checkout/db` secret; a cold start every 10 s (60 in all) replaces an
 * environment (the 60 cold starts land on environments 1 to 60, one each, at 10 s × (n − 1)).
 * Hand-worked:
 * - no cache: 300,000 GetSecretValue Decrypts + 60 environment-variable Decrypts = 300,060.
 * - caching client (1 h): one Decrypt per environment at the start (100) and one after each cold
 *   start (60), less one (the cold start at 0 s reaches environment 1 before its first
 *   invocation): 159, + 60 = 219, 1,370 times fewer.
 * - agent (300 s): every environment also refreshes 300 s after a fetch it still holds: the 40
 *   environments never restarted 2 each (80); environment 1 fetches after its restart at 0 s and
 *   refreshes once (2); environments 2-30 (restarted before 300 s) and 32-60 (after) 3 each
 *   (174); environment 31, restarted at 300 s just before its refresh was due, 2: 258, + 60 = 318.
 *
 * Run: npx kms-bench run scenarios/secrets-lambda-cold-start.ts
 */
import { defineScenario } from 'kms-bench'

const ROLE = 'arn:aws:iam::111122223333:role/checkout-lambda'

/** Invocations reading the secret (with a cache), and the cold starts at their own rate. */
const requests = (cache: 'none' | 'caching-client' | 'agent') => [
  { kind: 'secrets-manager-get' as const, key: 'app-key', secret: 'checkout/db', cache },
  { kind: 'lambda-cold-start' as const, key: 'app-key', function: 'checkout', rate: 0.1 },
]

export default defineScenario({
  name: 'secrets-lambda-cold-start',
  description: 'Lambda invocations reading a secret, cold starts decrypting environment variables',
  region: 'eu-west-1',
  duration: '10m',
  seed: 47,
  keys: [{ name: 'app-key', alias: 'alias/checkout' }],
  principals: [ROLE],
  fleet: { hosts: 100 },
  arrivals: { shape: 'constant', rate: 500 },
  requests: requests('none'),
  variants: [
    { name: 'no-cache', description: 'GetSecretValue on every invocation' },
    {
      name: 'caching-client',
      description: 'the AWS Secrets Manager caching client (TTL 1 h)',
      requests: requests('caching-client'),
    },
    {
      name: 'agent',
      description: 'the Secrets Manager Agent / Lambda extension (TTL 300 s)',
      requests: requests('agent'),
    },
  ],
})
