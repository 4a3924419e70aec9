/**
 * The Decrypt call path in instructions (issue 17): a core Decrypt of 32 B against a bare
 * node:crypto AES-256-GCM open of the same 32 B with an 88-byte AAD (the pair of
 * `micro/decrypt.vsBareOpen`, call-path.bench.ts), counted by valgrind's callgrind instead of
 * timed.
 *
 * Why a second measure of the same pair: on this machine (2 shared cores in a VM) the timed
 * ratio of the same code swings from 0.5 to 0.8 between fresh processes a minute apart (nine
 * alternating rounds each; a warm-up of 200,000 calls of each side did not steady it), while
 * this ratio came out between 0.75 and 0.82 in eight runs. An instruction is not a
 * nanosecond (cache misses and the collector's pauses weigh differently), so the timed ratio
 * stays the figure of the goal; this one is a steady gate, and it says how much of the gap is
 * code we run.
 *
 * One valgrind process runs both loops, after an untimed warm-up of both, with V8 on one thread
 * ({@link CHILD_V8_FLAGS}). The counters are zeroed
 * when the child calls `os.hostname()` (libuv's `uv_os_gethostname`) and dumped when it calls
 * `os.loadavg()` (`uv_loadavg`): nothing else in the loops calls either. The pair is
 * call-path.bench.ts's `decryptPair`, the functions the timed figure runs, bundled by esbuild
 * first so that valgrind does not translate tsx's loader.
 *
 * Skipped, with a note, where valgrind is not installed (Debian: `apt-get install valgrind`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleModules } from '../src/util/index.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Calls counted per side. @default 10000 */
export const COUNTED_CALLS = 10_000
/** Untimed calls of each side before counting. @default 10000 */
export const WARMUP_CALLS = 10_000

/**
 * V8 flags of the counted child: no helper threads (under valgrind the background compiler lags,
 * and the concurrent marker's and sweeper's work lands in the dumps at random), fixed hash and
 * random seeds (hash tables probe alike in every run).
 */
const CHILD_V8_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1']

/** What one callgrind run found. */
export interface InstructionCounts {
  /** instructions per bare AES-256-GCM open */
  readonly barePerCall: number
  /** instructions per core Decrypt */
  readonly oursPerCall: number
  /** bare ÷ ours: 1 would be a Decrypt that runs nothing but the open */
  readonly ratio: number
}

/** How many calls {@link measureInstructions} counts. */
export interface InstructionOptions {
  /** calls counted per side. @default {@link COUNTED_CALLS} */
  readonly calls?: number
  /** untimed calls of each side first. @default {@link WARMUP_CALLS} */
  readonly warmup?: number
}

/** The child: both loops of call-path.bench.ts's {@link decryptPair}, each between a zero (hostname) and a dump (loadavg). */
function childSource(bundleUrl: string, calls: number, warmup: number): string {
  return `import { hostname, loadavg } from 'node:os'
import { decryptPair } from ${JSON.stringify(bundleUrl)}
const { ours, bare } = decryptPair()
for (let i = 0; i < ${warmup}; i++) { ours(); bare() }
for (const fn of [bare, ours]) {
  hostname()
  for (let i = 0; i < ${calls}; i++) fn()
  loadavg()
}
`
}

/** True when `valgrind --version` runs. */
export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0
}

/** The `totals:` line of a callgrind dump. */
function totalOf(path: string): number {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('totals:'))
  const n = Number(line?.slice('totals:'.length).trim().split(/\s+/)[0])
  if (!Number.isFinite(n) || n <= 0) throw new Error(`callgrind dump ${path} has no instruction total`)
  return n
}

function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`valgrind exited ${code}: ${err.trim().split('\n').pop() ?? ''}`)),
    )
  })
}

/** Counts both loops under callgrind; `undefined` without valgrind. */
export async function measureInstructions(options: InstructionOptions = {}): Promise<InstructionCounts | undefined> {
  if (!hasValgrind()) return undefined
  const calls = options.calls ?? COUNTED_CALLS
  const warmup = options.warmup ?? WARMUP_CALLS
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-instructions-'))
  try {
    const bundle = await bundleModules({
      contents: `export { decryptPair } from ${JSON.stringify(join(ROOT, 'bench/call-path.bench.ts'))}`,
      sourcefile: 'instructions-entry.js',
      index: join(ROOT, 'src/index.ts'),
      resolveDir: ROOT,
    })
    if (bundle === undefined) throw new Error('esbuild could not bundle bench/call-path.bench.ts')
    writeFileSync(join(dir, 'pair.mjs'), bundle.text)
    writeFileSync(join(dir, 'child.mjs'), childSource(pathToFileURL(join(dir, 'pair.mjs')).href, calls, warmup))
    await run(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${join(dir, 'cg.out')}`,
        '--smc-check=all-non-file',
        '--zero-before=uv_os_gethostname',
        '--dump-before=uv_loadavg',
        process.execPath,
        ...CHILD_V8_FLAGS,
        join(dir, 'child.mjs'),
      ],
      dir,
    )
    const dumps = readdirSync(dir)
      .filter((f) => /^cg\.out\.\d+$/.test(f))
      .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    if (dumps.length < 2) throw new Error(`callgrind wrote ${dumps.length} of the 2 dumps`)
    const bare = totalOf(join(dir, dumps[0] as string)) / calls
    const ours = totalOf(join(dir, dumps[1] as string)) / calls
    return { barePerCall: Math.round(bare), oursPerCall: Math.round(ours), ratio: bare / ours }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log((await measureInstructions()) ?? 'valgrind is not installed')
}
