/**
 * The client a scenario's hosts run, as scenarios and the CLI give it: `client: { sdk, mode,
 * maxAttempts }` at the scenario and per variant, host groups with their own client in
 * `fleet.groups` (a mixed fleet: a boto3 fleet and a JavaScript fleet on one account), and a
 * variant's `groupClients` overriding groups by name. Resolved to one {@link ClientRetrySetting}
 * per variant, which the client retry layer turns into each host's SDK model (`sdk-models.ts`).
 */
import { z } from 'zod'
import { DEFAULT_MODE, SDK_NAMES, type SdkName, type SdkRetryMode, sdkModes, sdkRetryModel } from './sdk-models.ts'

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

const MODES = ['none', 'legacy', 'standard', 'adaptive'] as const

/** `client: { sdk, mode, maxAttempts }`: the SDK's default mode and attempts unless given. */
export const clientSchema = z
  .strictObject({
    sdk: z.enum(SDK_NAMES).default('js-v3'),
    mode: z.enum(MODES).optional(),
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

/** A `client` as a setting: the SDK's default mode and that mode's attempts filled in. */
export function clientSetting(c: ClientSpec): ClientRetrySetting {
  const mode = c.mode ?? DEFAULT_MODE[c.sdk]
  const maxAttempts = c.maxAttempts ?? sdkRetryModel(c.sdk, { mode }).maxAttempts
  return { mode, maxAttempts, ...(c.sdk !== 'js-v3' ? { sdk: c.sdk } : {}) }
}

/** The JavaScript SDK's default client: standard retries, 3 attempts. */
export const DEFAULT_CLIENT: ClientRetrySetting = Object.freeze({ mode: 'standard', maxAttempts: 3 })

/**
 * The client setting of one variant: the CLI's override (every host, groups dropped), else the
 * variant's (`client` or `retry`), else the scenario's, else the JS SDK's default; then the
 * fleet's groups, each with its own client (the variant's `groupClients` first).
 */
export function resolveClient(args: {
  override?: ClientRetrySetting | undefined
  variant: {
    client?: ClientSpec | undefined
    retry?: ClientRetrySetting | undefined
    groupClients?: Record<string, ClientSpec> | undefined
  }
  scenario: { client?: ClientSpec | undefined; retry?: ClientRetrySetting | undefined }
  groups?: readonly HostGroupSpec[] | undefined
}): ClientRetrySetting {
  if (args.override !== undefined) return args.override
  const v = args.variant
  const own = v.client !== undefined ? clientSetting(v.client) : v.retry
  const base =
    own ??
    (args.scenario.client !== undefined ? clientSetting(args.scenario.client) : args.scenario.retry) ??
    DEFAULT_CLIENT
  const groups = args.groups ?? []
  if (groups.length === 0) return base
  let first = 0
  const out: HostGroupClient[] = []
  for (const g of groups) {
    const c = v.groupClients?.[g.name] ?? (own === undefined ? g.client : undefined)
    const s = c !== undefined ? clientSetting(c) : base
    out.push({ name: g.name, first, count: g.hosts, sdk: s.sdk ?? 'js-v3', mode: s.mode, maxAttempts: s.maxAttempts })
    first += g.hosts
  }
  return { ...base, groups: out }
}

/** Whether every host of a setting runs the JavaScript SDK (the real client can then retry on endpoints). */
export function allJavaScript(s: ClientRetrySetting): boolean {
  return (s.sdk ?? 'js-v3') === 'js-v3' && (s.groups ?? []).every((g) => (g.sdk ?? 'js-v3') === 'js-v3')
}
