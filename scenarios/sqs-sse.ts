/**
 * SQS with SSE-KMS: the KMS calls SQS makes for a pipeline's queues depend on the data key reuse
 * period and on how many principals send and receive, not on the message rate.
 *
 * Source: the Amazon SQS Developer Guide, "Key management"
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html):
 * SQS reuses a data key for `KmsDataKeyReusePeriodSeconds` (60 to 86,400 s, default 300);
 * principals do not share data keys; when the period ends, a producer's next SendMessage makes
 * SQS call GenerateDataKey and Decrypt (to verify the new data key), a consumer's next
 * ReceiveMessage a Decrypt. Its estimate: R = B / D × (2P + C) calls per queue (B the billing
 * period, D the reuse period, P producing and C consuming principals), which "can give you a very
 * good idea of expected costs, actual costs might be higher because of the distributed nature
 * of Amazon SQS". The calls go through SQS as the producer or consumer (`kms:ViaService`
 * `sqs.us-east-1.amazonaws.com`; the report's "who uses the quota" names `sqs.amazonaws.com`)
 * and count against the caller's account.
 *
 * The workload: 10 queues of an order pipeline, 3 producer roles sending 120 messages/s and 2
 * consumer roles receiving 80 batches/s, for 10 minutes. By the formula, per queue
 * 600 / 300 × (2 × 3 + 2) = 16 calls at the default reuse period: 160 in all (60 GenerateDataKey,
 * 100 Decrypt) for 120,000 requests. Variants: the default 300 s; the minimum 60 s (5× the
 * calls: 800); the maximum 24 h (one period: 80); and one producer role per tenant (100 tenants,
 * as a role with a different session policy per tenant is a distinct requester to SQS), where
 * the calls grow with the principals: 600 / 300 × (2 × 100 + 2) × 10 = 4,040, 25 times the
 * default's for the same messages.
 *
 * Run: npx kms-bench run scenarios/sqs-sse.ts
 */
import { defineScenario } from 'kms-bench'

const ACCOUNT = '111122223333'
const PRODUCERS = ['orders-api', 'billing', 'inventory'].map((r) => `arn:aws:iam::${ACCOUNT}:role/${r}`)
const CONSUMERS = ['fulfilment', 'analytics'].map((r) => `arn:aws:iam::${ACCOUNT}:role/${r}`)
const TENANT_PRODUCERS = Array.from({ length: 100 }, (_, t) => `arn:aws:iam::${ACCOUNT}:role/tenant-${t}-producer`)

/** The pipeline's sends and receives with a given reuse period and producers. */
const requests = (kmsDataKeyReusePeriodSeconds: number, producers: string[] = PRODUCERS) => [
  {
    kind: 'sqs-send' as const,
    key: 'queues',
    queue: 'orders',
    queues: 10,
    principals: producers,
    kmsDataKeyReusePeriodSeconds,
    weight: 3,
  },
  {
    kind: 'sqs-receive' as const,
    key: 'queues',
    queue: 'orders',
    queues: 10,
    principals: CONSUMERS,
    kmsDataKeyReusePeriodSeconds,
    weight: 2,
  },
]

export default defineScenario({
  name: 'sqs-sse',
  description: 'SQS SSE-KMS queues: KMS calls per data key reuse period and principal, not per message',
  region: 'us-east-1',
  duration: '10m',
  seed: 41,
  keys: [{ name: 'queues', alias: 'alias/order-queues' }],
  principals: [...PRODUCERS, ...CONSUMERS, ...TENANT_PRODUCERS],
  fleet: { hosts: 20 },
  arrivals: { shape: 'constant', rate: 200 },
  requests: requests(300),
  variants: [
    { name: 'reuse-300s', description: 'the default KmsDataKeyReusePeriodSeconds (5 minutes)' },
    { name: 'reuse-60s', description: 'the minimum reuse period (1 minute)', requests: requests(60) },
    { name: 'reuse-24h', description: 'the maximum reuse period (24 hours)', requests: requests(86_400) },
    {
      name: 'role-per-tenant',
      description: 'one producer role per tenant (100), the default reuse period',
      requests: requests(300, TENANT_PRODUCERS),
    },
  ],
})
