/**
 * A generated CloudTrail log of the busiest three minutes of a realistic day, as CloudTrail
 * delivers it to S3 (gzipped `{"Records": [...]}` files per five minutes), for
 * `kms-bench import-cloudtrail`. Nothing here is a real log.
 *
 * Account 111122223333, us-east-1, one customer managed key:
 * - S3 encrypting and decrypting objects for the user Alice (SSE-KMS: `invokedBy: s3.amazonaws.com`),
 *   5 calls/s, 5,000 distinct objects;
 * - a Lambda fleet (3 functions, 2 Decrypt/s each) that cold-starts together at 09:00:30 when a
 *   deployment lands: 30 calls/s more for 3 seconds;
 * - a consumer in account 444455556666 decrypting cross-account, 1/s (its own quota).
 *
 * A scale model: the log has 1/500 of a 10,000/s account's traffic, so it is replayed against
 * a 20/s quota (`--quota symmetric=20`). The minute averages stay under 80 % of the quota (the
 * Service Quotas alarm stays silent) while the cold start throttles for 3 seconds.
 *
 * Run: npx tsx examples/cloudtrail-day/generate.ts logs/
 *      npx kms-bench import-cloudtrail logs/ --out replay/
 *      npx kms-bench run replay/scenario.ts --quota symmetric=20
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { generateKmsTrail, packTrailFiles } from '../../src/index.ts'

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/0c1d2e3f-4a5b-4c6d-8e7f-0123456789ab'
/** The log's start (the morning peak) and length. */
export const START = '2026-05-20T08:59:00Z'
export const SECONDS = 180
/** Second of the Lambda cold start, and its length. */
export const COLD_START = 90
const COLD_SECONDS = 3

/** The records of the example day. */
export function exampleDay(): Record<string, unknown>[] {
  const lambda = (name: string) => ({
    kind: 'lambda' as const,
    identity: 'arn:aws:iam::111122223333:role/image-pipeline',
    functionName: name,
    keyArn: KEY,
    operations: { Decrypt: 1 },
    rate: (s: number) => 2 + (s >= COLD_START && s < COLD_START + COLD_SECONDS ? 10 : 0),
    contexts: 3,
  })
  return generateKmsTrail({
    start: START,
    seconds: SECONDS,
    seed: 2026,
    quota: 20,
    actors: [
      {
        kind: 's3',
        identity: 'arn:aws:iam::111122223333:user/Alice',
        keyArn: KEY,
        operations: { GenerateDataKey: 1, Decrypt: 2 },
        rate: () => 5,
        contexts: 5000,
      },
      lambda('resize'),
      lambda('thumbnail'),
      lambda('watermark'),
      {
        kind: 'role',
        identity: 'arn:aws:iam::444455556666:role/analytics-reader',
        keyArn: KEY,
        operations: { Decrypt: 1 },
        rate: () => 1,
        contexts: 10,
      },
    ],
  })
}

/** Writes the log files under `dir`; returns their paths. */
export function writeExampleDay(dir: string): string[] {
  return packTrailFiles(exampleDay()).map((f) => {
    const path = join(dir, f.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, f.bytes)
    return path
  })
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = process.argv[2]
  if (out === undefined) {
    process.stderr.write('usage: npx tsx examples/cloudtrail-day/generate.ts OUTDIR\n')
    process.exit(2)
  }
  for (const p of writeExampleDay(out)) process.stdout.write(`${p}\n`)
}
