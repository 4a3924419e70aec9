/**
 * S3 Bucket Keys: how many KMS calls SSE-KMS costs with and without a bucket-level key.
 *
 * Source: "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html, kms-facts.md §4).
 * Without a bucket key, S3 calls KMS on the requester's behalf for every request:
 * GenerateDataKey per PUT, Decrypt per GET (context: the object ARN). With one, S3 gets a
 * short-lived bucket-level key per (bucket, KMS key, requester) and derives object keys from
 * it locally: AWS says this "can reduce AWS KMS request costs by up to 99 percent", and that
 * the savings depend on the number of requesters (each has its own bucket key, and must
 * decrypt the bucket keys of the objects others wrote) and on the objects' age.
 *
 * The workload: 100 application hosts write and read one bucket's 20,000 objects (300 PUTs/s,
 * 700 GETs/s of 1 MiB objects) for 10 minutes. Variants: no bucket key; a bucket key with one
 * requester (one application role, as AWS's best case); and 10 and 100 requesters (roles, or
 * one role with different session policies), where the saving shrinks.
 *
 * The bucket key's lifetime is not published: the default (5 minutes) is an assumption the
 * report states. Objects that existed before the run were written under one bucket key.
 *
 * Run: npx kms-bench run scenarios/s3-bucket-keys.ts
 */
import { defineScenario, s3BucketKeys } from 'kms-bench'

export default defineScenario({
  name: 's3-bucket-keys',
  description: 'SSE-KMS PUT and GET traffic with and without S3 Bucket Keys, 1, 10 and 100 requesters',
  region: 'us-east-2',
  duration: '10m',
  seed: 3,
  keys: [{ name: 'bucket-key', alias: 'alias/media-bucket' }],
  principals: ['arn:aws:iam::111122223333:role/media-app'],
  fleet: { hosts: 100 },
  arrivals: { shape: 'constant', rate: 1000 },
  requests: [
    {
      kind: 's3-put',
      key: 'bucket-key',
      bucket: 'media-assets',
      objects: 20_000,
      prefix: 'assets/',
      payloadBytes: 1_048_576,
      weight: 3,
    },
    {
      kind: 's3-get',
      key: 'bucket-key',
      bucket: 'media-assets',
      objects: 20_000,
      prefix: 'assets/',
      payloadBytes: 1_048_576,
      weight: 7,
    },
  ],
  variants: [
    { name: 'no-bucket-key', description: 'SSE-KMS: one KMS call per PUT and per GET' },
    {
      name: 'bucket-key',
      description: 'S3 Bucket Key, one requester (one application role)',
      mitigations: [s3BucketKeys()],
    },
    {
      name: 'bucket-key-10-requesters',
      description: 'S3 Bucket Key, 10 requesters (roles or session policies)',
      mitigations: [s3BucketKeys({ requesters: 10 })],
    },
    {
      name: 'bucket-key-100-requesters',
      description: 'S3 Bucket Key, 100 requesters (one per host)',
      mitigations: [s3BucketKeys({ requesters: 100 })],
    },
  ],
})
