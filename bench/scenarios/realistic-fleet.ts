/**
 * The bench's realistic virtual-time workload (issue 17): what a speed figure of the load
 * engine should be measured on, rather than one operation at a constant rate.
 *
 * 80 hosts of a service do envelope encryption (GenerateDataKey, then AES-256-GCM of a 16 KiB
 * record, modelled in virtual time: its result is never read) and decryption (Decrypt of the
 * stored data key). Traffic is diurnal, one "day" per simulated minute so that a one-minute
 * run already holds a whole cycle (the memory figure compares 1 and 10 minutes): a mean of
 * 1,000 requests/s swinging ±600/s, so the 1,600/s peak crosses the 1,200/s symmetric quota
 * (a scale model of a 10,000/s account at 0.12) while the trough stays far below it.
 * Latency: the `aws` model (virtual time's default). Retries: the JavaScript SDK's default.
 *
 * Variants: the SDK default (standard retries); adaptive retries (the client-side limiter,
 * whose backlog is the memory worst case); a quota increase to 1,800/s.
 *
 * Run: npx kms-bench run bench/scenarios/realistic-fleet.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'realistic-fleet',
  description: 'envelope encrypt + decrypt across 80 hosts, diurnal peak over the quota, aws latency, SDK retries',
  region: 'eu-west-2',
  duration: '5m',
  seed: 17,
  keys: [{ name: 'records', alias: 'alias/records' }],
  principals: ['arn:aws:iam::111122223333:role/record-service'],
  fleet: { hosts: 80 },
  tenants: 20,
  quotas: { symmetric: 1_200 },
  arrivals: { shape: 'sine', mean: 1_000, amplitude: 600, period: '1m' },
  requests: [
    { kind: 'envelope-encrypt', key: 'records', payloadBytes: 16_384, context: 'tenant', weight: 60 },
    { kind: 'envelope-decrypt', key: 'records', payloadBytes: 16_384, context: 'tenant', weight: 40 },
  ],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    {
      name: 'adaptive-retry',
      description: 'SDK adaptive retry mode (client-side rate limiter)',
      retry: { mode: 'adaptive', maxAttempts: 3 },
    },
    { name: 'quota-1800', description: 'symmetric quota raised to 1,800/s', quotas: { symmetric: 1_800 } },
  ],
})
