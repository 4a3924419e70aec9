/**
 * Virtual-time speed and memory of whole `kms-bench run` commands (issue 17), each as a ratio
 * measured in the same run (`npx tsx bench/virtual-time.bench.ts`, or the `virtual` stage of
 * `npm run bench`):
 *
 * 1. **Ad-hoc run**: `run --op GenerateDataKey --rate 1000000 --duration 10s --quota
 *    symmetric=100000`, the real command in a child process. Simulated requests per wall
 *    second (and per CPU second), and the time of the command ÷ the time of a bare node:crypto
 *    loop doing the AES-256-GCM work of the calls it admitted (the crypto floor: how close the
 *    run is to what its real cryptography alone costs; 1 would be nothing but crypto). That
 *    ratio is taken over CPU time (user + system, the child's and this process's): on a
 *    machine shared with other work, wall time measured minutes apart moves by multiples,
 *    CPU time far less. The wall-time ratio is reported beside it.
 * 2. **Realistic scenario** (`bench/scenarios/realistic-fleet.ts`: 80 hosts, diurnal peak
 *    over the quota, envelope encrypt + decrypt, the `aws` latency model, SDK retries, 3
 *    variants, 5 simulated minutes): the same two figures for the whole command, as run by
 *    default (variants side by side on one lane per core) and on one thread (`--workers 1`).
 * 3. **Memory flat in simulated duration**: peak RSS of a 10-minute run of the realistic
 *    scenario's adaptive-retry variant (the client-side limiter's backlog is the worst case)
 *    ÷ a 1-minute run of the same. Each run has a whole diurnal cycle per minute. Goal ≤ 1.3.
 *    Beside it the same ratio of the live heap (the largest heap left after a full collection,
 *    from `--trace-gc`), which tells what the program keeps from what V8 lets accumulate; and
 *    both ratios for an ad-hoc run (100,000 GenerateDataKey/s against 10,000/s, standard
 *    retries), 100 simulated seconds ÷ 10. Goal ≤ 1.2.
 *
 * 4. **Shipped scenarios** (`scenarios/*.ts` of issue 17's table, and the Hierarchical keyring
 *    one): each as a whole command, every variant, as users run it. The same figures; the
 *    crypto floor only where its model holds (every KMS call a data-key operation of 32 B),
 *    not for direct Encrypt/Decrypt of payloads. Beside them the memory of `s3-upload-storm`'s
 *    adaptive-retry variant (its backlog of waiting requests during each storm is the largest
 *    live set of the shipped scenarios) over three storm cycles (270 s) ÷ over one (90 s).
 *
 * The crypto floor counts, per operation, the admitted KMS calls of every variant
 * (`kms.byOperation[op].calls - throttled`): GenerateDataKey = 32 random bytes + a seal of
 * them, Encrypt = a seal of 32 B, Decrypt = an open of 32 B, each with an 88-byte AAD (the
 * header and context a real call authenticates). The per-operation cost is measured on a
 * sample in this process, right after the command, and multiplied by the count. The
 * application's local payload AES-GCM (envelope records, S3 objects) is modelled in virtual
 * time, not performed (its result is never read), so it is not in the floor either.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../bin/kms-bench.mjs', import.meta.url))
const MAX_RSS = fileURLToPath(new URL('./max-rss.cjs', import.meta.url))
/** The realistic scenario file. */
export const REALISTIC_SCENARIO = fileURLToPath(new URL('./scenarios/realistic-fleet.ts', import.meta.url))
const wallNow = (): number => performance.now()

/** What one `kms-bench run` child did. */
export interface CommandRun {
  readonly wallSeconds: number
  /** CPU time of the child (user + system, every thread) */
  readonly cpuSeconds: number
  /** peak resident set of the child process, KiB */
  readonly maxRssKb: number
  /** simulated application requests, every variant */
  readonly requests: number
  /** admitted KMS calls by operation, every variant */
  readonly admitted: Readonly<Record<string, number>>
  /**
   * With `traceGc`: the largest heap V8 had left after a full (mark-compact) collection, MB as
   * its `--trace-gc` lines print it: the live data at its largest sampled point, without the
   * garbage RSS also holds between collections. `undefined` without `traceGc` or when no full
   * collection ran.
   */
  readonly peakLiveHeapMb?: number
}

/** Options of {@link runCommand}. */
export interface CommandOptions {
  /**
   * Run the child with `--trace-gc` (which only logs: it changes no collection) and read the
   * heap left after each mark-compact from its lines. @default false
   */
  readonly traceGc?: boolean
}

/** The largest `after` size of the mark-compact lines of `node --trace-gc` output (MB), `undefined` when there are none. */
export function peakAfterMarkCompact(trace: string): number | undefined {
  let peak: number | undefined
  for (const m of trace.matchAll(/Mark-Compact[^\n]*?[\d.]+ \([\d.]+\) -> ([\d.]+) \(/g)) {
    const after = Number(m[1])
    if (peak === undefined || after > peak) peak = after
  }
  return peak
}

interface SummaryShape {
  variants: {
    offered: { requests: number }
    kms: { byOperation: Record<string, { calls: number; throttled: number }> }
  }[]
}

/** Runs `kms-bench run ARGS --out TMP --quiet` in a child process and reads what it did. */
export async function runCommand(args: readonly string[], options: CommandOptions = {}): Promise<CommandRun> {
  const out = mkdtempSync(join(tmpdir(), 'kms-bench-virtual-'))
  try {
    const t0 = wallNow()
    const flags = options.traceGc === true ? ['--trace-gc'] : []
    const { code, stderr, stdout } = await new Promise<{ code: number | null; stderr: string; stdout: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [...flags, '--require', MAX_RSS, BIN, 'run', ...args, '--out', out, '--quiet'],
          { stdio: ['ignore', options.traceGc === true ? 'pipe' : 'ignore', 'pipe'] },
        )
        let err = ''
        let trace = ''
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
        // Only the mark-compact lines are kept (a long run logs a scavenge line every few ms).
        child.stdout?.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n')) if (line.includes('Mark-Compact')) trace += `${line}\n`
        })
        child.once('error', reject)
        child.once('exit', (c) => resolve({ code: c, stderr: err, stdout: trace }))
      },
    )
    const wallSeconds = (wallNow() - t0) / 1000
    if (code !== 0) throw new Error(`kms-bench run ${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`)
    const rss = /max-rss-kb=(\d+) cpu-us=(\d+)/.exec(stderr)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SummaryShape
    const admitted: Record<string, number> = {}
    let requests = 0
    for (const v of summary.variants) {
      requests += v.offered.requests
      for (const [op, c] of Object.entries(v.kms.byOperation))
        admitted[op] = (admitted[op] ?? 0) + c.calls - c.throttled
    }
    if (rss === null) throw new Error(`kms-bench run ${args.join(' ')} did not report its resource use`)
    const peakLiveHeapMb = options.traceGc === true ? peakAfterMarkCompact(stdout) : undefined
    return {
      wallSeconds,
      cpuSeconds: Number(rss[2]) / 1e6,
      maxRssKb: Number(rss[1]),
      requests,
      admitted,
      ...(peakLiveHeapMb !== undefined ? { peakLiveHeapMb } : {}),
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** Seconds (wall and CPU) per operation of the bare AES-256-GCM work of one admitted call, measured on a sample. */
export function bareCryptoSeconds(sample = 100_000): Readonly<Record<string, { wall: number; cpu: number }>> {
  const key = Buffer.alloc(32, 7)
  const iv = Buffer.alloc(12)
  const aad = Buffer.alloc(88, 3)
  const plaintext = Buffer.alloc(32, 1)
  const dataKey = Buffer.alloc(32)
  const seal = (p: Buffer): Buffer[] => {
    randomFillSync(iv)
    const c = createCipheriv('aes-256-gcm', key, iv)
    c.setAAD(aad)
    const body = c.update(p)
    c.final()
    return [body, c.getAuthTag()]
  }
  const [body, tag] = seal(plaintext) as [Buffer, Buffer]
  const sealedIv = Buffer.from(iv)
  const tasks: Record<string, () => void> = {
    Encrypt: () => void seal(plaintext),
    GenerateDataKey: () => {
      randomFillSync(dataKey)
      seal(dataKey)
    },
    Decrypt: () => {
      const d = createDecipheriv('aes-256-gcm', key, sealedIv)
      d.setAAD(aad)
      d.setAuthTag(tag)
      d.update(body)
      d.final()
    },
  }
  const out: Record<string, { wall: number; cpu: number }> = {}
  for (const [op, fn] of Object.entries(tasks)) {
    for (let i = 0; i < sample / 10; i++) fn()
    const t0 = wallNow()
    const c0 = process.cpuUsage()
    for (let i = 0; i < sample; i++) fn()
    const c = process.cpuUsage(c0)
    out[op] = { wall: (wallNow() - t0) / 1000 / sample, cpu: (c.user + c.system) / 1e6 / sample }
  }
  return out
}

/** Seconds (wall and CPU) a bare loop takes for the admitted calls (operations without a bare model count as Encrypt). */
export function cryptoFloorSeconds(
  admitted: Readonly<Record<string, number>>,
  perOp = bareCryptoSeconds(),
): { wall: number; cpu: number } {
  let wall = 0
  let cpu = 0
  for (const [op, n] of Object.entries(admitted)) {
    const t = perOp[op] ?? perOp['Encrypt']
    wall += n * (t?.wall ?? 0)
    cpu += n * (t?.cpu ?? 0)
  }
  return { wall, cpu }
}

/** Figures of one whole command: requests per second and the ratios to its crypto floor. */
export interface SpeedFigures {
  readonly requestsPerWallSecond: number
  readonly requestsPerCpuSecond: number
  /** CPU time of the command ÷ CPU time of its crypto floor */
  readonly overCryptoFloor: number
  /** the same over wall time (noisy on a shared machine) */
  readonly overCryptoFloorWall: number
  readonly wallSeconds: number
  readonly cpuSeconds: number
  readonly floorCpuSeconds: number
  readonly requests: number
  readonly admittedCalls: number
}

function speed(run: CommandRun): SpeedFigures {
  const floor = cryptoFloorSeconds(run.admitted)
  return {
    requestsPerWallSecond: Math.round(run.requests / run.wallSeconds),
    requestsPerCpuSecond: Math.round(run.requests / run.cpuSeconds),
    overCryptoFloor: round(run.cpuSeconds / floor.cpu),
    overCryptoFloorWall: round(run.wallSeconds / floor.wall),
    wallSeconds: round(run.wallSeconds),
    cpuSeconds: round(run.cpuSeconds),
    floorCpuSeconds: round(floor.cpu),
    requests: run.requests,
    admittedCalls: Object.values(run.admitted).reduce((a, b) => a + b, 0),
  }
}

/** The ad-hoc GenerateDataKey run of the issue, as a whole command. */
export async function adHocSpeed(seconds = 10): Promise<SpeedFigures> {
  return speed(
    await runCommand([
      '--op',
      'GenerateDataKey',
      '--rate',
      '1000000',
      '--duration',
      `${seconds}s`,
      '--quota',
      'symmetric=100000',
    ]),
  )
}

/**
 * The realistic scenario, every variant, as a whole command: by default as users run it (its
 * variants side by side, one lane per core: the CPU time then includes the worker threads'
 * start-up), or with `workers` (`--workers 1`: one thread, the engine's own cost per request).
 */
export async function realisticSpeed(workers?: number): Promise<SpeedFigures> {
  return speed(await runCommand([REALISTIC_SCENARIO, ...(workers !== undefined ? ['--workers', `${workers}`] : [])]))
}

/** A shipped scenario measured as a whole command by {@link shippedSpeed}. */
export interface ShippedScenario {
  /** its file's name in scenarios/, without `.ts` */
  readonly name: string
  /** what it is, for the figures' descriptions */
  readonly what: string
  /**
   * Whether {@link cryptoFloorSeconds} models its KMS calls: true when each is a data-key
   * operation of 32 B (envelope encryption, S3 objects); false for direct Encrypt/Decrypt of
   * larger payloads, whose floor would be understated.
   */
  readonly floorModelled: boolean
  /** run only this variant (`--variant`). @default every variant */
  readonly variant?: string
}

/** The shipped scenarios of issue 17's table, and the Hierarchical keyring variant, whose local crypto is modelled since. */
export const SHIPPED_SCENARIOS: readonly ShippedScenario[] = [
  {
    name: 's3-upload-storm',
    what: 'S3 SSE-KMS uploads and downloads, storms over the quota every 90 s, 3 variants, 3 simulated minutes',
    floorModelled: true,
  },
  {
    name: 'multi-tenant',
    what: 'direct Encrypt/Decrypt of 200 B-4 KiB with per-tenant contexts, 5,000 Zipf tenants, stepped growth, 3 variants, 3 simulated minutes',
    floorModelled: false,
  },
  {
    name: 'envelope-fleet',
    what: 'envelope encrypt + decrypt of 16 KiB records over the quota, 3 variants, 4 simulated minutes',
    floorModelled: true,
  },
  {
    name: 'mitigation-shootout',
    what: 'envelope encryption in spikes, 8 mitigation variants, 2 simulated minutes',
    floorModelled: true,
  },
  {
    // Its keyring's local crypto, once executed per message, made this variant 13× slower.
    name: 'hierarchical-keyring',
    variant: 'hierarchical',
    what: 'the Hierarchical keyring variant alone: a branch key per tenant, 200 Zipf tenants at 12,000/s, 2 simulated minutes',
    floorModelled: true,
  },
]

/** A shipped scenario's file. */
export const shippedFile = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.ts`, import.meta.url))

/** A shipped scenario, every variant (or its `variant`), as a whole command run as users run it. */
export async function shippedSpeed(s: ShippedScenario): Promise<SpeedFigures> {
  return speed(await runCommand([shippedFile(s.name), ...(s.variant !== undefined ? ['--variant', s.variant] : [])]))
}

/** Memory of a long run against a short one of the same command. */
export interface MemoryFlatness {
  /** peak RSS of the long run ÷ of the short one */
  readonly ratio: number
  readonly shortKb: number
  readonly longKb: number
  /** the largest heap left after a full collection, long ÷ short: the live data, without V8's heap sizing */
  readonly liveRatio: number | undefined
  readonly shortLiveMb: number | undefined
  readonly longLiveMb: number | undefined
}

async function flatness(short: readonly string[], long: readonly string[]): Promise<MemoryFlatness> {
  const a = await runCommand(short, { traceGc: true })
  const b = await runCommand(long, { traceGc: true })
  const live =
    a.peakLiveHeapMb !== undefined && b.peakLiveHeapMb !== undefined
      ? round(b.peakLiveHeapMb / a.peakLiveHeapMb)
      : undefined
  return {
    ratio: round(b.maxRssKb / a.maxRssKb),
    shortKb: a.maxRssKb,
    longKb: b.maxRssKb,
    liveRatio: live,
    shortLiveMb: a.peakLiveHeapMb,
    longLiveMb: b.peakLiveHeapMb,
  }
}

/**
 * Peak RSS of the realistic scenario's adaptive-retry variant over 10 simulated minutes ÷ over 1,
 * and the same for the live heap (the largest heap left after a full collection): RSS also
 * holds the garbage V8 lets accumulate between collections, which grows with the live data
 * at its largest (V8 sizes the heap as a multiple of what survived the last full collection).
 */
export async function memoryFlatness(): Promise<MemoryFlatness> {
  return flatness(
    [REALISTIC_SCENARIO, '--variant', 'adaptive-retry', '--duration', '1m'],
    [REALISTIC_SCENARIO, '--variant', 'adaptive-retry', '--duration', '10m'],
  )
}

/**
 * The same for an ad-hoc run: `run --op GenerateDataKey --rate 100000 --quota symmetric=10000`
 * (nine in ten calls throttled, standard retries) over 100 simulated seconds ÷ over 10.
 */
export async function adHocMemoryFlatness(): Promise<MemoryFlatness> {
  const adHoc = (d: string) => [
    '--op',
    'GenerateDataKey',
    '--rate',
    '100000',
    '--duration',
    d,
    '--quota',
    'symmetric=10000',
  ]
  return flatness(adHoc('10s'), adHoc('100s'))
}

/**
 * Peak RSS (and live heap) of `s3-upload-storm`'s adaptive-retry variant over three storm
 * cycles (270 simulated seconds) ÷ over one (90 s): each cycle builds and drains the same
 * backlog, so a program whose memory is flat in duration keeps the same peak.
 */
export async function stormMemoryFlatness(): Promise<MemoryFlatness> {
  const storm = (d: string) => [shippedFile('s3-upload-storm'), '--variant', 'adaptive-retry', '--duration', d]
  return flatness(storm('90s'), storm('270s'))
}

function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits))
}

if (process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log('ad-hoc', await adHocSpeed())
  console.log('realistic', await realisticSpeed())
  console.log('realistic, one thread', await realisticSpeed(1))
  console.log('memory', await memoryFlatness())
  console.log('memory, ad-hoc', await adHocMemoryFlatness())
}
