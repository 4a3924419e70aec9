/**
 * A retry storm: client retries turn a short burst into a longer outage.
 *
 * Sources: the AWS SDK's retry strategies (`@smithy/util-retry`: standard mode, 3 attempts,
 * full-jitter backoff from the throttling base delay, 500 ms in long-lived versions and
 * 1,000 ms in the installed one, whose values the retry layer reads; a 500-token retry quota
 * per client; adaptive mode's client-side rate limiter; kms-facts.md §2.3–2.4) and KMS's fixed
 * one-second quota windows (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html).
 *
 * A fleet of 200 hosts runs at 9,000 GenerateDataKey/s, just under eu-north-1's 10,000/s
 * quota, with a 10-second burst to 14,000/s every minute. Without retries, only the burst's
 * excess is throttled, only during the burst. With the SDK's retries, the throttled calls
 * come back in the next seconds on top of the 9,000/s: the quota stays exceeded after the
 * burst ends, more calls are made (retry amplification), latency grows by the backoff, and
 * many retried requests fail anyway. More attempts make it worse; adaptive mode's limiter
 * slows each client after a throttle: far fewer calls and throttles, paid for with requests
 * queued in the clients (its latency percentiles show it).
 *
 * Variants: no retries; the SDK default (standard, 3 attempts); standard with 10 attempts;
 * adaptive (3 attempts).
 *
 * Run: npx kms-bench run scenarios/retry-storm.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'retry-storm',
  description: 'Bursts over the quota, with and without SDK retries (standard, 10 attempts, adaptive)',
  region: 'eu-north-1',
  duration: '3m',
  seed: 17,
  keys: [{ name: 'tokens', alias: 'alias/tokens' }],
  principals: ['arn:aws:iam::111122223333:role/token-service'],
  fleet: { hosts: 200 },
  arrivals: { shape: 'spike', base: 9_000, peak: 14_000, at: '20s', duration: '10s', every: '60s' },
  requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'tokens' }],
  variants: [
    {
      name: 'no-retries',
      description: 'retries off: the throttling the quota alone causes',
      retry: { mode: 'none', maxAttempts: 1 },
    },
    {
      name: 'standard',
      description: 'SDK default: standard retries, 3 attempts',
      retry: { mode: 'standard', maxAttempts: 3 },
    },
    {
      name: 'standard-10-attempts',
      description: 'standard retries, maxAttempts 10',
      retry: { mode: 'standard', maxAttempts: 10 },
    },
    {
      name: 'adaptive',
      description: 'adaptive retry mode: client-side rate limiter',
      retry: { mode: 'adaptive', maxAttempts: 3 },
    },
  ],
})
