/**
 * The quota gate's cost (`npx tsx bench/quota-gate.bench.ts`):
 *
 * 1. Speed: Encrypt (32 B) through the emulator with the `aws-default` profile vs with
 *    `profile: 'none'` (no gate at all), measured in the same run and reported as a ratio
 *    (goal >= 0.95). The symmetric quota is raised so no call is throttled: both sides do the
 *    same real work, and the difference is the gate. Short batches of each alternate many
 *    times. Load from other processes on a shared machine only ever adds time to a batch, so
 *    the ratio compares the fast end of each side's batch times (10th percentile), which is
 *    what the code costs when it gets the CPU; the median of the paired ratios is printed
 *    too. The throttled path (`tryCall` answering the shared THROTTLED result) is reported as
 *    a ratio to the admitted path.
 * 2. Memory: a long virtual run (hundreds of thousands of virtual seconds, a new hot key every
 *    second) does not grow the limiter: slot count and retained series stay bounded.
 *
 * Exits 1 when a goal is missed.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEmulator, VirtualClock } from '../src/index.ts'
import { QuotaGate, resolveQuotaConfig } from '../src/quota/index.ts'

const plaintext = new Uint8Array(32)
const caller = { account: '111122223333', region: 'us-east-1' }

function encryptTask(profile: 'aws-default' | 'none', symmetric: number): () => boolean {
  const kms = createEmulator({
    profile,
    audit: { capacity: 0 },
    ...(profile === 'aws-default' ? { quotas: { symmetric } } : {}),
  })
  const keyId = kms.callSync('CreateKey', {}, caller).KeyMetadata!.KeyId
  const input = { KeyId: keyId, Plaintext: plaintext }
  return () => kms.tryCall('Encrypt', input, caller).ok
}

/** Wall-clock ns of `n` calls (bench code may read the time; src/ may not). */
function batch(f: () => boolean, n: number, expectOk: boolean): number {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) if (f() !== expectOk) throw new Error(`unexpected ${expectOk ? 'throttle' : 'admission'}`)
  return Number(process.hrtime.bigint() - t)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number
}

/** Throughput of Encrypt through the aws-default gate over profile 'none' (alternating batches; `pairs` rounds). */
export function speed(pairs = 400): {
  gatedOverNone: number
  pairedMedian: number
  q1: number
  q3: number
  pairs: number
  throttledOverAdmitted: number
} {
  const gated = encryptTask('aws-default', 1e12)
  const none = encryptTask('none', 0)
  const throttled = encryptTask('aws-default', 0)
  for (let i = 0; i < 3000; i++) {
    gated()
    none()
    throttled()
  }
  const ratios: number[] = []
  const gatedTimes: number[] = []
  const noneTimes: number[] = []
  const throttledTimes: number[] = []
  const n = 200
  for (let r = 0; r < pairs; r++) {
    let g: number
    let b: number
    if (r % 2 === 0) {
      g = batch(gated, n, true)
      b = batch(none, n, true)
    } else {
      b = batch(none, n, true)
      g = batch(gated, n, true)
    }
    ratios.push(b / g) // throughput(gated) / throughput(none)
    gatedTimes.push(g)
    noneTimes.push(b)
    if (r % 4 === 0) throttledTimes.push(batch(throttled, n, false))
  }
  return {
    gatedOverNone: quantile(noneTimes, 0.1) / quantile(gatedTimes, 0.1),
    pairedMedian: median(ratios),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    pairs,
    throttledOverAdmitted: quantile(gatedTimes, 0.1) / quantile(throttledTimes, 0.1),
  }
}

/** A long virtual run with a new hot key every second: limiter slots and retained series stay bounded. */
export function memory(virtualSeconds = 400_000): {
  slotsAfterWarmup: number
  slotsAtEnd: number
  seriesAtEnd: number
  heapGrowthMiB: number
  virtualSeconds: number
} {
  const clock = new VirtualClock()
  const kms = createEmulator({ clock, profile: 'none', audit: { capacity: 0 } })
  const config = resolveQuotaConfig({ quotas: { 'hot-key': 5 }, usageRetentionSeconds: 600 })!
  const gate = new QuotaGate(config, clock)
  const caller = kms.core.caller(undefined)
  const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
  const encrypt = { KeyId: keyId, Plaintext: plaintext }
  let slotsAfterWarmup = 0
  const gc = (globalThis as { gc?: () => void }).gc
  let heapStart = 0
  for (let s = 0; s < virtualSeconds; s++) {
    clock.advance(1000)
    for (let i = 0; i < 5; i++) gate.admit('Encrypt', encrypt, caller, kms.core)
    // a state change on a different (unknown) key every second: one hot-key limiter each
    gate.admit('EnableKey', { KeyId: `key-${s}` }, caller, kms.core)
    if (s === 10_000) {
      slotsAfterWarmup = gate.slotCount
      gc?.()
      heapStart = process.memoryUsage().heapUsed
    }
  }
  gc?.()
  const heapGrowthMiB = (process.memoryUsage().heapUsed - heapStart) / 2 ** 20
  return {
    slotsAfterWarmup,
    slotsAtEnd: gate.slotCount,
    seriesAtEnd: gate.usage().seconds.length,
    heapGrowthMiB,
    virtualSeconds,
  }
}

// Standalone run (`npx tsx bench/quota-gate.bench.ts`); `bench/main.ts` imports the functions.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()

function main(): void {
  const s = speed()
  const m = memory()
  console.log(
    `Encrypt through the emulator, aws-default gate vs profile 'none': throughput ratio ${s.gatedOverNone.toFixed(3)} (goal >= 0.95; ${s.pairs} alternating batches of each, 10th-percentile times; ` +
      `median of paired ratios ${s.pairedMedian.toFixed(3)}, IQR ${s.q1.toFixed(3)}-${s.q3.toFixed(3)})`,
  )
  console.log(`throttled tryCall vs admitted Encrypt: ${s.throttledOverAdmitted.toFixed(1)}x as many calls per second`)
  console.log(
    `long virtual run (${m.virtualSeconds} s, ${m.virtualSeconds} distinct hot keys): limiter slots ${m.slotsAfterWarmup} after 10,000 s, ${m.slotsAtEnd} at the end; ` +
      `series rows retained ${m.seriesAtEnd}; heap growth ${m.heapGrowthMiB.toFixed(2)} MiB${(globalThis as { gc?: unknown }).gc === undefined ? ' (no --expose-gc: indicative only)' : ''}`,
  )
  const failures: string[] = []
  if (s.gatedOverNone < 0.95) failures.push(`gate ratio ${s.gatedOverNone.toFixed(3)} < 0.95`)
  if (m.slotsAtEnd > m.slotsAfterWarmup + 1100)
    failures.push(`limiter slots grew from ${m.slotsAfterWarmup} to ${m.slotsAtEnd}`)
  if (m.seriesAtEnd > 3 * 600 + 3) failures.push(`series rows ${m.seriesAtEnd} exceed the retention`)
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join('; ')}`)
    process.exitCode = 1
  }
}
