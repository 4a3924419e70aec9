/**
 * Load engine benchmark (`npx tsx bench/load-engine.bench.ts`, well under a minute). Every
 * figure is reported as a ratio against a reference measured in the same run:
 *
 * 1. Virtual time: simulated application requests per wall second on the ad-hoc
 *    GenerateDataKey run (2,000,000/s offered against a 10,000/s quota, so nearly every call
 *    is throttled), against a bare loop of `emulator.tryCall` making the same calls (the
 *    engine's cost over the emulator's), both with zero service time (`latency: 'none'`).
 * 2. Real time, in-process: 100,000 GenerateDataKey/s for 10 s on the embedded target:
 *    achieved / offered (goal ≥ 99 %) and dropped / offered (goal ≤ 0.1 %).
 * 3. The SDK path: throughput of `kms-bench run --target URL` (open loop, 32 in flight)
 *    against a bare closed loop of 32 concurrent `client.send` on the same `kms-bench serve`
 *    child. Goal: ≥ 0.9.
 * 4. Memory: peak RSS of a 100 s virtual run against a 10 s one, each in its own process
 *    (`adHocMemoryFlatness` of virtual-time.bench.ts, which the suite's `virtual` stage reports
 *    as `virtual.memory.adHoc100sOver10s`). Goal: ≤ 1.2.
 *
 * Writes reports/bench/load-engine.json.
 */
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { spawn } from 'node:child_process'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SystemClock, VirtualClock } from '../src/clock.ts'
import { createEmulator } from '../src/emulator.ts'
import { endpointTarget, runScenario, defineScenario, type Scenario, sdkRetry } from '../src/load/index.ts'
import { adHocMemoryFlatness } from './virtual-time.bench.ts'

const wall = new SystemClock()
const retryLayer = (s: Parameters<typeof sdkRetry>[0]): ReturnType<typeof sdkRetry> => sdkRetry(s)

function adHoc(rate: number, seconds: number, quota: number | undefined, region = 'us-east-1'): Scenario {
  return defineScenario({
    name: 'bench-adhoc-gdk',
    region,
    duration: seconds,
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant', rate },
    requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
    ...(quota !== undefined ? { quotas: { symmetric: quota } } : {}),
  })
}

const isMain = process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)

// ---- 1. virtual time --------------------------------------------------------------------
/** Simulated requests per wall second of the engine against a bare `tryCall` loop (same calls, same virtual clock). */
export async function virtualThroughput(rate = 2_000_000, seconds = 5): Promise<Record<string, unknown>> {
  // Reference: the same calls straight into the emulator, advancing the same virtual clock.
  const clock = new VirtualClock()
  const kms = createEmulator({ clock, quotas: { symmetric: 10_000 }, audit: { capacity: 0 } })
  const { KeyMetadata } = kms.callSync('CreateKey', {})
  const input = { KeyId: KeyMetadata?.KeyId ?? '', KeySpec: 'AES_256' as const }
  const caller = { account: '111122223333', region: 'us-east-1' }
  const n = rate * seconds
  const start = clock.now()
  let t0 = wall.now()
  let throttled = 0
  for (let i = 0; i < n; i++) {
    clock.advanceTo(start + (i * 1000) / rate)
    if (!kms.tryCall('GenerateDataKey', input, caller).ok) throttled++
  }
  const bare = n / ((wall.now() - t0) / 1000)
  const runs: Record<string, number> = {}
  for (const mode of ['standard', 'none'] as const) {
    t0 = wall.now()
    // Zero service time (the engine's instant path), as the bare loop: virtual time's default
    // `aws` latency model is measured by the whole-command figures (bench/virtual-time.bench.ts).
    const r = await runScenario(adHoc(rate, seconds, 10_000), {
      retryLayer,
      retry: { mode, maxAttempts: 3 },
      latency: 'none',
    })
    runs[mode] = (r.variants[0]?.offered.requests ?? 0) / ((wall.now() - t0) / 1000)
  }
  return {
    offeredPerSecond: rate,
    seconds,
    quotaPerSecond: 10_000,
    bareEmulatorCallsPerWallSecond: Math.round(bare),
    bareThrottled: throttled,
    engineRequestsPerWallSecond: {
      retryStandard: Math.round(runs['standard'] ?? 0),
      retryNone: Math.round(runs['none'] ?? 0),
    },
    ratioToBareEmulator: {
      retryStandard: round((runs['standard'] ?? 0) / bare),
      retryNone: round((runs['none'] ?? 0) / bare),
    },
    goal: '>= 5,000,000 simulated requests per wall second',
  }
}

// ---- 2. real time, in-process -------------------------------------------------------------
/** Achieved and dropped shares of a real-time in-process run at `rate`/s for `seconds`. */
export async function realTimeInProcess(rate = 100_000, seconds = 10): Promise<Record<string, unknown>> {
  const r = await runScenario(adHoc(rate, seconds, undefined), { retryLayer, clock: 'real' })
  const v = r.variants[0]
  const offered = v?.offered.requests ?? 0
  return {
    offeredPerSecond: rate,
    seconds,
    offered,
    achievedRatio: round((v?.achieved.requests ?? 0) / offered),
    droppedRatio: round((v?.completed.dropped ?? 0) / offered, 6),
    lateRatio: round((v?.achieved.late ?? 0) / offered, 6),
    p99Ms: v?.latencyMs.p99,
    goal: 'achieved >= 0.99, dropped <= 0.001',
  }
}

// ---- 3. the SDK path against a bare SDK loop ------------------------------------------------
/** Throughput of `run --target URL` against a bare closed SDK loop on the same `kms-bench serve` child. */
export async function sdkPath(concurrency = 32, seconds = 4): Promise<Record<string, unknown>> {
  const bin = fileURLToPath(new URL('../bin/kms-bench.mjs', import.meta.url))
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--profile', 'none'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) resolve(m[1] as string)
    })
    child.once('exit', (code) => reject(new Error(`kms-bench serve exited ${code}`)))
  })
  try {
    const client = new KMSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
    })
    const { CreateKeyCommand } = await import('@aws-sdk/client-kms')
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn
    const bareLoop = async (secs: number): Promise<number> => {
      const until = wall.now() + secs * 1000
      let done = 0
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (wall.now() < until) {
            await client.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }))
            done++
          }
        }),
      )
      return done / secs
    }
    await bareLoop(1) // warm-up: JIT of both processes, connections
    const bareBefore = await bareLoop(seconds)
    const r = await runScenario(adHoc(Math.ceil(bareBefore * 1.5), seconds, undefined), {
      retryLayer,
      retry: { mode: 'none', maxAttempts: 1 },
      target: endpointTarget({ url }),
      realTime: { maxInFlight: concurrency },
    })
    const v = r.variants[0]
    const engine = (v?.completed.succeeded ?? 0) / seconds
    // The server is shared and the machine noisy: the reference is the mean of a bare run before and after.
    const bare = (bareBefore + (await bareLoop(seconds))) / 2
    client.destroy()
    return {
      concurrency,
      bareSdkRequestsPerSecond: Math.round(bare),
      engineRequestsPerSecond: Math.round(engine),
      ratioToBareSdkLoop: round(engine / bare),
      engineDropped: v?.completed.dropped,
      goal: '>= 0.9',
    }
  } finally {
    child.kill('SIGKILL')
  }
}

function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits))
}

// Standalone run (`npx tsx bench/load-engine.bench.ts`); `bench/main.ts` imports the functions.
if (isMain) {
  const figures: Record<string, unknown> = {}
  figures['virtual'] = await virtualThroughput()
  console.log('virtual', figures['virtual'])
  figures['realTimeInProcess'] = await realTimeInProcess()
  console.log('real time in-process', figures['realTimeInProcess'])
  figures['sdkPath'] = await sdkPath()
  console.log('SDK path', figures['sdkPath'])
  figures['memory'] = await adHocMemoryFlatness()
  console.log('memory', figures['memory'])
  mkdirSync('reports/bench', { recursive: true })
  writeFileSync('reports/bench/load-engine.json.tmp', `${JSON.stringify({ figures }, null, 2)}\n`)
  renameSync('reports/bench/load-engine.json.tmp', 'reports/bench/load-engine.json')
}
