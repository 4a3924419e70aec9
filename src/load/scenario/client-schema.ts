/**
 * What a scenario may say about its hosts' client: the SDKs modelled and their retry modes, the
 * `client: { sdk, mode, maxAttempts }` schema (at the scenario, per variant, per host group),
 * and the checks of a fleet's host groups. The client module (`../client/`) turns these into
 * each host's SDK retry model; this file is the vocabulary, so the scenario schema does not
 * depend on the client's behaviour.
 */
import { z } from 'zod'

/** The SDKs modelled. */
export const SDK_NAMES = ['js-v3', 'boto3', 'java-v2', 'go-v2'] as const
/** An SDK whose client a host runs. */
export type SdkName = (typeof SDK_NAMES)[number]
/** Retry modes; `adaptive` is Java's `ADAPTIVE_V2`; `none` makes one attempt. */
export type SdkRetryMode = 'none' | 'legacy' | 'standard' | 'adaptive'

/** The default mode of each SDK's client when nothing is configured. */
export const DEFAULT_MODE: Readonly<Record<SdkName, SdkRetryMode>> = Object.freeze({
  'js-v3': 'standard',
  boto3: 'legacy', // botocore configprovider: 'legacy' unless AWS_NEW_RETRIES_2026
  'java-v2': 'legacy', // RetryMode.fromDefaultChain: orElse(LEGACY)
  'go-v2': 'standard',
})

const MODES: Readonly<Record<SdkName, readonly SdkRetryMode[]>> = {
  'js-v3': ['none', 'standard', 'adaptive'],
  boto3: ['none', 'legacy', 'standard', 'adaptive'],
  'java-v2': ['none', 'legacy', 'standard', 'adaptive'],
  'go-v2': ['none', 'standard', 'adaptive'],
}

/** The modes an SDK offers. */
export function sdkModes(sdk: SdkName): readonly SdkRetryMode[] {
  return MODES[sdk]
}

/** Whether `name` is an SDK this project models. */
export function isSdkName(name: unknown): name is SdkName {
  return typeof name === 'string' && (SDK_NAMES as readonly string[]).includes(name)
}

/** A group of hosts (`count` hosts from host index `first`) running its own client. */
export interface HostGroupClient {
  readonly name: string
  readonly first: number
  readonly count: number
  readonly sdk?: SdkName
  readonly mode?: SdkRetryMode
  readonly maxAttempts?: number
}

/** Client retry settings of a variant (the AWS SDK's, per SDK). */
export interface ClientRetrySetting {
  mode: SdkRetryMode
  /** attempts including the first */
  maxAttempts: number
  /** @default 'js-v3' */
  sdk?: SdkName
  /** host ranges with another client */
  groups?: readonly HostGroupClient[]
}

const MODE_NAMES = ['none', 'legacy', 'standard', 'adaptive'] as const

/** `client: { sdk, mode, maxAttempts }`: the SDK's default mode and attempts unless given. */
export const clientSchema = z
  .strictObject({
    sdk: z.enum(SDK_NAMES).default('js-v3'),
    mode: z.enum(MODE_NAMES).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mode !== undefined && !sdkModes(c.sdk).includes(c.mode))
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `${c.sdk} has no retry mode '${c.mode}' (it has ${sdkModes(c.sdk).join(', ')})`,
      })
  })
/** A parsed `client`. */
export type ClientSpec = z.output<typeof clientSchema>

/** `fleet.groups[]`: `hosts` hosts (in order) with their own client and, optionally, principal. */
export const hostGroupSchema = z.strictObject({
  name: z.string().min(1),
  hosts: z.number().int().positive(),
  client: clientSchema.optional(),
  /** one of the scenario's principals (its hosts call as it). @default host i uses principal i mod n */
  principal: z.string().optional(),
})
export type HostGroupSpec = z.output<typeof hostGroupSchema>

/** Problems of a fleet's groups: their hosts must add up to the fleet, principals must be declared. */
export function groupProblems(
  fleet: { hosts: number; groups?: readonly HostGroupSpec[] | undefined },
  principals: readonly string[] | undefined,
  variants: readonly { groupClients?: Record<string, unknown> | undefined }[],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = []
  const groups = fleet.groups ?? []
  const names = new Set(groups.map((g) => g.name))
  if (groups.length > 0) {
    const sum = groups.reduce((a, g) => a + g.hosts, 0)
    if (sum !== fleet.hosts)
      out.push({ path: ['fleet', 'groups'], message: `groups have ${sum} hosts in all, the fleet has ${fleet.hosts}` })
    if (names.size !== groups.length) out.push({ path: ['fleet', 'groups'], message: 'group names must be unique' })
  }
  for (const [i, g] of groups.entries())
    if (g.principal !== undefined && !(principals ?? []).includes(g.principal))
      out.push({
        path: ['fleet', 'groups', i, 'principal'],
        message: `'${g.principal}' is not one of the scenario's principals`,
      })
  for (const [i, v] of variants.entries())
    for (const n of Object.keys(v.groupClients ?? {}))
      if (!names.has(n)) out.push({ path: ['variants', i, 'groupClients', n], message: `no fleet group named '${n}'` })
  return out
}
