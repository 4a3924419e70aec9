/**
 * Builds the report fixtures (`src/report/fixtures/*.summary.json`) with the real load engine:
 * small scenarios run in deterministic virtual time on the embedded core, so the figures the
 * renderer tests read (counts, latency histograms, quota pools, cost, exposure, findings) are
 * what kms-bench produces, not a model of it. The same code and seed give the same summary on
 * any machine, so `test/report-fixtures.test.ts` checks the committed files against this code
 * and regenerates them (`UPDATE_FIXTURES=1 npx vitest run test/report-fixtures.test.ts`).
 *
 * It lives beside the tests, not in `src/report/`: it runs scenarios with mitigations, and
 * `report/` may import neither (see `test/architecture.test.ts`); reports are pure renderers.
 */
import {
  dataKeyCache,
  defineScenario,
  evaluateThresholds,
  quotaIncrease,
  type RunSummary,
  runScenario,
  type ScenarioInput,
  s3BucketKeys,
  scenarioThresholds,
  sdkRetry,
} from '../../src/index.ts'

/** A fixed environment: the fixtures must not depend on the machine that made them. */
const ENVIRONMENT: RunSummary['environment'] = {
  node: 'v20.19.0',
  platform: 'linux',
  arch: 'x64',
  cpus: 2,
  packages: {
    '@aws-sdk/client-kms': '3.1164.0',
    '@smithy/util-retry': '4.6.2',
    '@smithy/node-http-handler': '4.14.2',
    'hdr-histogram-js': '3.0.1',
  },
}

type RunOptions = NonNullable<Parameters<typeof runScenario>[1]>

/** Runs a scenario in virtual time and evaluates its thresholds, as `kms-bench run` does. */
async function run(input: ScenarioInput, options: RunOptions = {}): Promise<RunSummary> {
  const scenario = defineScenario(input)
  const summary = await runScenario(scenario, {
    clock: 'virtual',
    retryLayer: sdkRetry,
    environment: ENVIRONMENT,
    toolVersion: '0.1.0',
    ...options,
  })
  const ran = summary.variants.map((v) => v.name)
  const thresholds = scenarioThresholds(scenario).filter((t) => t.variant === undefined || ran.includes(t.variant))
  return { ...summary, thresholds: evaluateThresholds(summary, thresholds) }
}

/**
 * The upload service of the main fixture: each upload is an S3 PUT with SSE-KMS (S3 calls
 * GenerateDataKey on the caller's behalf) or a GET (Decrypt), and the service envelope-encrypts
 * records client-side (GenerateDataKey, Decrypt) on the same customer managed key. Each half
 * alone stays under eu-north-1's 10,000/s symmetric quota; together they ramp from 9,000/s to
 * 14,000/s and throttle. 8 hosts, AWS-like service times (`latency: 'aws'`). The fixtures run
 * it as a scale model (rates and quotas × 0.1, × 0.01 for the single variant), which keeps them
 * quick to make; throttle fractions match the full-size system.
 */
function uploads(): ScenarioInput {
  return {
    name: 's3-sse-kms-uploads',
    description:
      'S3 uploads with SSE-KMS and client-side envelope encryption on one customer managed key, ramping from 9,000 to 14,000 requests/s against the 10,000/s symmetric quota.',
    region: 'eu-north-1',
    duration: 30,
    seed: 42,
    keys: [{ name: 'data', alias: 'alias/uploads' }],
    fleet: { hosts: 8 },
    arrivals: { shape: 'ramp', from: 9_000, to: 14_000, over: 20 },
    requests: [
      { kind: 's3-put', key: 'data', bucket: 'uploads', objects: 1000, payloadBytes: 262_144, weight: 4 },
      { kind: 's3-get', key: 'data', bucket: 'uploads', objects: 1000, payloadBytes: 262_144, weight: 1 },
      { kind: 'envelope-encrypt', key: 'data', payloadBytes: 4096, weight: 4 },
      { kind: 'envelope-decrypt', key: 'data', payloadBytes: 4096, weight: 1 },
    ],
    latency: 'aws',
    thresholds: ['baseline: throttleRate < 0.01'],
    variants: [
      { name: 'baseline', description: 'SSE-KMS without Bucket Keys, no client-side cache: SDK standard retries' },
      {
        name: 'bucket-keys',
        description: 'S3 Bucket Keys on the bucket: S3 calls KMS once per requester and bucket-key lifetime',
        mitigations: [s3BucketKeys()],
        thresholds: ['throttleRate == 0', 'latencyMs.p99 < 100'],
      },
      {
        name: 'esdk-cache',
        description: 'the Encryption SDK caching CMM on each host: data keys reused for 5 s, 10,000 messages',
        mitigations: [dataKeyCache({ maxAge: 5, maxMessagesEncrypted: 10_000 })],
      },
      {
        name: 'quota-increase',
        description: 'the symmetric quota raised to 20,000/s through Service Quotas',
        mitigations: [quotaIncrease({ quotas: { symmetric: 20_000 } })],
      },
      {
        name: 'retry-adaptive',
        description: "the SDK's adaptive retry mode: a client-side rate limiter that backs off after throttling",
        retry: { mode: 'adaptive', maxAttempts: 3 },
      },
    ],
  }
}

/** The main fixture: a workload whose baseline throttles, and four mitigations (a 0.1 scale model). */
export function s3ThrottlingFixture(): Promise<RunSummary> {
  return run(uploads(), { scale: 0.1 })
}

/**
 * One variant only (no ranking), a 1 % scale model, interrupted: the run is told to stop while
 * its first variant runs (a variant this small never checks mid-run), so the second never starts.
 */
export async function singleVariantFixture(): Promise<RunSummary> {
  const u = uploads()
  const stop = new AbortController()
  return run(
    {
      ...u,
      duration: 20,
      thresholds: [],
      variants: [
        { name: 'baseline', description: 'the baseline alone' },
        { name: 'bucket-keys', mitigations: [s3BucketKeys()] },
      ],
    },
    { scale: 0.01, signal: stop.signal, onProgress: () => stop.abort() },
  )
}

/** A run in which nothing was offered: every count is zero and every histogram empty. */
export function zeroRequestsFixture(): Promise<RunSummary> {
  const u = uploads()
  return run({
    ...u,
    name: 'idle',
    description: 'A schedule that offers nothing: every report must still render with every number defined.',
    duration: 10,
    arrivals: { shape: 'constant', rate: 0 },
    thresholds: [],
    variants: (u.variants ?? []).slice(0, 2).map((v) => ({ ...v, thresholds: [] })),
  })
}

/**
 * Twenty variants (an uncached baseline and data-key caches with max ages of 1 to 19 s), to
 * check that reports stay readable. Envelope encryption at 1,200/s on 4 hosts against a quota
 * of 1,000/s (an override: small, so the fixture stays quick to make).
 */
export function manyVariantsFixture(count = 20): Promise<RunSummary> {
  return run({
    name: 'cache-ttl-sweep',
    description: 'Data-key cache max age swept from 1 s to 19 s against an uncached baseline.',
    region: 'eu-north-1',
    duration: 10,
    seed: 42,
    keys: [{ name: 'data' }],
    fleet: { hosts: 4 },
    tenants: 4,
    quotas: { symmetric: 1_000 },
    arrivals: { shape: 'constant', rate: 1_200 },
    requests: [
      { kind: 'envelope-encrypt', key: 'data', payloadBytes: 4096, weight: 3 },
      { kind: 'envelope-decrypt', key: 'data', payloadBytes: 4096, weight: 1 },
    ],
    latency: 'aws',
    variants: Array.from({ length: count }, (_, i) =>
      i === 0
        ? { name: 'baseline', description: 'no cache' }
        : {
            name: `cache-ttl-${i}s`,
            description: `data-key cache, max age ${i} s`,
            mitigations: [dataKeyCache({ maxAge: i })],
          },
    ),
  })
}

/** Every committed fixture, by file name. */
export const FIXTURES: Readonly<Record<string, () => Promise<RunSummary>>> = {
  's3-throttling.summary.json': s3ThrottlingFixture,
  'single-variant.summary.json': singleVariantFixture,
  'zero-requests.summary.json': zeroRequestsFixture,
  'many-variants.summary.json': manyVariantsFixture,
}
