import { at } from '../util/index.ts'
/**
 * Fault specifications: what AWS Fault Injection Service would inject into KMS if it could
 * (its API-throttle and API-error actions support only `ec2` and `kinesis`:
 * https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html). A fault names
 * the operations it hits (or all), the percentage of matching calls, a time window, and a kind:
 *
 * - `KMSInternalException` (HTTP 500), `DependencyTimeoutException` (503),
 *   `KeyUnavailableException` (500): AWS's server-side errors, which the SDKs retry as transient
 *   (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html);
 * - `ThrottlingException`: throttling beyond the quota (an injected brown-out of the front door);
 * - `latency`: added service time, fixed, uniform or exponential;
 * - `reset` / `hang`: the connection is reset, or never answered (the endpoint only).
 *
 * CLI form (`kms-bench serve --fault SPEC`): comma-separated `key=value` pairs, the kind first
 * (optionally without `kind=`): `KMSInternalException,op=Decrypt+Encrypt,percent=20,start=30s,duration=10s`,
 * `latency,ms=200`, `latency,ms=100-500` (uniform), `latency,ms=exp:200` (exponential mean),
 * `hang,percent=1`. Durations take `ms`, `s`, `m`, `h` suffixes (bare numbers are seconds).
 */

/** Every fault kind. */
export const FAULT_KINDS = [
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ThrottlingException',
  'latency',
  'reset',
  'hang',
] as const
/** A fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Added latency: fixed ms, uniform in [min, max], or exponential with a mean. */
export type FaultLatency =
  | { readonly ms: number }
  | { readonly min: number; readonly max: number }
  | { readonly mean: number }

/** One fault (scenario `faults: [...]`, `serve --fault`). */
export interface FaultSpec {
  readonly kind: FaultKind
  /** operations hit. @default every operation */
  readonly operations?: string[]
  /** percentage of matching calls hit, 0–100. @default 100 */
  readonly percent?: number
  /** seconds from the start (of the run, or of `serve`) the fault begins. @default 0 */
  readonly start?: number
  /** seconds it lasts. @default until the end */
  readonly duration?: number
  /** for `latency`: the added service time */
  readonly latency?: FaultLatency
}

/** A fault that cannot be used. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError'
}

function seconds(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (m === null) throw new FaultSpecError(`${what}: '${text}' is not a duration (e.g. 30s, 500ms, 2m)`)
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n
}

function millis(text: string, what: string): number {
  return seconds(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text}ms` : text, what) * 1000
}

/** Parses the CLI form (see the module comment). */
export function parseFaultSpec(text: string): FaultSpec {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const out: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = { kind: 'latency' }
  let kind: string | undefined
  for (const [i, p] of parts.entries()) {
    const eq = p.indexOf('=')
    const key = eq < 0 ? (i === 0 ? 'kind' : p) : p.slice(0, eq).trim()
    const value = eq < 0 ? p : p.slice(eq + 1).trim()
    const where = `--fault '${text}'`
    if (key === 'kind') kind = value
    else if (key === 'op' || key === 'ops' || key === 'operations')
      out.operations = value.split('+').map((o) => o.trim())
    else if (key === 'percent') out.percent = Number(value.replace(/%$/, ''))
    else if (key === 'start') out.start = seconds(value, `${where}: start`)
    else if (key === 'duration') out.duration = seconds(value, `${where}: duration`)
    else if (key === 'ms') {
      const exp = /^exp:(.+)$/.exec(value)
      const range = /^([\d.]+)-([\d.]+)$/.exec(value)
      out.latency = exp
        ? { mean: millis(at(exp, 1), `${where}: ms`) }
        : range
          ? { min: Number(range[1]), max: Number(range[2]) }
          : { ms: millis(value, `${where}: ms`) }
    } else throw new FaultSpecError(`${where}: unknown field '${key}' (kind, op, percent, start, duration, ms)`)
  }
  if (kind === undefined) throw new FaultSpecError(`--fault '${text}': names no kind (${FAULT_KINDS.join(', ')})`)
  out.kind = kind as FaultKind
  return checkFault(out, `--fault '${text}'`)
}

/** Checks a fault (from a scenario or the CLI); throws {@link FaultSpecError} naming `where`. */
export function checkFault(f: FaultSpec, where: string): FaultSpec {
  if (!(FAULT_KINDS as readonly string[]).includes(f.kind))
    throw new FaultSpecError(`${where}: unknown kind '${f.kind}' (one of ${FAULT_KINDS.join(', ')})`)
  if (f.percent !== undefined && !(f.percent >= 0 && f.percent <= 100))
    throw new FaultSpecError(`${where}: percent must be from 0 to 100, got ${f.percent}`)
  for (const [k, v] of [
    ['start', f.start],
    ['duration', f.duration],
  ] as const)
    if (v !== undefined && !(Number.isFinite(v) && v >= 0))
      throw new FaultSpecError(`${where}: ${k} must be a non-negative number of seconds, got ${v}`)
  if (f.kind === 'latency') {
    const l = f.latency
    if (l === undefined)
      throw new FaultSpecError(`${where}: a latency fault needs ms (e.g. ms=200, ms=100-500, ms=exp:200)`)
    const nums = Object.values(l) as number[]
    if (nums.some((n) => !(Number.isFinite(n) && n >= 0)))
      throw new FaultSpecError(`${where}: latency must be non-negative milliseconds`)
    if ('min' in l && l.max < l.min) throw new FaultSpecError(`${where}: latency range max is below min`)
  } else if (f.latency !== undefined) throw new FaultSpecError(`${where}: ms applies to latency faults only`)
  if (f.operations !== undefined && f.operations.length === 0)
    throw new FaultSpecError(`${where}: op names no operation`)
  return f
}

/** One line for `assumptions` and reports. */
export function describeFault(f: FaultSpec): string {
  const ops = f.operations === undefined ? 'every operation' : f.operations.join(', ')
  const window =
    f.start === undefined && f.duration === undefined
      ? 'for the whole run'
      : `from ${f.start ?? 0} s${f.duration !== undefined ? ` for ${f.duration} s` : ' on'}`
  const what =
    f.kind === 'latency'
      ? `added latency ${describeLatency(f.latency as FaultLatency)}`
      : f.kind === 'reset'
        ? 'connection reset (endpoint only)'
        : f.kind === 'hang'
          ? 'no answer (endpoint only)'
          : f.kind === 'ThrottlingException'
            ? 'ThrottlingException beyond the quota'
            : f.kind
  return `Injected fault: ${what} on ${f.percent ?? 100} % of calls to ${ops}, ${window} (seeded).`
}

function describeLatency(l: FaultLatency): string {
  if ('ms' in l) return `${l.ms} ms`
  if ('min' in l) return `uniform ${l.min}-${l.max} ms`
  return `exponential, mean ${l.mean} ms`
}
