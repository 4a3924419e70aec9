/**
 * The client a scenario's hosts run, as scenarios and the CLI give it: `client: { sdk, mode,
 * maxAttempts }` at the scenario and per variant, host groups with their own client in
 * `fleet.groups` (a mixed fleet: a boto3 fleet and a JavaScript fleet on one account), and a
 * variant's `groupClients` overriding groups by name. Resolved to one {@link ClientRetrySetting}
 * per variant, which the client retry layer turns into each host's SDK model (`sdk-models.ts`).
 */
import {
  type ClientRetrySetting,
  type ClientSpec,
  DEFAULT_MODE,
  type HostGroupClient,
  type HostGroupSpec,
} from '../scenario/index.ts'
import { sdkRetryModel } from './sdk-models.ts'

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
