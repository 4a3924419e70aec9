/**
 * A nightly batch re-encryption.
 *
 * After a key rotation policy change, a batch job moves every stored ciphertext from the
 * old key (alias/records-2024) to the new one (alias/records-2025) with ReEncrypt, which
 * decrypts and re-encrypts inside KMS so the plaintext never leaves it
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html). ReEncrypt uses the
 * shared symmetric quota.
 *
 * The batch scales out its 20 workers at night: 1,500/s while warming up, then 16,000/s
 * for two minutes (the default symmetric quota of ca-central-1 is 10,000/s), then tails off.
 * Batch jobs are where client-side rate limiting shines: a throttled batch only needs to
 * finish, not to answer fast.
 *
 * Variants: the SDK default (3 attempts: many records fail and must be re-queued); the
 * adaptive retry mode with 10 attempts (the limiter finds the quota and nearly every record
 * goes through, more slowly); and a temporary quota increase for the night.
 *
 * Run: npx kms-bench run scenarios/nightly-reencrypt.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'nightly-reencrypt',
  description: 'ReEncrypt of stored records from the old key to the new one by a scaled-out batch',
  region: 'ca-central-1',
  duration: '3m',
  seed: 5,
  keys: [
    { name: 'records-2024', alias: 'alias/records-2024', rotations: 2 },
    { name: 'records-2025', alias: 'alias/records-2025' },
  ],
  principals: ['arn:aws:iam::111122223333:role/reencrypt-batch'],
  fleet: { hosts: 20 },
  tenants: 1_000,
  arrivals: {
    shape: 'steps',
    steps: [
      { rate: 1_500, duration: '30s' },
      { rate: 16_000, duration: '2m' },
      { rate: 2_000, duration: '30s' },
    ],
  },
  requests: [
    {
      kind: 'op',
      operation: 'ReEncrypt',
      key: 'records-2024',
      context: { 'record-set': '{tenant}' },
      payloadBytes: 512,
      input: { DestinationKeyId: 'alias/records-2025' },
    },
  ],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    {
      name: 'adaptive-10',
      description: 'retryMode adaptive with 10 attempts: the batch paces itself',
      retry: { mode: 'adaptive', maxAttempts: 10 },
    },
    { name: 'quota-20k', description: 'a temporary quota increase to 20,000/s', quotas: { symmetric: 20_000 } },
  ],
})
