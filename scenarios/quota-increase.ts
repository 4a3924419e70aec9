/**
 * A quota increase: what value removes the throttling, and the Service Quotas request.
 *
 * Source: KMS request quotas and how to raise them
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/increase-quota.html; kms-facts.md §1).
 * eu-north-1's shared symmetric quota is 10,000 requests/s. A payments service (80 hosts,
 * envelope encryption, one GenerateDataKey per record) runs at 8,000 records/s with a
 * 13,000/s burst for 20 s every minute: throttled in every burst.
 *
 * Variants: the SDK default (standard retries), a quota increase to 15,000/s (enough), and one
 * to 12,000/s (not enough). Each quota-increase variant measures the peak demand per second of
 * each pool (first attempts: retries would vanish with enough quota) and reports which quota
 * removes the throttling and the Service Quotas request: "Cryptographic operations
 * (symmetric) request rate", current value, value to request, and the AWS CLI command.
 *
 * Run: npx kms-bench run scenarios/quota-increase.ts
 */
import { defineScenario, quotaIncrease } from 'kms-bench'

export default defineScenario({
  name: 'quota-increase',
  description: 'Bursts to 13,000 GenerateDataKey/s against a 10,000/s quota; quota increases to 12,000 and 15,000',
  region: 'eu-north-1',
  duration: '3m',
  seed: 13,
  keys: [{ name: 'payments', alias: 'alias/payments' }],
  principals: ['arn:aws:iam::111122223333:role/payments'],
  fleet: { hosts: 80 },
  arrivals: { shape: 'spike', base: 8_000, peak: 13_000, at: '30s', duration: '20s', every: '60s' },
  requests: [{ kind: 'envelope-encrypt', key: 'payments', payloadBytes: 2048 }],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    {
      name: 'quota-15k',
      description: 'symmetric quota raised to 15,000/s through Service Quotas',
      mitigations: [quotaIncrease({ quotas: { symmetric: 15_000 } })],
    },
    {
      name: 'quota-12k',
      description: 'symmetric quota raised to 12,000/s: not enough',
      mitigations: [quotaIncrease({ quotas: { symmetric: 12_000 } })],
    },
  ],
})
