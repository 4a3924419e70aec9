/**
 * Account sharding: the workload is split over several AWS accounts, each with its own KMS
 * request quotas (quotas are per account and Region, and a cross-account call counts against
 * the *calling* account: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html#rps-cross-account).
 * Shard 0 is the scenario's own account; shard j's calls are made by the same role in account
 * j (hosts are split by host, as cells are, or by tenant).
 *
 * `keys: 'per-account'` (the default) gives every shard account its own copy of each key
 * (created before the run, with a key policy that lets the shard's principals use it): new
 * data keys and ciphertexts of shard j come from shard j's key, and a ciphertext is decrypted
 * with the key that made it. Ciphertexts made before the run stay under the original key and
 * are decrypted cross-account, which the original key's policy is extended to allow. With
 * `keys: 'shared'` every shard uses the original keys cross-account: no extra keys, the same
 * quota relief, one key policy trusting every shard account.
 *
 * The shard principals get an IAM identity policy allowing KMS (cross-account use needs both
 * the key policy and the caller's IAM policy). The cost: $1/month per extra key, and N key
 * policies and N sets of IAM policies to keep in step. S3 SSE-KMS calls are not sharded (the
 * bucket stays in its account), nor are AWS managed keys (they cannot be shared).
 */
import { z } from 'zod'
import type { CallerInput, OperationInputs, OperationName } from '../kms/index.ts'
import {
  withCaller,
  type KmsCallSpec,
  type KmsInvoker,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
  type ResolvedKey,
  type SetupKms,
  type Exposure,
} from '../load/index.ts'
import { accountOption, enumOption, intOption, invalidMitigation, parseOptions } from './params.ts'
import { CIPHERTEXT_OPERATIONS, outputBlob, reroutingInvoker, Rewrites } from './routing.ts'

/** Options of {@link accountSharding}. */
export interface AccountShardingOptions {
  /** Extra accounts (12-digit ids); the scenario's first account is shard 0. Give this or `shards`. */
  accounts?: string[]
  /** Shards in all, when `accounts` is not given (extra account ids are made up). */
  shards?: number
  /** Split by application host (cells) or by tenant. @default 'host' */
  by?: 'host' | 'tenant'
  /** Each shard account gets its own copy of every key, or all use the original keys cross-account. @default 'per-account' */
  keys?: 'per-account' | 'shared'
}

const schema = z
  .object({
    accounts: z.array(accountOption).min(1, { error: 'accounts must name at least one extra account' }).optional(),
    shards: intOption('shards', 2, 1000).optional(),
    by: enumOption('by', ['host', 'tenant']).optional(),
    keys: enumOption('keys', ['per-account', 'shared']).optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.accounts === undefined) === (o.shards === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['shards'],
        message: 'give either accounts (the extra accounts) or shards (how many in all)',
      })
    const dup = o.accounts?.find((a, i) => o.accounts?.indexOf(a) !== i)
    if (dup !== undefined)
      ctx.addIssue({ code: 'custom', path: ['accounts'], message: `account ${dup} is listed twice` })
  })

/** The same principal in another account (role, user or assumed-role session). */
export function principalIn(principal: string, account: string): string {
  return principal.replace(/::\d{12}:/, `::${account}:`)
}

const APP_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'KmsBenchShard', Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
})

/** Splits the workload over accounts. `accountSharding({ shards: 3 })`. */
export function accountSharding(options: AccountShardingOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('account-sharding', options, parsed.problems)
  const o = parsed.value
  const by = o.by ?? 'host'
  const keyMode = o.keys ?? 'per-account'
  return {
    name: 'account-sharding',
    params: {
      ...(o.accounts !== undefined ? { accounts: o.accounts.join(',') } : {}),
      shards: o.shards ?? (o.accounts?.length ?? 0) + 1,
      by,
      keys: keyMode,
    },
    assumptions: [
      `Account sharding by ${by}: shard j's calls are made by the same principal in account j; ciphertexts made before the run stay under the original keys (decrypted cross-account).`,
    ],
    start(ctx: MitigationContext): MitigationRun {
      const home = ctx.accounts[0] ?? '111122223333'
      const extra =
        o.accounts ?? Array.from({ length: (o.shards ?? 2) - 1 }, (_, i) => `9${String(i + 1).padStart(11, '0')}`)
      const accounts = [home, ...extra.filter((a) => a !== home)]
      const n = accounts.length
      /** key name → its key in each shard account (index 0: the original) */
      const shardKeys = new Map<string, ResolvedKey[]>()
      /** the shard whose key made each ciphertext of the run */
      const blobShard = new WeakMap<Uint8Array, number>()
      const inputs = new Rewrites<OperationInputs[OperationName]>()
      const callers = new Rewrites<CallerInput>()
      const calls = new Array<number>(n).fill(0)
      let created = 0
      let identity = true

      return {
        async setup(kms: SetupKms): Promise<void> {
          const principals = ctx.principals ?? [`arn:aws:iam::${home}:role/app`]
          for (const [j, account] of accounts.entries()) {
            if (j === 0) continue
            if (kms.putIdentityPolicy !== undefined)
              for (const p of principals) kms.putIdentityPolicy(principalIn(p, account), 'kms-bench-shard', APP_POLICY)
            else identity = false
          }
          for (const key of ctx.keys.values()) {
            if (key.manager !== 'CUSTOMER') continue
            const list: ResolvedKey[] = [key]
            // Let the shard accounts use the original key (old ciphertexts; `shared` mode).
            const current = await kms.call(
              'GetKeyPolicy',
              { KeyId: key.arn, PolicyName: 'default' },
              { account: key.account, region: key.region },
            )
            const policy = JSON.parse(current.Policy ?? '{"Version":"2012-10-17","Statement":[]}') as {
              Statement: unknown[]
            }
            policy.Statement.push({
              Sid: 'KmsBenchShards',
              Effect: 'Allow',
              Principal: { AWS: accounts.slice(1).map((a) => `arn:aws:iam::${a}:root`) },
              Action: 'kms:*',
              Resource: '*',
            })
            await kms.call(
              'PutKeyPolicy',
              { KeyId: key.arn, PolicyName: 'default', Policy: JSON.stringify(policy) },
              { account: key.account, region: key.region },
            )
            if (keyMode === 'per-account') {
              for (const [j, account] of accounts.entries()) {
                if (j === 0) continue
                const shardPolicy = JSON.stringify({
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Sid: 'Enable IAM policies',
                      Effect: 'Allow',
                      Principal: { AWS: `arn:aws:iam::${account}:root` },
                      Action: 'kms:*',
                      Resource: '*',
                    },
                    {
                      Sid: 'KmsBenchShardPrincipals',
                      Effect: 'Allow',
                      Principal: { AWS: principals.map((p) => principalIn(p, account)) },
                      Action: 'kms:*',
                      Resource: '*',
                    },
                  ],
                })
                const usage = key.keySpec.startsWith('HMAC')
                  ? 'GENERATE_VERIFY_MAC'
                  : key.keySpec === 'SYMMETRIC_DEFAULT'
                    ? 'ENCRYPT_DECRYPT'
                    : 'SIGN_VERIFY'
                const out = await kms.call(
                  'CreateKey',
                  {
                    KeySpec: key.keySpec,
                    KeyUsage: usage,
                    Description: `kms-bench shard ${j} copy of ${key.name}`,
                    Policy: shardPolicy,
                  },
                  { account, region: key.region },
                )
                const md = out.KeyMetadata
                if (md?.KeyId === undefined || md.Arn === undefined)
                  throw new Error(`account-sharding: CreateKey in ${account} returned no key`)
                created++
                list.push({ ...key, keyId: md.KeyId, arn: md.Arn, account })
              }
            }
            shardKeys.set(key.name, list)
          }
        },
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          /** The call as shard j makes it, and the shard whose key makes its ciphertext; undefined: unchanged. */
          const route = (call: KmsCallSpec): { call: KmsCallSpec; tag: number } | undefined => {
            const j = by === 'tenant' && call.meta.tenant !== undefined ? call.meta.tenant % n : host.index % n
            if (call.meta.s3 !== undefined || call.meta.service !== undefined) return undefined
            const keys = call.meta.keyName !== undefined ? shardKeys.get(call.meta.keyName) : undefined
            if (call.meta.keyName !== undefined && keys === undefined) return undefined // an AWS managed key
            calls[j] = (calls[j] ?? 0) + 1
            if (j === 0) return undefined
            const account = accounts[j] as string
            const caller = callers.get(
              call.caller,
              j,
              (c): CallerInput => ({ ...c, account, principal: principalIn(c.principal ?? host.principal, account) }),
            )
            let slot = j
            let keyFor: ResolvedKey | undefined
            if (keys !== undefined) {
              if (CIPHERTEXT_OPERATIONS.has(call.operation)) {
                const blob = (call.input as { CiphertextBlob?: Uint8Array }).CiphertextBlob
                const made = blob !== undefined ? (blobShard.get(blob) ?? 0) : 0
                keyFor = keys[made] ?? keys[0]
                slot = j * 1024 + made
              } else keyFor = keyMode === 'per-account' ? keys[j] : keys[0]
            }
            const key = keyFor
            const input = inputs.get(call.input, slot, (i) => {
              if (key === undefined || !('KeyId' in i) || i.KeyId === undefined) return i
              // Same account and Region: the key id; another account: the key ARN (required cross-account).
              return { ...i, KeyId: key.account === account ? key.keyId : key.arn }
            })
            return {
              call: withCaller(call, caller, input),
              tag: key !== undefined && key.account === account ? j : 0,
            }
          }
          return reroutingInvoker(next, route, (shard, out) => {
            const blob = shard > 0 ? outputBlob(out) : undefined
            if (blob !== undefined) blobShard.set(blob, shard)
          })
        },
        billedKeys: () => created,
        stats: () => {
          const s: Record<string, number> = { extraKeys: created }
          for (const [j, c] of calls.entries()) s[`calls:${accounts[j]}`] = c
          return s
        },
        exposure: (): Partial<Exposure> => ({
          notes: [
            keyMode === 'per-account'
              ? `${n} accounts each hold a copy of every key: ${n} key policies and ${n} sets of IAM policies to keep in step`
              : `the key policies trust ${n - 1} more accounts, whose IAM policies decide who in them can use the keys`,
          ],
        }),
        assumptions: () =>
          identity
            ? []
            : [
                'Account sharding: the target does not model IAM here; the shard principals need KMS permissions in their accounts.',
              ],
      }
    },
  }
}
