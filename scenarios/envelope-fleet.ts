/**
 * Envelope encryption in a service fleet.
 *
 * 60 hosts of an order service encrypt every record they write with a fresh data key
 * (GenerateDataKey, then AES-256-GCM of the 16 KiB record locally) and decrypt records they
 * read (Decrypt of the stored encrypted data key). Each host has its own SDK client (its
 * own retry quota of 500 tokens) and, later, its own data-key cache, as real fleets do.
 *
 * Traffic follows a diurnal cycle compressed into 2 minutes: a mean of 9,000 requests/s
 * swinging ±5,000/s, so the daily peak of 14,000/s crosses the default symmetric quota of
 * 10,000/s in us-west-1 while the trough stays far below it: throttling only at peak, the
 * pattern that hides in averages.
 *
 * Variants: the SDK default; a quota increase to 15,000/s (enough headroom for this peak);
 * and no retries at all (to see the raw throttle fraction the quota causes). Data-key
 * caching (the AWS Encryption SDK's caching CMM) comes with the mitigations library.
 *
 * Run: npx kms-bench run scenarios/envelope-fleet.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'envelope-fleet',
  description: 'GenerateDataKey + local AES-GCM per record across a 60-host fleet, diurnal load',
  region: 'us-west-1',
  duration: '4m',
  seed: 11,
  keys: [{ name: 'orders', alias: 'alias/orders' }],
  principals: ['arn:aws:iam::111122223333:role/order-service'],
  fleet: { hosts: 60 },
  tenants: 1,
  arrivals: { shape: 'sine', mean: 9_000, amplitude: 5_000, period: '2m', phase: 0 },
  requests: [
    { kind: 'envelope-encrypt', key: 'orders', payloadBytes: 16_384, weight: 60 },
    { kind: 'envelope-decrypt', key: 'orders', payloadBytes: 16_384, weight: 40 },
  ],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    { name: 'quota-15k', description: 'symmetric quota raised to 15,000/s', quotas: { symmetric: 15_000 } },
    {
      name: 'no-retries',
      description: 'retries off: the throttle fraction the quota alone causes',
      retry: { mode: 'none', maxAttempts: 1 },
    },
  ],
})
