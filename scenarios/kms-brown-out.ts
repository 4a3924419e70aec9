/**
 * A KMS brown-out: for 3 seconds every call fails with a server error, as in an incident where
 * KMS answered 5xx (KMSInternalException, HTTP 500, on 60 % of calls; DependencyTimeoutException,
 * HTTP 503, on the rest), and what the SDK's retries make of it: a retry storm that outlasts
 * the brown-out as throttling, or a bounded number of extra calls.
 *
 * Sources: AWS KMS common errors (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html:
 * 500 and 503 are retryable server errors); the SDKs' retry strategies (kms-facts.md §2.3–2.4;
 * `src/load/client/sdk-models.ts`): JavaScript v3 standard mode (3 attempts, full-jitter backoff
 * from a 50 ms base for transient errors in the installed `@smithy/util-retry`, a 500-token
 * retry quota per client of which a transient retry takes 14 and a throttled one 5, refunded
 * on success); boto3's default legacy mode (`data/_retry.json`: 5 attempts, `rand · 2^(n-1)` s,
 * no retry quota, 500/503 and throttles retried); adaptive mode (standard plus a client-side
 * rate limiter that slows down on throttles); and KMS's one-second quota windows
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). AWS FIS
 * cannot inject this into KMS (its API-error actions cover EC2 and Kinesis only:
 * https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html).
 *
 * A fleet of 100 hosts calls GenerateDataKey at 6,000/s, 60 % of eu-north-1's 10,000/s quota;
 * the brown-out runs from 0:08 to 0:11. Without retries the 18,000 requests of the window fail
 * and nothing else happens. With JavaScript's standard retries each host's retry quota lets 35
 * retries through (35 × 14 = 490 of 500 tokens) and no more until KMS answers again: 3,500
 * extra calls in all, the same 18,000 requests lost, no throttling; the quota absorbs it. With
 * boto3's legacy retries nothing stops them: every failed call comes back up to four times over
 * the next 15 seconds, the retries stack on the 6,000/s past the quota, and the brown-out turns
 * into throttling after KMS is healthy again, with far more calls. Adaptive mode spends the
 * same retry quota as standard.
 *
 * Variants: no retries; JavaScript v3 standard (the SDK default); boto3 legacy (boto3's
 * default); JavaScript v3 adaptive.
 *
 * Run: npx kms-bench run scenarios/kms-brown-out.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'kms-brown-out',
  description: 'A 3-second KMS brown-out (500/503 on every call): retry storm or absorbed, per SDK retry mode',
  region: 'eu-north-1',
  duration: '30s',
  seed: 23,
  keys: [{ name: 'data', alias: 'alias/data' }],
  principals: ['arn:aws:iam::111122223333:role/api'],
  fleet: { hosts: 100 },
  arrivals: { shape: 'constant', rate: 6_000 },
  requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'data' }],
  // The first matching fault whose draw hits applies: 60 % KMSInternalException, the other 40 % DependencyTimeoutException.
  faults: [
    { kind: 'KMSInternalException', percent: 60, start: 8, duration: 3 },
    { kind: 'DependencyTimeoutException', percent: 100, start: 8, duration: 3 },
  ],
  variants: [
    { name: 'no-retries', description: 'retries off: the brown-out alone', client: { sdk: 'js-v3', mode: 'none' } },
    {
      name: 'js-standard',
      description: 'JavaScript v3 default: standard, 3 attempts, retry quota',
      client: { sdk: 'js-v3', mode: 'standard' },
    },
    {
      name: 'boto3-legacy',
      description: 'boto3 default: legacy, 5 attempts, no retry quota',
      client: { sdk: 'boto3', mode: 'legacy' },
    },
    {
      name: 'js-adaptive',
      description: 'JavaScript v3 adaptive: standard plus a client-side rate limiter',
      client: { sdk: 'js-v3', mode: 'adaptive' },
    },
  ],
})
