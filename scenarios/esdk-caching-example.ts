/**
 * The AWS Encryption SDK's data key caching example, reproduced.
 *
 * Source: "AWS Encryption SDK data key caching example"
 * (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/sample-cache-example.html,
 * kms-facts.md §5.4). Producers encrypt records into a Kinesis stream with the Encryption SDK;
 * each producer has its own local cache. In each Region, 500 producers encrypting 1 record/s
 * make 500 GenerateDataKey requests/s without a cache; with a cache whose data keys are used
 * for 100 messages (max age 300 s) they make 5/s: 1% of the calls.
 *
 * The model: 500 application hosts (the producers), 1 record/s each, envelope encryption with
 * the Encryption SDK's caching CMM semantics (`dataKeyCache`): max age 300 s, 100 messages
 * per data key, a cache of 100 entries per producer. One Region of the example is modelled
 * (its GenerateDataKey calls); the example's second keyring Region adds an Encrypt call per
 * data key there, reduced in the same proportion.
 *
 * Expected: no-cache 500 GenerateDataKey/s; cached exactly 5/s (each data key protects 100
 * records, which take 100 s at 1 record/s, within the 300 s max age).
 *
 * Run: npx kms-bench run scenarios/esdk-caching-example.ts
 */
import { dataKeyCache, defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'esdk-caching-example',
  description: "The Encryption SDK's caching example: 500 producers at 1 record/s, 100 messages per data key",
  region: 'us-west-2',
  duration: '10m',
  seed: 5,
  keys: [{ name: 'producer-key', alias: 'alias/esdk-producer' }],
  principals: ['arn:aws:iam::111122223333:role/kinesis-producer'],
  fleet: { hosts: 500 },
  // 500 producers × 1 record/s; uniform arrivals give each producer exactly one per second.
  arrivals: { shape: 'constant', rate: 500 },
  requests: [
    { kind: 'envelope-encrypt', key: 'producer-key', payloadBytes: 1024, context: { stream: 'esdk-example-stream' } },
  ],
  variants: [
    { name: 'no-cache', description: 'one GenerateDataKey per record' },
    {
      name: 'cached',
      description:
        "caching CMM per producer: max age 300 s, 100 messages per data key, 100 entries (the example's values)",
      mitigations: [dataKeyCache({ maxAge: '300s', maxMessagesEncrypted: 100, capacity: 100 })],
    },
  ],
  assumptions: [
    "Only the example's GenerateDataKey Region is modelled; its second-Region Encrypt calls scale the same way.",
  ],
})
