/**
 * Quota configuration: a profile (name or object), per-pool overrides that model a quota
 * increase, the enforcement mode and a scale factor, validated together so that one error
 * names every problem.
 */
import { z } from 'zod'
import { isKnownRegion, suggestRegion } from '../regions.ts'
import type { QuotaMode } from './limiter.ts'
import { DEFAULT_RETENTION_SECONDS } from './meter.ts'
import { closestName } from '../suggest.ts'
import { CUSTOM_KEY_STORE_POOL, poolNameProblem } from './pools.ts'
import {
  BUILT_IN_PROFILES,
  NO_QUOTA_PROFILE,
  profileNames,
  type QuotaProfile,
  type QuotaProfileInput,
} from './profiles.ts'

/** The quota settings of `createEmulator`. */
export interface QuotaOptions {
  /**
   * Quota profile: a built-in name (`'aws-default'`, `'aws-2020'`, `'aws-2018-08'`,
   * `'aws-pre-2018-08'`), `'none'` for no quotas at all, or a profile object.
   * @default 'aws-default'
   */
  profile?: string | QuotaProfileInput
  /**
   * Per-pool limits in requests/s that replace the profile's (a quota increase or decrease),
   * e.g. `{ symmetric: 50_000, 'api:CreateKey': 10 }`. Prefix a Region to change one Region
   * only: `{ 'eu-west-1/symmetric': 30_000 }`. With profile `'none'`, only these pools are
   * limited.
   * @default {}
   */
  quotas?: Record<string, number>
  /**
   * `'fixed-window'` as AWS documents it, or `'token-bucket'` (capacity one second's worth,
   * for what-if studies of burst).
   * @default 'fixed-window'
   */
  quotaMode?: QuotaMode
  /**
   * Multiplies every limit, for scale models (the load engine's `--scale F`). Limits below
   * 1/s are enforced in longer windows (see `limiter.ts`).
   * @default 1
   */
  quotaScale?: number
  /**
   * Seconds of per-second usage kept per pool for `usage().seconds` (active seconds only).
   * @default 3600
   */
  usageRetentionSeconds?: number
}

/** Thrown by `createEmulator` for a bad profile or override; `problems` lists every one. */
export class QuotaConfigError extends Error {
  override readonly name = 'QuotaConfigError'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`invalid quota configuration: ${problems.join('; ')}`)
    this.problems = problems
  }
}

/** A validated quota configuration. */
export interface ResolvedQuotaConfig {
  /** The base profile (after `extends`). */
  readonly profile: QuotaProfile
  readonly mode: QuotaMode
  readonly scale: number
  readonly retentionSeconds: number
  /**
   * The limit (requests/s, scaled) of `pool` in `region`, or `undefined` when the pool has
   * no quota. `custom-key-store:<id>` falls back to `custom-key-store`.
   */
  limit(region: string, pool: string): number | undefined
}

// Values are checked by rateProblem() below, for messages that say what is wrong with them.
const rateRecord = z.record(z.string(), z.unknown())
const profileSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  extends: z.string().optional(),
  defaults: rateRecord.optional(),
  regions: z.record(z.string(), rateRecord).optional(),
})

/**
 * Checks a profile object (e.g. parsed from a JSON file) and returns it as a complete
 * profile. Throws {@link QuotaConfigError} naming every problem.
 */
export function parseProfile(input: unknown): QuotaProfile {
  const problems: string[] = []
  const profile = checkProfile(input, problems)
  if (profile === undefined || problems.length > 0) throw new QuotaConfigError(problems)
  return profile
}

/**
 * Validates quota options. Returns `undefined` when no quota applies at all (profile
 * `'none'` without overrides), so the emulator can skip the gate. Throws
 * {@link QuotaConfigError} naming every problem.
 */
export function resolveQuotaConfig(options: QuotaOptions): ResolvedQuotaConfig | undefined {
  const problems: string[] = []
  const profileOption = options.profile ?? 'aws-default'
  let profile: QuotaProfile | undefined
  let none = false
  if (typeof profileOption === 'string') {
    if (profileOption === NO_QUOTA_PROFILE) {
      none = true
      profile = { name: NO_QUOTA_PROFILE, description: 'no quotas', source: '', defaults: {}, regions: {} }
    } else {
      profile = BUILT_IN_PROFILES.get(profileOption)
      if (profile === undefined) problems.push(unknownProfile(profileOption))
    }
  } else {
    profile = checkProfile(profileOption, problems)
  }

  const global = new Map<string, number>()
  const byRegion = new Map<string, Map<string, number>>()
  const quotas = options.quotas ?? {}
  if (typeof quotas !== 'object' || quotas === null || Array.isArray(quotas)) {
    problems.push('quotas must be an object of pool name to requests per second')
  } else {
    for (const [name, value] of Object.entries(quotas)) {
      const slash = name.indexOf('/')
      const region = slash >= 0 ? name.slice(0, slash) : undefined
      const pool = slash >= 0 ? name.slice(slash + 1) : name
      const where = `quota '${name}'`
      if (region !== undefined) {
        const p = regionProblem(region)
        if (p !== undefined) problems.push(`${where}: ${p}`)
      }
      const p = poolNameProblem(pool)
      if (p !== undefined) problems.push(`${where}: ${p}`)
      const v = rateProblem(value)
      if (v !== undefined) problems.push(`${where}: ${v}`)
      if (region === undefined) global.set(pool, value)
      else {
        let m = byRegion.get(region)
        if (m === undefined) byRegion.set(region, (m = new Map()))
        m.set(pool, value)
      }
    }
  }

  const mode = options.quotaMode ?? 'fixed-window'
  if (mode !== 'fixed-window' && mode !== 'token-bucket')
    problems.push(`quotaMode must be 'fixed-window' or 'token-bucket', got ${JSON.stringify(mode)}`)
  const scale = options.quotaScale ?? 1
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0)
    problems.push(`quotaScale must be a finite number > 0, got ${String(scale)}`)
  const retentionSeconds = options.usageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS
  if (typeof retentionSeconds !== 'number' || !Number.isInteger(retentionSeconds) || retentionSeconds < 1) {
    problems.push(`usageRetentionSeconds must be a whole number >= 1, got ${String(retentionSeconds)}`)
  }

  if (problems.length > 0 || profile === undefined) throw new QuotaConfigError(problems)
  if (none && global.size === 0 && byRegion.size === 0) return undefined

  const base = profile
  return {
    profile: base,
    mode,
    scale,
    retentionSeconds,
    limit(region: string, pool: string): number | undefined {
      const raw =
        lookup(region, pool) ??
        (pool.startsWith(`${CUSTOM_KEY_STORE_POOL}:`) ? lookup(region, CUSTOM_KEY_STORE_POOL) : undefined)
      return raw === undefined ? undefined : raw * scale
    },
  }

  function lookup(region: string, pool: string): number | undefined {
    return byRegion.get(region)?.get(pool) ?? global.get(pool) ?? base.regions[region]?.[pool] ?? base.defaults[pool]
  }
}

function checkProfile(input: unknown, problems: string[]): QuotaProfile | undefined {
  const parsed = profileSchema.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.length > 0 ? `profile.${issue.path.map(String).join('.')}` : 'profile'
      problems.push(`${path}: ${issue.message}`)
    }
    return undefined
  }
  const p = parsed.data as QuotaProfileInput
  let base: QuotaProfile | undefined
  if (p.extends !== undefined) {
    base = BUILT_IN_PROFILES.get(p.extends)
    if (base === undefined) problems.push(`profile.extends: ${unknownProfile(p.extends, false)}`)
  }
  const defaults: Record<string, number> = { ...base?.defaults }
  for (const [pool, value] of Object.entries(p.defaults ?? {})) {
    const pp = poolNameProblem(pool)
    if (pp !== undefined) problems.push(`profile.defaults: ${pp}`)
    const v = rateProblem(value)
    if (v !== undefined) problems.push(`profile.defaults.${pool}: ${v}`)
    defaults[pool] = value
  }
  const regions: Record<string, Record<string, number>> = {}
  for (const [region, table] of Object.entries(base?.regions ?? {})) regions[region] = { ...table }
  for (const [region, table] of Object.entries(p.regions ?? {})) {
    const rp = regionProblem(region)
    if (rp !== undefined) problems.push(`profile.regions: ${rp}`)
    const merged = (regions[region] ??= {})
    for (const [pool, value] of Object.entries(table)) {
      const pp = poolNameProblem(pool)
      if (pp !== undefined) problems.push(`profile.regions.${region}: ${pp}`)
      const v = rateProblem(value)
      if (v !== undefined) problems.push(`profile.regions.${region}.${pool}: ${v}`)
      merged[pool] = value
    }
  }
  return {
    name: p.name ?? 'custom',
    description: p.description ?? (base !== undefined ? `${base.name} with changes` : 'custom profile'),
    source: p.source ?? 'user-supplied',
    defaults,
    regions,
  }
}

function unknownProfile(name: string, allowNone = true): string {
  const known = allowNone ? profileNames() : [...BUILT_IN_PROFILES.keys()]
  const hint = closestName(name, known)
  return `unknown quota profile '${name}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}; known profiles: ${known.join(', ')}`
}

function regionProblem(region: string): string | undefined {
  if (isKnownRegion(region)) return undefined
  const hint = suggestRegion(region)
  return `unknown Region '${region}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`
}

function rateProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return `a quota must be a finite number of requests per second >= 0, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`
  }
  return undefined
}
