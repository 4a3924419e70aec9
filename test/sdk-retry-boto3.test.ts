/**
 * Cross-check of the boto3 retry model (`src/load/client/sdk-models.ts`) against real boto3 on
 * this machine: a sequence of Encrypt calls in legacy, standard and adaptive mode against
 * `kms-bench serve --quota symmetric=2`, with botocore's backoff sleeps recorded instead of
 * slept, so most attempts land in a throttled one-second window. The server's audit log shows
 * every attempt of every request (grouped by the request's encryption context); replaying those
 * outcomes through the model must give the same attempts per request, and the same requests
 * refused by an empty retry quota, as boto3 made and reported. Skips, saying why, where python3
 * or boto3 is missing.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BOTO3_LEGACY_STATUS,
  BOTO3_LEGACY_THROTTLING_CODES,
  BOTO3_THROTTLING_CODES,
  replayRequests,
  sdkRetryModel,
} from '../src/load/client/sdk-models.ts'
import type { SdkRetryMode } from '../src/load/scenario/index.ts'
import { pythonUnavailableReason } from './support/moto.ts'
import { startServeChild, type ServeChild } from './support/serve-child.ts'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('./support/boto3_retry_calls.py', import.meta.url))
const pythonReason = pythonUnavailableReason()
if (pythonReason !== undefined) console.warn(`sdk-retry-boto3: boto3 cross-check skipped: ${pythonReason}`)

interface Boto3Request {
  req: number
  error: string | null
  retryAttempts: number | null
  quotaReached: boolean
  maxAttemptsReached: boolean
  sleeps: number[]
}
interface Boto3Run {
  botocore: string
  keyId: string
  newRetries2026: boolean
  legacy: { maxAttempts: number; delay: Record<string, unknown>; codes: string[]; statusOnly: number[] }
  standard: {
    maxAttempts: number
    quota: number
    retryCost: number
    timeoutCost: number
    noRetryIncrement: number
    maxBackoff: number
    throttlingCodes: string[]
  }
  requests: Boto3Request[]
}

let dir: string
let server: ServeChild
let auditFile: string

beforeAll(async () => {
  if (pythonReason !== undefined) return
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-boto3-retry-'))
  auditFile = join(dir, 'audit.jsonl')
  server = await startServeChild(['--quota', 'symmetric=2', '--audit', auditFile])
})
afterAll(async () => {
  await server?.stop('SIGKILL').catch(() => {})
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

async function boto3(mode: SdkRetryMode, count: number): Promise<Boto3Run> {
  const { stdout } = await run('python3', [SCRIPT, server.url, mode, String(count)], { timeout: 120_000 })
  return JSON.parse(stdout) as Boto3Run
}

/** The attempt outcomes of each request of the last run, from the audit log (oldest first). */
async function auditOutcomes(keyId: string, count: number): Promise<({ name: string } | undefined)[][]> {
  const events = (await readFile(auditFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  const byReq: ({ name: string } | undefined)[][] = Array.from({ length: count }, () => [])
  for (const e of events) {
    const p = e['requestParameters'] as { keyId?: string; encryptionContext?: { req?: string } } | null
    if (e['eventName'] !== 'Encrypt' || p?.keyId !== keyId) continue
    const code = e['errorCode'] as string | undefined
    byReq[Number(p?.encryptionContext?.req)]?.push(code === undefined ? undefined : { name: code })
  }
  return byReq
}

async function crossCheck(mode: SdkRetryMode, count: number): Promise<{ real: Boto3Run; quotaRefused: number[] }> {
  const real = await boto3(mode, count)
  expect(real.newRetries2026).toBe(false)
  const outcomes = await auditOutcomes(real.keyId, count)
  const model = sdkRetryModel('boto3', { mode })
  const replay = replayRequests(model, outcomes)
  // Attempts per request: the audit log (server side), boto3's own RetryAttempts, and the model agree.
  expect(outcomes.map((o) => o.length)).toEqual(real.requests.map((r) => (r.retryAttempts ?? 0) + 1))
  expect(replay.map((r) => r.attempts)).toEqual(outcomes.map((o) => o.length))
  // The requests refused for an empty retry quota are the same.
  const quotaRefused = replay.flatMap((r, i) => (r.refusal === 'quota' ? [i] : []))
  expect(quotaRefused).toEqual(real.requests.flatMap((r) => (r.quotaReached ? [r.req] : [])))
  // Every backoff boto3 chose lies in the model's range for that retry: [0, backoff(u → 1)).
  for (const r of real.requests)
    r.sleeps.forEach((s, i) => {
      expect(s * 1000).toBeGreaterThanOrEqual(0)
      expect(s * 1000).toBeLessThan(model.backoffMs(i + 1, 'THROTTLING', 1))
    })
  return { real, quotaRefused }
}

describe.skipIf(pythonReason !== undefined)('boto3 retry model against real boto3 and kms-bench serve', () => {
  it('reads the same constants as the machine’s botocore', async () => {
    const real = await boto3('standard', 0)
    const std = sdkRetryModel('boto3', { mode: 'standard' })
    expect(std.maxAttempts).toBe(real.standard.maxAttempts)
    expect(std.quota?.initial).toBe(real.standard.quota)
    expect(std.quota?.throttlingCost).toBe(real.standard.retryCost)
    expect(std.quota?.transientCost).toBe(real.standard.retryCost)
    expect(std.constants['timeoutCost']).toBe(real.standard.timeoutCost)
    expect(std.quota?.refund(false, 0)).toBe(real.standard.noRetryIncrement)
    expect(std.constants['maxBackoffMs']).toBe(real.standard.maxBackoff * 1000)
    expect([...BOTO3_THROTTLING_CODES].sort()).toEqual([...real.standard.throttlingCodes].sort())
    const legacy = sdkRetryModel('boto3')
    expect(legacy.mode).toBe('legacy')
    expect(legacy.maxAttempts).toBe(real.legacy.maxAttempts)
    expect(legacy.quota).toBeUndefined()
    expect(real.legacy.delay).toEqual({ type: 'exponential', base: 'rand', growth_factor: 2 })
    expect([...BOTO3_LEGACY_THROTTLING_CODES].sort()).toEqual(real.legacy.codes)
    expect([...BOTO3_LEGACY_STATUS].sort()).toEqual(real.legacy.statusOnly)
  }, 60_000)

  it('legacy mode: 5 attempts per throttled request, no retry quota', async () => {
    const { real, quotaRefused } = await crossCheck('legacy', 12)
    expect(quotaRefused).toEqual([])
    const throttled = real.requests.filter((r) => r.error === 'ThrottlingException')
    expect(throttled.length).toBeGreaterThan(5)
    for (const r of throttled) expect(r.retryAttempts).toBe(4)
  }, 120_000)

  it('standard mode: 3 attempts per throttled request until the 500-token quota is empty', async () => {
    const { real, quotaRefused } = await crossCheck('standard', 70)
    // 50 requests × 2 retries × 5 tokens drain 500 tokens; later throttles get no retry.
    expect(quotaRefused.length).toBeGreaterThan(0)
    const first = quotaRefused[0] as number
    expect(real.requests.slice(0, first).filter((r) => r.retryAttempts === 2).length).toBeGreaterThanOrEqual(50)
  }, 120_000)

  it('adaptive mode: the same attempts and quota as standard (the limiter only delays sends)', async () => {
    await crossCheck('adaptive', 5)
  }, 120_000)
})
