/**
 * The mitigation shoot-out: one overloaded workload, every mitigation, ranked.
 *
 * An order service (100 hosts) in eu-north-1 encrypts each record with a fresh data key
 * (GenerateDataKey, then AES-GCM locally; 10 tenants, each its own encryption context) and
 * decrypts records it reads (Decrypt). It runs at 5,000 requests/s with a burst to 18,000/s
 * for 4 s every 30 s, against the Region's shared symmetric quota of 10,000/s
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). Service
 * times follow the `aws` latency assumption (p50 15 ms).
 *
 * Variants, each with its real cost:
 * - baseline: the SDK default (standard retries, 3 attempts);
 * - adaptive-retry: the SDK's adaptive mode (client-side rate limiter);
 * - quota-increase: the symmetric quota raised to 20,000/s (a Service Quotas request);
 * - data-key-cache: the Encryption SDK's caching CMM per host (5 min, 1,000 messages per key);
 * - cache-single-flight: the same, concurrent misses of one entry sharing one KMS call;
 * - data-key-pool: each host prefetches data keys at a steady 6,500/s fleet-wide, 500 ready;
 * - multi-region: replicas of the multi-Region key in two more Regions, calls spread by load
 *   (ciphertexts are decrypted where they were made);
 * - account-sharding: the fleet split over 3 accounts, each with its own copy of the key.
 *
 * The report ranks them: throttling first, then monthly cost (requests, keys, replicas), p99
 * latency, and security exposure (messages per data key, keys held in memory).
 *
 * Run: npx kms-bench run scenarios/mitigation-shootout.ts
 */
import { accountSharding, dataKeyCache, dataKeyPool, defineScenario, multiRegion, quotaIncrease } from 'kms-bench'

export default defineScenario({
  name: 'mitigation-shootout',
  description: 'Envelope encryption bursting to 18,000/s against a 10,000/s quota: every mitigation, ranked',
  region: 'eu-north-1',
  duration: '2m',
  seed: 23,
  keys: [{ name: 'orders', alias: 'alias/orders', multiRegion: true }],
  principals: ['arn:aws:iam::111122223333:role/order-service'],
  fleet: { hosts: 100 },
  tenants: 10,
  arrivals: { shape: 'spike', base: 5_000, peak: 18_000, at: '25s', duration: '4s', every: '30s' },
  requests: [
    { kind: 'envelope-encrypt', key: 'orders', payloadBytes: 4096, weight: 9 },
    { kind: 'envelope-decrypt', key: 'orders', payloadBytes: 4096, weight: 1 },
  ],
  latency: 'aws',
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    { name: 'adaptive-retry', description: 'SDK adaptive retry mode', retry: { mode: 'adaptive', maxAttempts: 3 } },
    {
      name: 'quota-increase',
      description: 'symmetric quota raised to 20,000/s',
      mitigations: [quotaIncrease({ quotas: { symmetric: 20_000 } })],
    },
    {
      name: 'data-key-cache',
      description: 'Encryption SDK caching CMM per host: 5 min, 1,000 messages per data key',
      mitigations: [dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 1000 })],
    },
    {
      name: 'cache-single-flight',
      description: 'the same cache; concurrent misses of one entry share one KMS call',
      mitigations: [dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 1000, singleFlight: true })],
    },
    {
      name: 'data-key-pool',
      description: 'prefetched data keys: 6,500/s fleet-wide, 500 ready per host',
      mitigations: [dataKeyPool({ ratePerSecond: 6_500, size: 500 })],
    },
    {
      name: 'multi-region',
      description: 'multi-Region key replicas in eu-west-3 and eu-south-1, calls spread by load',
      mitigations: [multiRegion({ regions: ['eu-west-3', 'eu-south-1'] })],
    },
    {
      name: 'account-sharding',
      description: 'fleet split over 3 accounts, a key copy in each',
      mitigations: [accountSharding({ shards: 3 })],
    },
  ],
})
