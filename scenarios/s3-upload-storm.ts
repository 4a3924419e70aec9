/**
 * S3 SSE-KMS upload storm.
 *
 * A media pipeline writes objects to one bucket encrypted with SSE-KMS under a customer
 * managed key, while readers keep fetching. With SSE-KMS and no Bucket Key, S3 calls KMS on
 * the caller's behalf for every request: GenerateDataKey per PUT, Decrypt per GET, with
 * encryption context {"aws:s3:arn": "arn:aws:s3:::<bucket>/<key>"} and kms:ViaService
 * s3.<region>.amazonaws.com, and every call counts against the *caller's* account quota
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html#rps-from-service).
 *
 * The storm: a nightly ingest backlog is flushed by 40 uploader hosts, lifting PUTs from
 * 2,000/s to 14,000/s for 40 seconds, twice. In eu-north-1 the shared symmetric quota is
 * 10,000/s, so GETs and PUTs are throttled together: readers suffer for the writers' burst.
 * S3 surfaces those throttles as 503 SlowDown and the S3 SDK retries the whole request; the
 * host's SDK retry layer here models those retries.
 *
 * Variants: the SDK's default standard retries; the adaptive retry mode (its client-side
 * limiter slows each host after a throttle); and a quota increase to 30,000/s (what a Service
 * Quotas request would buy). S3 Bucket Keys (one KMS call per bucket key lifetime and
 * requester instead of one per object) come with the mitigations library.
 *
 * Run: npx kms-bench run scenarios/s3-upload-storm.ts
 */
import { defineScenario } from 'kms-bench'

export default defineScenario({
  name: 's3-upload-storm',
  description: 'SSE-KMS PUT burst (GenerateDataKey per object) competing with GETs (Decrypt) for one account quota',
  region: 'eu-north-1',
  duration: '3m',
  seed: 7,
  accounts: [{ id: '111122223333', name: 'media' }],
  keys: [{ name: 'media-objects', alias: 'alias/media-objects' }],
  principals: ['arn:aws:iam::111122223333:role/uploader'],
  fleet: { hosts: 40 },
  // 2,600/s baseline (2,000 PUT + 600 GET at the 77/23 mix below), bursts to about 18,000/s.
  arrivals: { shape: 'spike', base: 2_600, peak: 18_200, at: '30s', duration: '40s', every: '90s' },
  requests: [
    // Uploads: 8 MiB objects, 100,000 distinct keys.
    {
      kind: 's3-put',
      key: 'media-objects',
      bucket: 'media-ingest',
      objects: 100_000,
      prefix: 'raw/',
      payloadBytes: 8_388_608,
      weight: 77,
    },
    // Reads of 2,000 hot objects (thumbnails served to users).
    {
      kind: 's3-get',
      key: 'media-objects',
      bucket: 'media-ingest',
      objects: 2_000,
      prefix: 'thumbs/',
      payloadBytes: 65_536,
      weight: 23,
    },
  ],
  variants: [
    { name: 'baseline', description: 'SDK default: standard retries, 3 attempts' },
    {
      name: 'adaptive-retry',
      description: 'retryMode adaptive: client-side rate limiter per host',
      retry: { mode: 'adaptive', maxAttempts: 3 },
    },
    {
      name: 'quota-30k',
      description: 'symmetric quota raised to 30,000/s through Service Quotas',
      quotas: { symmetric: 30_000 },
    },
  ],
  assumptions: ['S3 retries of throttled SSE-KMS requests are modelled as the host retrying the KMS call S3 makes.'],
})
