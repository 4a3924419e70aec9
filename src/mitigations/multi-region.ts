/**
 * Multi-Region spreading: the scenario's multi-Region keys get replicas in more Regions
 * (ReplicateKey, before the run), and each host sends its calls to the Region where it has
 * made the fewest calls in the current second. KMS quotas are per account *and Region*, so N
 * Regions give N times the quota (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html;
 * multi-Region keys: https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).
 *
 * Ciphertexts are decrypted where the data is (`decrypt: 'home'`): in the Region whose key
 * made them (a replica shares the key material, but the data lives where it was written),
 * and ciphertexts made before the run in the key's home Region. `decrypt: 'spread'` spreads
 * Decrypt too (any replica can decrypt: cross-Region reads of the data are then assumed).
 *
 * The cost: $1/month per replica, and a cross-Region round trip the latency model does not
 * add. S3 SSE-KMS calls stay where the bucket is.
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
import { enumOption, invalidMitigation, parseOptions, regionOption } from './params.ts'
import { CIPHERTEXT_OPERATIONS, inRegion, outputBlob, reroutingInvoker, Rewrites } from './routing.ts'

/** Options of {@link multiRegion}. */
export interface MultiRegionOptions {
  /** Regions to add replicas in (the keys' own Region is always used). Required. */
  regions: string[]
  /** The scenario's keys to spread (they must be declared `multiRegion: true`). @default every multi-Region key */
  keys?: string[]
  /** `home`: decrypt where the ciphertext was made; `spread`: like any other call. @default 'home' */
  decrypt?: 'home' | 'spread'
}

const schema = z.object({
  regions: z
    .array(regionOption, { error: 'regions must be a list of AWS Region names' })
    .min(1, { error: 'regions must name at least one Region to add replicas in' }),
  keys: z.array(z.string()).min(1).optional(),
  decrypt: enumOption('decrypt', ['home', 'spread']).optional(),
})

/** Spreads calls over multi-Region key replicas. `multiRegion({ regions: ['eu-west-2', 'eu-central-1'] })`. */
export function multiRegion(options: MultiRegionOptions): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('multi-region', options, parsed.problems)
  const o = parsed.value
  const decryptMode = o.decrypt ?? 'home'
  const duplicates = o.regions.filter((r, i) => o.regions.indexOf(r) !== i)
  if (duplicates.length > 0)
    return invalidMitigation('multi-region', options, [
      { path: ['regions'], message: `Region ${duplicates[0]} is listed twice` },
    ])
  return {
    name: 'multi-region',
    params: {
      regions: o.regions.join(','),
      decrypt: decryptMode,
      ...(o.keys !== undefined ? { keys: o.keys.join(',') } : {}),
    },
    assumptions: [
      'Multi-Region spreading: each host sends each call to the Region where it made the fewest calls this second; no cross-Region network latency is added.',
      decryptMode === 'home'
        ? 'Multi-Region spreading: ciphertexts are decrypted in the Region that made them (where the data is).'
        : 'Multi-Region spreading: Decrypt is spread like other calls (the data is read across Regions).',
    ],
    start(ctx: MitigationContext): MitigationRun {
      /** key name → its Regions (home first) */
      const spread = new Map<string, { key: ResolvedKey; regions: string[] }>()
      let replicas = 0
      const calls = new Map<string, number>()
      /** the Region each ciphertext made during the run was made in */
      const blobRegion = new WeakMap<Uint8Array, string>()
      const inputs = new Rewrites<OperationInputs[OperationName]>()
      const callers = new Rewrites<CallerInput>()
      const regionIndex = new Map<string, number>()
      const indexOf = (r: string): number => {
        let i = regionIndex.get(r)
        if (i === undefined) regionIndex.set(r, (i = regionIndex.size))
        return i
      }

      return {
        async setup(kms: SetupKms): Promise<void> {
          const wanted = o.keys ?? [...ctx.keys.values()].filter((k) => k.keyId.startsWith('mrk-')).map((k) => k.name)
          if (wanted.length === 0)
            throw new Error(
              'multi-region: the scenario has no multi-Region key: declare its key with multiRegion: true',
            )
          for (const name of wanted) {
            const key = ctx.keys.get(name)
            if (key === undefined)
              throw new Error(
                `multi-region: the scenario has no key '${name}' (keys: ${[...ctx.keys.keys()].join(', ')})`,
              )
            if (!key.keyId.startsWith('mrk-'))
              throw new Error(
                `multi-region: key '${name}' is not a multi-Region key: declare it with multiRegion: true`,
              )
            const regions = [key.region]
            for (const r of o.regions) {
              if (r === key.region) continue
              await kms.call(
                'ReplicateKey',
                { KeyId: key.arn, ReplicaRegion: r },
                { account: key.account, region: key.region },
              )
              replicas++
              regions.push(r)
            }
            spread.set(name, { key, regions })
          }
        },
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          // This host's calls per Region in the current second.
          let second = -1
          const load = new Map<string, number>()
          const leastLoaded = (regions: readonly string[]): string => {
            const s = Math.floor(host.now() / 1000)
            if (s !== second) {
              second = s
              load.clear()
            }
            let best = regions[0] as string
            let bestLoad = load.get(best) ?? 0
            for (let i = 1; i < regions.length; i++) {
              const r = regions[i] as string
              const l = load.get(r) ?? 0
              if (l < bestLoad) {
                best = r
                bestLoad = l
              }
            }
            load.set(best, bestLoad + 1)
            return best
          }
          /** The call as sent and the Region it goes to (even its own: where its ciphertext is made); undefined: a key not spread. */
          const route = (call: KmsCallSpec): { call: KmsCallSpec; tag: string } | undefined => {
            const entry =
              call.meta.s3 === undefined && call.meta.service === undefined && call.meta.keyName !== undefined
                ? spread.get(call.meta.keyName)
                : undefined
            if (entry === undefined) return undefined
            let region: string
            if (CIPHERTEXT_OPERATIONS.has(call.operation) && decryptMode === 'home') {
              const blob = (call.input as { CiphertextBlob?: Uint8Array }).CiphertextBlob
              region = (blob !== undefined ? blobRegion.get(blob) : undefined) ?? entry.key.region
            } else region = leastLoaded(entry.regions)
            calls.set(region, (calls.get(region) ?? 0) + 1)
            const from = call.caller.region ?? ctx.region
            if (region === from) return { call, tag: region }
            const slot = indexOf(region)
            const caller = callers.get(call.caller, slot, (c): CallerInput => ({ ...c, region }))
            const input = inputs.get(call.input, slot, (i) =>
              'KeyId' in i && typeof i.KeyId === 'string' ? { ...i, KeyId: inRegion(i.KeyId, region) } : i,
            )
            return { call: withCaller(call, caller, input), tag: region }
          }
          return reroutingInvoker(next, route, (region, out) => {
            const blob = outputBlob(out)
            if (blob !== undefined) blobRegion.set(blob, region)
          })
        },
        billedKeys: () => replicas,
        stats: () => {
          const s: Record<string, number> = { replicas }
          for (const [r, n] of calls) s[`calls:${r}`] = n
          return s
        },
        exposure: (): Partial<Exposure> => ({
          notes:
            replicas > 0
              ? [
                  `the keys exist in ${new Set([...spread.values()].flatMap((e) => e.regions)).size} Regions: replicas share key material, so each Region's key policy and administrators can use every ciphertext`,
                ]
              : [],
        }),
      }
    },
  }
}
