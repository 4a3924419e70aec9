/**
 * The in-process call path against the bare node:crypto work of the same call (issue 17),
 * measured in a fresh child process (`npx tsx bench/call-path.bench.ts`, or the `micro` stage
 * of `npm run bench`), so that the heap the suite's earlier stages left behind does not make
 * the emulator's collections dearer than the bare loop's:
 *
 * - Decrypt of 32 B (no KeyId) ÷ a bare AES-256-GCM open of the same 32 B with an 88-byte AAD
 *   (the header and context encoding a real call authenticates);
 * - Encrypt of 32 B ÷ a bare seal of 32 B with a random IV and the same AAD;
 * - Encrypt of 32 B with an encryption context in a fresh object per call (what the endpoint
 *   hands the core: each request's JSON parses to new objects) ÷ a bare seal with an AAD of
 *   the same length (the header and that context's encoding);
 * - GenerateDataKey (AES_256) ÷ 32 random bytes + the same seal of them.
 *
 * The emulator is the default one (`createEmulator({ profile: 'none' })`: the 10,000-event
 * audit ring on, access control enforced). Each pair runs in alternating rounds (bare, ours,
 * bare, ours, ...) and its ratio is the median over the rounds, so load from other processes
 * hits both sides alike.
 */
import { spawn } from 'node:child_process'
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import { resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEmulator } from '../src/emulator.ts'

/** One measured pair. */
export interface CallPathRatio {
  readonly figure: string
  readonly description: string
  readonly goal: string
  /** throughput of the call / throughput of the bare work */
  readonly ratio: number
}

const wallNow = (): number => performance.now()

/** Throughput of `ours` / throughput of `bare`: the median over alternating timed rounds of each. */
export function alternatingRatio(ours: () => void, bare: () => void, rounds = 9, perRound = 20_000): number {
  const rate = (fn: () => void): number => {
    const t0 = wallNow()
    for (let i = 0; i < perRound; i++) fn()
    return perRound / (wallNow() - t0)
  }
  rate(bare)
  rate(ours)
  const ratios: number[] = []
  for (let r = 0; r < rounds; r++) {
    const b = rate(bare)
    ratios.push(rate(ours) / b)
  }
  ratios.sort((a, b) => a - b)
  return ratios[Math.floor(rounds / 2)] ?? 0
}

/** What every pair of {@link measureHere} shares: a default emulator with one key, and the bare side's key and AAD. */
export interface PairFixture {
  readonly caller: { account: string; region: string }
  readonly kms: ReturnType<typeof createEmulator>
  readonly keyId: string
  readonly key: Buffer
  /** 88 bytes: the header and context encoding a real call authenticates */
  readonly aad: Buffer
}

/** A default emulator (`profile: 'none'`: the audit ring on, access control enforced) with one key. */
export function pairFixture(): PairFixture {
  const caller = { account: '111122223333', region: 'us-east-1' }
  const kms = createEmulator({ profile: 'none' })
  const keyId = kms.callSync('CreateKey', {}, caller).KeyMetadata?.KeyId as string
  return { caller, kms, keyId, key: Buffer.alloc(32, 7), aad: Buffer.alloc(88, 3) }
}

/**
 * The Decrypt pair: a core Decrypt of 32 B (no KeyId) in a default emulator, and a bare
 * AES-256-GCM open of 32 B with an 88-byte AAD (also counted in instructions by
 * instructions.bench.ts, which bundles this function into its valgrind child).
 */
export function decryptPair(f: PairFixture = pairFixture()): { ours: () => void; bare: () => void } {
  const { caller, kms, key, aad } = f
  const ciphertext = kms.callSync('Encrypt', { KeyId: f.keyId, Plaintext: new Uint8Array(32) }, caller)
    .CiphertextBlob as Uint8Array
  // An IV of its own: the seal pairs fill theirs at random on every call.
  const iv = Buffer.alloc(12)
  const c0 = createCipheriv('aes-256-gcm', key, iv)
  c0.setAAD(aad)
  const body = c0.update(new Uint8Array(32))
  c0.final()
  const tag = c0.getAuthTag()
  return {
    ours: () => void kms.callSync('Decrypt', { CiphertextBlob: ciphertext }, caller),
    bare: () => {
      const d = createDecipheriv('aes-256-gcm', key, iv)
      d.setAAD(aad)
      d.setAuthTag(tag)
      d.update(body)
      d.final()
    },
  }
}

/** Measures the pairs in this process. */
export function measureHere(): CallPathRatio[] {
  const fixture = pairFixture()
  const { caller, kms, keyId, key, aad } = fixture
  const plaintext = new Uint8Array(32)
  const iv = Buffer.alloc(12)
  const dataKey = Buffer.alloc(32)
  const decrypt = decryptPair(fixture)
  const seal = (p: Uint8Array, withAad = aad): void => {
    randomFillSync(iv)
    const c = createCipheriv('aes-256-gcm', key, iv)
    c.setAAD(withAad)
    c.update(p)
    c.final()
    c.getAuthTag()
  }
  // {tenant: 'bench'} encodes to 4 + (4 + 6) + (4 + 5) bytes after the 84-byte header.
  const contextAad = Buffer.alloc(84 + 23, 3)
  const pairs: [string, string, string, () => void, () => void][] = [
    [
      'micro/decrypt.vsBareOpen',
      'core Decrypt of 32 B, no KeyId, default emulator (audit ring on), in a fresh process / a bare node:crypto AES-256-GCM open of 32 B with an 88-byte AAD',
      '>= 0.7',
      decrypt.ours,
      decrypt.bare,
    ],
    [
      'micro/encrypt.vsBareSeal',
      'core Encrypt of 32 B, default emulator (audit ring on), in a fresh process / a bare seal of 32 B with a random IV and an 88-byte AAD',
      '>= 0.8',
      () => void kms.callSync('Encrypt', { KeyId: keyId, Plaintext: plaintext }, caller),
      () => seal(plaintext),
    ],
    [
      'micro/encrypt.freshContext.vsBareSeal',
      'core Encrypt of 32 B with EncryptionContext {tenant: bench} in a fresh object per call (as the endpoint parses each request), default emulator (audit ring on), in a fresh process / a bare seal of 32 B with a random IV and a 107-byte AAD',
      '>= 0.8',
      () =>
        void kms.callSync(
          'Encrypt',
          { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { tenant: 'bench' } },
          caller,
        ),
      () => seal(plaintext, contextAad),
    ],
    [
      'micro/generateDataKey.vsBareRandomSeal',
      'core GenerateDataKey AES_256, default emulator (audit ring on), in a fresh process / 32 random bytes + the same seal of them',
      '>= 0.8',
      () => void kms.callSync('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }, caller),
      () => {
        randomFillSync(dataKey)
        seal(dataKey)
      },
    ],
  ]
  return pairs.map(([figure, description, goal, ours, bare]) => ({
    figure,
    description,
    goal,
    ratio: alternatingRatio(ours, bare),
  }))
}

/** Measures the pairs in a fresh child process. */
export function measureCallPath(): Promise<CallPathRatio[]> {
  const self = fileURLToPath(import.meta.url)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--child'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`call-path child exited ${code}: ${err.slice(-400)}`))
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '[]') as CallPathRatio[])
    })
  })
}

if (process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ratios = measureHere()
  if (process.argv[2] === '--child') process.stdout.write(`${JSON.stringify(ratios)}\n`)
  else for (const r of ratios) console.log(`${r.figure} ${r.ratio.toFixed(3)} (goal ${r.goal})`)
}
