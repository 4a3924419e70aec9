/**
 * A cold-start cache stampede: a deploy replaces the whole fleet, every host starts with an
 * empty data-key cache, and the concurrent requests on each cold entry all call KMS.
 *
 * Sources: users' reports of the stampede (aws/aws-encryption-sdk-javascript#1663 and #1665,
 * fixed by #1664; aws/aws-encryption-sdk#842 → aws-encryption-sdk-java#2176); the caching
 * CMM's local cache (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/data-key-caching.html);
 * the Material Providers Library's storm tracking cache
 * (awslabs/aws-encryption-sdk-specification `framework/storm-tracking-cryptographic-materials-cache.md`:
 * grace period 10 s, grace interval 1 s, fan-out 20, in-flight TTL 20 s, sleep 20 ms).
 *
 * 200 hosts encrypt 16 KiB records for 50 tenants (one cache entry per host and tenant:
 * 10,000 entries) at 50,000 requests/s in us-west-1 (symmetric quota 10,000/s). Filling the
 * caches alone takes a second of the whole quota; every request on an entry whose
 * GenerateDataKey is throttled and backing off misses too, and its own call is throttled in
 * turn: the plain cache turns a cold start into a retry storm. Single-flight makes the misses
 * of one entry wait for the first one's call (retries included); storm tracking lets one
 * request per entry call KMS per grace interval, the others wait (up to the in-flight TTL), and
 * refreshes hot entries 10 s before they expire, so they never go cold again.
 *
 * Variants: the plain cache (the caching CMM's behaviour); the cache with single-flight; the
 * storm tracking cache; no cache.
 *
 * Run: npx kms-bench run scenarios/cold-start-stampede.ts
 */
import { dataKeyCache, defineScenario, stormTrackingCache } from 'kms-bench'

export default defineScenario({
  name: 'cold-start-stampede',
  description: 'a fleet restarting with cold data-key caches: plain cache vs single-flight vs storm tracking',
  region: 'us-west-1',
  duration: '60s',
  seed: 29,
  latency: 'aws',
  keys: [{ name: 'records', alias: 'alias/records' }],
  principals: ['arn:aws:iam::111122223333:role/records-api'],
  fleet: { hosts: 400 },
  tenants: 50,
  arrivals: { shape: 'constant', rate: 50_000 },
  requests: [{ kind: 'envelope-encrypt', key: 'records', payloadBytes: 16_384, context: { tenant: '{tenant}' } }],
  variants: [
    { name: 'plain-cache', description: 'caching CMM, 30 s', mitigations: [dataKeyCache({ maxAge: '30s' })] },
    {
      name: 'single-flight',
      description: 'caching CMM with concurrent misses sharing one call',
      mitigations: [dataKeyCache({ maxAge: '30s', singleFlight: true })],
    },
    {
      name: 'storm-tracking',
      description: 'MPL storm tracking cache, spec defaults',
      mitigations: [stormTrackingCache({ maxAge: '30s' })],
    },
    { name: 'no-cache', description: 'a GenerateDataKey per record' },
  ],
})
