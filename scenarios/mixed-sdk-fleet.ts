/**
 * A mixed fleet on one account's quota: Python workers on boto3's default client and a
 * Node.js API on the JavaScript SDK's, both calling GenerateDataKey with one key.
 *
 * Sources: the boto3 retries guide (https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html):
 * the default mode is legacy, 5 attempts in all, exponential backoff `rand · 2^(n-1)` s, no
 * retry quota; standard mode has 3 attempts and a 500-token retry quota (5 per retry); the
 * installed botocore's `retries/standard.py` and `data/_retry.json` (checked in
 * `test/sdk-retry-boto3.test.ts` with real boto3 against kms-bench serve); the JavaScript SDK's
 * `@smithy/core/retry` (standard, 3 attempts); KMS's shared per-account quota
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
 *
 * 150 boto3 hosts and 50 JavaScript hosts share ca-central-1's 10,000 symmetric requests/s. A
 * batch pushes the total to 13,000/s for 20 s every minute. The boto3 hosts' legacy retries (up
 * to 4 per request, no retry quota to stop them, backoff growing to 8 s) keep coming back long
 * after the burst and take the quota from the JavaScript API as well: the most KMS calls and
 * the worst tail latency. Moving the Python fleet to standard mode (`retry_mode = standard`)
 * bounds the retries (fewer calls, a fraction of the p99) but gives up on more requests (3
 * attempts, then the retry quota); adaptive mode in both fleets throttles almost nothing and
 * pays for it with requests queued in the clients' rate limiters (the highest p99).
 *
 * Variants: as deployed (boto3 legacy + JS standard); boto3 on standard mode; every client
 * adaptive; no retries (the quota alone).
 *
 * Run: npx kms-bench run scenarios/mixed-sdk-fleet.ts
 */
import { defineScenario } from 'kms-bench'

const PYTHON = 'arn:aws:iam::111122223333:role/batch-workers'
const NODE = 'arn:aws:iam::111122223333:role/api'

export default defineScenario({
  name: 'mixed-sdk-fleet',
  description: 'boto3 legacy workers and JavaScript API hosts sharing one account quota',
  region: 'ca-central-1',
  duration: '2m',
  seed: 37,
  keys: [{ name: 'data', alias: 'alias/data' }],
  principals: [PYTHON, NODE],
  fleet: {
    hosts: 200,
    groups: [
      { name: 'python-workers', hosts: 150, client: { sdk: 'boto3' }, principal: PYTHON },
      { name: 'node-api', hosts: 50, client: { sdk: 'js-v3' }, principal: NODE },
    ],
  },
  arrivals: { shape: 'spike', base: 8_000, peak: 13_000, at: '10s', duration: '20s', every: '60s' },
  requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'data' }],
  variants: [
    {
      name: 'as-deployed',
      description: 'boto3 default (legacy, 5 attempts, no retry quota) + JS default (standard, 3)',
    },
    {
      name: 'boto3-standard',
      description: 'the Python fleet on retry_mode = standard (3 attempts, retry quota)',
      groupClients: { 'python-workers': { sdk: 'boto3', mode: 'standard' } },
    },
    {
      name: 'all-adaptive',
      description: 'adaptive mode in both fleets',
      groupClients: {
        'python-workers': { sdk: 'boto3', mode: 'adaptive' },
        'node-api': { sdk: 'js-v3', mode: 'adaptive' },
      },
    },
    {
      name: 'no-retries',
      description: 'no retries: what the quota alone throttles',
      client: { sdk: 'js-v3', mode: 'none' },
    },
  ],
})
