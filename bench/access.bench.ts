/**
 * The cost of access control (`npx tsx bench/access.bench.ts`).
 *
 * Goal: Decrypt under a realistic 20-statement key policy (admins, users, conditions on the
 * encryption context and the caller's account, explicit denies, a service statement; the
 * statement that allows the caller comes last) runs at >= 0.8 of Decrypt under the default
 * key policy plus an identity policy, measured in the same run. Both sides decrypt the same
 * 32-byte ciphertext with the same encryption context as the same role; the difference is
 * the policy evaluation. Compiled policies are cached, so this measures evaluation, not
 * parsing.
 *
 * Also printed, for context: the same Decrypt with access control off (the whole cost of
 * enforcement), and a Decrypt allowed by a grant.
 *
 * Method (as `quota-gate.bench.ts`): short batches of each side alternate many times; load
 * from other processes on a shared machine only ever adds time to a batch, so ratios compare
 * the fast end (10th percentile) of each side's batch times; the median of paired ratios is
 * printed too. Exits 1 when the goal is missed.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEmulator, VirtualClock } from '../src/index.ts'
import { allowAll } from '../src/kms/index.ts'

const A = '111122223333'
const ROLE = `arn:aws:iam::${A}:role/bench`
const caller = { account: A, region: 'us-east-1', principal: ROLE }
const context = { tenant: 'blue', object: 'o-1' }

/** A 20-statement key policy; the statement that allows the bench role is the last one. */
function bigPolicy(): string {
  const stmts: Record<string, unknown>[] = [
    { Sid: 'EnableIAM', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
  ]
  for (let i = 0; i < 10; i++) {
    stmts.push({
      Sid: `Admin${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:role/admin-${i}` },
      Action: [
        'kms:Create*',
        'kms:Describe*',
        'kms:Enable*',
        'kms:List*',
        'kms:Put*',
        'kms:Update*',
        'kms:Revoke*',
        'kms:Disable*',
        'kms:Get*',
        'kms:Delete*',
        'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
      ],
      Resource: '*',
    })
  }
  for (let i = 0; i < 5; i++) {
    stmts.push({
      Sid: `User${i}`,
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${A}:role/user-${i}`, `arn:aws:iam::${A}:user/u-${i}`] },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': `tenant-${i}` } },
    })
  }
  stmts.push({
    Sid: 'RequireTenant',
    Effect: 'Deny',
    Principal: '*',
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { Null: { 'kms:EncryptionContext:tenant': 'true' } },
  })
  stmts.push({
    Sid: 'OnlyThisAccount',
    Effect: 'Deny',
    Principal: '*',
    Action: 'kms:*',
    Resource: '*',
    Condition: { StringNotEquals: { 'kms:CallerAccount': A } },
  })
  stmts.push({
    Sid: 'ThroughS3',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:CallerAccount': A, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
  })
  stmts.push({
    Sid: 'Bench',
    Effect: 'Allow',
    Principal: { AWS: ROLE },
    Action: ['kms:Encrypt', 'kms:Decrypt'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'blue' } },
  })
  if (stmts.length !== 20) throw new Error(`expected 20 statements, got ${stmts.length}`)
  return JSON.stringify({ Version: '2012-10-17', Statement: stmts })
}

type Variant = 'default+iam' | 'big' | 'off' | 'grant'

function decryptTask(variant: Variant): () => boolean {
  const kms = createEmulator({ clock: new VirtualClock(), profile: 'none', audit: { capacity: 0 } })
  if (variant === 'off') kms.core.authorizer = allowAll
  const keyId = kms.callSync('CreateKey', variant === 'big' ? { Policy: bigPolicy() } : {}).KeyMetadata!.KeyId
  if (variant === 'default+iam' || variant === 'off') {
    kms.putIdentityPolicy(
      ROLE,
      'bench',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: `arn:aws:kms:us-east-1:${A}:key/*` },
        ],
      }),
    )
  }
  let tokens: string[] | undefined
  if (variant === 'grant')
    tokens = [
      kms.callSync('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt', 'Decrypt'] })
        .GrantToken!,
    ]
  const t = tokens !== undefined ? { GrantTokens: tokens } : {}
  const blob = kms.callSync(
    'Encrypt',
    { KeyId: keyId, Plaintext: new Uint8Array(32), EncryptionContext: context, ...t },
    caller,
  ).CiphertextBlob!
  const input = { CiphertextBlob: blob, EncryptionContext: context, ...t }
  return () => kms.tryCall('Decrypt', input, caller).ok
}

/** Wall-clock ns of `n` calls (bench code may read the time; src/ may not). */
function batch(f: () => boolean, n: number): number {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) if (!f()) throw new Error('a Decrypt was refused')
  return Number(process.hrtime.bigint() - t)
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number
}

/** Per-call Decrypt time of each access-control setup, and the ratios between them (`rounds` alternating rounds). */
export function measureAccess(rounds = 300): {
  perCallUs: Record<Variant, number>
  bigOverDefault: number
  pairedMedian: number
  defaultOverOff: number
  grantOverDefault: number
} {
  const variants: Variant[] = ['default+iam', 'big', 'off', 'grant']
  const tasks = new Map(variants.map((v) => [v, decryptTask(v)]))
  for (const f of tasks.values()) for (let i = 0; i < 3000; i++) f()
  const times = new Map<Variant, number[]>(variants.map((v) => [v, []]))
  const paired: number[] = []
  const n = 200
  for (let r = 0; r < rounds; r++) {
    // rotate the order so no variant always runs first
    const order = variants.map((_, i) => variants[(i + r) % variants.length] as Variant)
    const round = new Map<Variant, number>()
    for (const v of order) {
      const ns = batch(tasks.get(v)!, n)
      round.set(v, ns)
      times.get(v)!.push(ns)
    }
    paired.push(round.get('default+iam')! / round.get('big')!)
  }
  const p10 = (v: Variant): number => quantile(times.get(v)!, 0.1)
  return {
    perCallUs: Object.fromEntries(variants.map((v) => [v, p10(v) / n / 1000])) as Record<Variant, number>,
    bigOverDefault: p10('default+iam') / p10('big'), // throughput(big) / throughput(default)
    pairedMedian: quantile(paired, 0.5),
    defaultOverOff: p10('off') / p10('default+iam'),
    grantOverDefault: p10('default+iam') / p10('grant'),
  }
}

function main(): void {
  const r = measureAccess()
  const ratio = r.bigOverDefault
  console.log('Decrypt (32 B, encryption context) as an IAM role, per-call time at the 10th percentile of batches:')
  for (const [v, us] of Object.entries(r.perCallUs)) console.log(`  ${v.padEnd(12)} ${us.toFixed(2)} µs`)
  console.log(
    `20-statement key policy / default key policy + IAM: ${ratio.toFixed(3)} (goal >= 0.8; paired median ${r.pairedMedian.toFixed(3)})`,
  )
  console.log(`default key policy + IAM / access control off:       ${r.defaultOverOff.toFixed(3)}`)
  console.log(`grant (with token) / default key policy + IAM:       ${r.grantOverDefault.toFixed(3)}`)
  if (ratio < 0.8) {
    console.error('FAIL: the 20-statement policy costs more than the goal allows')
    process.exitCode = 1
  }
}

// Standalone run (`npx tsx bench/access.bench.ts`); `bench/main.ts` imports measureAccess.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
