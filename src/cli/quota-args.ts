/**
 * The quota flags of `serve` and `run`: `--profile NAME|FILE` and repeated `--quota POOL=RPS`,
 * parsed into emulator options. Every problem is a usage error (exit 2) that names it.
 *
 * Use with `node:util` `parseArgs`: spread {@link QUOTA_ARG_OPTIONS} into its `options`, then
 * pass the parsed `profile` and `quota` values to {@link parseQuotaArgs}.
 */
import { resolve } from 'node:path'
import {
  BUILT_IN_PROFILES,
  NO_QUOTA_PROFILE,
  profileNames,
  QuotaConfigError,
  resolveQuotaConfig,
  type QuotaProfileInput,
} from '../quota/index.ts'
import { type CliError, usageError } from './cli-error.ts'
import { readTextFile } from './files.ts'

/** `parseArgs` option definitions of the quota flags. */
export const QUOTA_ARG_OPTIONS = {
  profile: { type: 'string' },
  quota: { type: 'string', multiple: true },
} as const

/** Help text lines for the quota flags. */
export const QUOTA_ARGS_USAGE = [
  `  --profile NAME|FILE   quota profile: ${profileNames().join(', ')}, or a JSON profile file (default aws-default)`,
  "  --quota POOL=RPS      set one pool's limit in requests/s (a quota increase); repeatable.",
  '                        POOL: symmetric, rsa, ecc, ml-dsa, custom-key-store[:ID], hot-key, api:<Operation>,',
  '                        key-pair:<KeyPairSpec>, optionally prefixed by a Region: eu-west-1/symmetric',
].join('\n')

/** Emulator options from the quota flags. */
export interface QuotaArgs {
  /** A built-in profile name, or the profile object read from a file. */
  readonly profile: string | QuotaProfileInput
  /** Per-pool overrides (requests/s). */
  readonly quotas: Readonly<Record<string, number>>
}

/** The flag values `parseArgs` produced. */
export interface QuotaFlagValues {
  readonly profile?: string | undefined
  readonly quota?: readonly string[] | undefined
}

/**
 * Parses and validates the quota flags (reading a profile file relative to `cwd`). Throws a
 * {@link CliError} (exit 2) naming every problem.
 */
export async function parseQuotaArgs(values: QuotaFlagValues, cwd: string): Promise<QuotaArgs> {
  const quotas: Record<string, number> = {}
  const problems: string[] = []
  for (const spec of values.quota ?? []) {
    const eq = spec.indexOf('=')
    const pool = eq >= 0 ? spec.slice(0, eq).trim() : ''
    const text = eq >= 0 ? spec.slice(eq + 1).trim() : ''
    if (eq < 0 || pool === '' || text === '') {
      problems.push(`--quota '${spec}' must be POOL=RPS, e.g. symmetric=50000`)
      continue
    }
    const rps = Number(text.replaceAll('_', ''))
    if (!Number.isFinite(rps) || rps < 0) {
      problems.push(`--quota '${spec}': '${text}' is not a number of requests per second >= 0`)
      continue
    }
    if (pool in quotas) {
      problems.push(`--quota '${pool}' is given more than once`)
      continue
    }
    quotas[pool] = rps
  }

  let profile: string | QuotaProfileInput = values.profile ?? 'aws-default'
  let source = ''
  if (values.profile !== undefined && !isProfileName(values.profile)) {
    if (looksLikePath(values.profile)) {
      source = ` (profile file ${values.profile})`
      const what = `quota profile file '${values.profile}'`
      const text = await readTextFile(resolve(cwd, values.profile), { what })
      try {
        profile = JSON.parse(text) as QuotaProfileInput
      } catch (e) {
        throw usageError(`cannot read ${what}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    // else: an unknown name; resolveQuotaConfig names it with a "did you mean"
  }

  try {
    resolveQuotaConfig({ profile, quotas })
  } catch (e) {
    if (e instanceof QuotaConfigError) problems.push(...e.problems.map((p) => p + source))
    else throw e
  }
  if (problems.length > 0)
    throw usageError(
      problems.join('\n'),
      'see `--help` for the quota pools and profiles; a profile file is JSON: {"extends": "aws-default", "defaults": {"symmetric": 50000}}',
    )
  return { profile, quotas }
}

/** Maps a `QuotaConfigError` from `createEmulator` to a usage error (exit 2); other errors pass through as `undefined`. */
export function quotaConfigCliError(e: unknown): CliError | undefined {
  return e instanceof QuotaConfigError ? usageError(e.message) : undefined
}

function isProfileName(value: string): boolean {
  return value === NO_QUOTA_PROFILE || BUILT_IN_PROFILES.has(value)
}

function looksLikePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || value.endsWith('.json') || value.startsWith('.')
}
