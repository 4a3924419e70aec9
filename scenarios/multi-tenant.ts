/**
 * A multi-tenant SaaS service with per-tenant encryption contexts.
 *
 * Every record is encrypted directly with KMS (Encrypt of ≤ 4 KiB) under one customer
 * managed key, with encryption context {"tenant-id": "tenant-<n>", "service": "notes"} so
 * that CloudTrail shows which tenant's data was touched and key policies can scope access
 * per tenant (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
 * 5,000 tenants, Zipf-distributed (s = 1.1): a handful of large tenants make most requests,
 * which is what makes per-tenant caches effective and per-tenant limits unfair.
 *
 * The service onboards a big customer: load steps up from 4,000/s to 7,000/s and then
 * 11,000/s (the default symmetric quota of ap-south-1 is 10,000/s), 30 hosts.
 *
 * Variants: the SDK default; adaptive retries (the client-side limiter sheds load at the
 * client); and a quota increase.
 *
 * Run: npx kms-bench run scenarios/multi-tenant.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'multi-tenant',
  description: 'direct Encrypt/Decrypt with per-tenant encryption context, Zipf tenants, stepped growth',
  region: 'ap-south-1',
  duration: '3m',
  seed: 3,
  keys: [{ name: 'tenant-data', alias: 'alias/tenant-data' }],
  principals: ['arn:aws:iam::111122223333:role/notes-api'],
  fleet: { hosts: 30 },
  tenants: { count: 5_000, distribution: { zipf: 1.1 } },
  arrivals: {
    shape: 'steps',
    steps: [
      { rate: 4_000, duration: '60s' },
      { rate: 7_000, duration: '60s' },
      { rate: 11_000, duration: '60s' },
    ],
  },
  requests: [
    {
      kind: 'encrypt',
      key: 'tenant-data',
      payloadBytes: { min: 200, max: 4_096 },
      context: { 'tenant-id': '{tenant}', service: 'notes' },
      weight: 30,
    },
    {
      kind: 'decrypt',
      key: 'tenant-data',
      payloadBytes: 1_024,
      context: { 'tenant-id': '{tenant}', service: 'notes' },
      weight: 70,
    },
  ],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    { name: 'adaptive-retry', description: 'retryMode adaptive', retry: { mode: 'adaptive', maxAttempts: 3 } },
    { name: 'quota-20k', description: 'symmetric quota raised to 20,000/s', quotas: { symmetric: 20_000 } },
  ],
})
