/**
 * Validation of mitigation parameters. Factories never throw on bad input: they return a
 * mitigation carrying its {@link MitigationProblem}s, so `defineScenario` reports every bad
 * parameter of every variant at once, each with its path
 * (`variants.1.mitigations.0.maxAge: data-key-cache: maxAge must be greater than 0`).
 * Schemas are zod; this module turns zod's issues into one sentence per problem and adds a
 * "did you mean" hint for misspelt option names.
 */
import { z } from 'zod'
import { DurationFormatError, parseDuration, type Mitigation, type MitigationProblem } from '../load/index.ts'
import { isKnownRegion, suggestRegion } from '../regions.ts'
import { closestName } from '../suggest.ts'

/** A mitigation used although its parameters are bad (outside `defineScenario`). */
export class MitigationConfigError extends Error {
  override readonly name = 'MitigationConfigError'
  readonly problems: readonly MitigationProblem[]

  constructor(mitigation: string, problems: readonly MitigationProblem[]) {
    super(
      `${mitigation}: ${problems.map((p) => (p.path.length > 0 ? `${p.path.join('.')}: ${p.message}` : p.message)).join('; ')}`,
    )
    this.problems = problems
  }
}

/** The outcome of {@link parseOptions}. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: MitigationProblem[] }

/**
 * Validates a factory's options against a strict object schema. Unknown options are problems
 * named with the closest known option.
 */
export function parseOptions<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  input: unknown,
): Parsed<z.output<z.ZodObject<Shape>>> {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    return {
      ok: false,
      problems: [
        { path: [], message: `options must be an object, got ${Array.isArray(input) ? 'an array' : String(input)}` },
      ],
    }
  }
  const r = schema.strict().safeParse(input ?? {})
  if (r.success) return { ok: true, value: r.data }
  const known = Object.keys(schema.shape)
  const problems: MitigationProblem[] = []
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const lower = key.toLowerCase()
        const hint =
          closestName(key, known) ??
          known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()))
        problems.push({
          path: [...issue.path, key].map(pathPart),
          message: `unknown option '${key}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}; options: ${known.join(', ')}`,
        })
      }
    } else {
      problems.push({ path: issue.path.map(pathPart), message: issue.message })
    }
  }
  return { ok: false, problems }
}

function pathPart(p: PropertyKey): string | number {
  return typeof p === 'number' ? p : String(p)
}

/**
 * A mitigation whose parameters are bad: it carries the problems (reported by scenario
 * validation) and throws {@link MitigationConfigError} if a run starts it anyway.
 */
export function invalidMitigation(name: string, input: unknown, problems: readonly MitigationProblem[]): Mitigation {
  const params = typeof input === 'object' && input !== null ? { ...(input as Record<string, unknown>) } : {}
  return {
    name,
    params,
    problems,
    start() {
      throw new MitigationConfigError(name, problems)
    },
  }
}

/** A duration option (`'5m'`, `'300s'`, `90` seconds), read as seconds; `positive` refuses 0. */
export function durationOption(option: string, positive: boolean, why = ''): z.ZodType<number, string | number> {
  return z
    .union([z.number(), z.string()], {
      error: `${option} must be a duration such as '5m', '300s' or a number of seconds`,
    })
    .transform((v, ctx) => {
      let seconds: number
      try {
        seconds = parseDuration(v)
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          message: `${option}: ${e instanceof DurationFormatError ? e.message : String(e)}`,
        })
        return z.NEVER
      }
      if (positive && !(seconds > 0)) {
        ctx.addIssue({ code: 'custom', message: `${option} must be greater than 0${why}, got ${JSON.stringify(v)}` })
        return z.NEVER
      }
      return seconds
    })
}

/** An integer option in [min, max]. */
export function intOption(option: string, min: number, max: number, why = ''): z.ZodNumber {
  const range = `${option} must be an integer from ${fmtBound(min)} to ${fmtBound(max)}${why}`
  return z
    .number({ error: (iss) => `${range}, got ${describe(iss.input)}` })
    .int({ error: (iss) => `${range}, got ${describe(iss.input)}` })
    .min(min, { error: (iss) => `${range}, got ${describe(iss.input)}` })
    .max(max, { error: (iss) => `${range}, got ${describe(iss.input)}` })
}

/** A finite number option in [min, max]. */
export function numberOption(option: string, min: number, max: number, why = ''): z.ZodNumber {
  const range = `${option} must be a number from ${fmtBound(min)} to ${fmtBound(max)}${why}`
  return z
    .number({ error: (iss) => `${range}, got ${describe(iss.input)}` })
    .min(min, { error: (iss) => `${range}, got ${describe(iss.input)}` })
    .max(max, { error: (iss) => `${range}, got ${describe(iss.input)}` })
}

/** A positive finite number option. */
export function positiveOption(option: string): z.ZodType<number, number> {
  const text = `${option} must be a positive number`
  const error = (iss: { input?: unknown }): string => `${text}, got ${describe(iss.input)}`
  return z.number({ error }).positive({ error }).refine(Number.isFinite, { error })
}

/** One of a few literal values. */
export function enumOption<const T extends readonly [string, ...string[]]>(
  option: string,
  values: T,
): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, {
    error: (iss) => `${option} must be one of ${values.map((v) => `'${v}'`).join(', ')}, got ${describe(iss.input)}`,
  })
}

/** A boolean option. */
export function booleanOption(option: string): z.ZodBoolean {
  return z.boolean({ error: (iss) => `${option} must be true or false, got ${describe(iss.input)}` })
}

/** A known AWS Region, with a "did you mean". */
export const regionOption = z
  .string({ error: 'must be an AWS Region name such as eu-west-1' })
  .superRefine((r, ctx) => {
    if (!isKnownRegion(r)) {
      const hint = suggestRegion(r)
      ctx.addIssue({
        code: 'custom',
        message: `'${r}' is not a known AWS Region${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
      })
    }
  })

/** A 12-digit AWS account id. */
export const accountOption = z
  .string({ error: 'must be a 12-digit AWS account id' })
  .regex(/^\d{12}$/, { error: (iss) => `must be a 12-digit AWS account id, got ${describe(iss.input)}` })

function fmtBound(n: number): string {
  if (n === 2 ** 32) return '2^32'
  if (n === Number.MAX_SAFE_INTEGER) return '2^53-1'
  return String(n)
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v)
  return Array.isArray(v) ? 'an array' : typeof v
}
