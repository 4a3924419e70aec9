/**
 * Scenarios: one workload each, in a TypeScript file that `export default defineScenario({...})`.
 * A scenario declares the Regions, accounts and keys to create, the application requests it
 * models (their kinds are in requests.ts), the operation mix, payload sizes, tenants
 * (encryption-context cardinality), principals, the fleet of application hosts, the arrival
 * schedule, and named variants (a baseline and mitigated ones, each with its own mitigations
 * and quota overrides) that run the same arrivals and are compared side by side.
 *
 * Validation uses zod and reports every problem at once, each with its path
 * (`defineScenario` in define.ts runs it).
 */
import { z } from 'zod'
import { checkFault, FAULT_KINDS, type FaultSpec } from '../../faults/index.ts'
import { closestName } from '../../suggest.ts'
import { parseThreshold, ThresholdError } from '../results/index.ts'
import { parseDuration } from './duration.ts'
import { clientSchema, groupProblems, hostGroupSchema } from './client-schema.ts'
import { parseLatencySpec, type LatencySpec } from './latency-model.ts'
import { isMitigation, mitigationFactory, mitigationNames, NO_MITIGATIONS } from './mitigation-table.ts'
import {
  accountId,
  despiteOtherProblems,
  duration,
  KEY_SPECS,
  KEY_USAGES,
  name,
  principal,
  profileName,
  quotas,
  rate,
  region,
  requestSchema,
  type RequestSpec,
  type SizeSpec,
  strict,
} from './requests.ts'
import type { Mitigation, MitigationTable } from './types.ts'

const keySchema = strict({
  name,
  account: accountId.optional(),
  region: region.optional(),
  spec: z.enum(KEY_SPECS).default('SYMMETRIC_DEFAULT'),
  usage: z.enum(KEY_USAGES).optional(),
  /** `alias/<name>` to create for the key */
  alias: z
    .string()
    .regex(/^alias\/(?!aws\/)[a-zA-Z0-9:/_-]+$/, "must be 'alias/<name>' (alias/aws/ is reserved)")
    .optional(),
  /** `customer` (created, billed) or `aws` (the AWS managed key `alias/aws/<service>`, free) */
  manager: z.enum(['customer', 'aws']).default('customer'),
  /** for AWS managed keys: the service (`s3`, `dynamodb`, ...). @default 's3' */
  service: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('s3'),
  multiRegion: z.boolean().default(false),
  /**
   * the key lives in a custom key store of this type, created and connected at setup (one per
   * account, Region and type); its calls count in that store's 1,800/s pool too. @default none
   */
  customKeyStore: z.enum(['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']).optional(),
  /** rotations done so far (billing: the 1st and 2nd add $1/month each). @default 0 */
  rotations: z.number().int().nonnegative().default(0),
})

const retrySchema = strict({
  mode: z.enum(['none', 'standard', 'adaptive']).default('standard'),
  maxAttempts: z.number().int().min(1).max(100).default(3),
})
/** A threshold (gate) such as `throttleRate < 0.001` (grammar: load/results/thresholds.ts). */
const threshold = z.string().superRefine((t, ctx) => {
  try {
    parseThreshold(t)
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof ThresholdError ? e.message : String(e) })
  }
})

/** A mitigation named declaratively: `{ name: 'data-key-cache', maxAge: '5m' }` (a table's factory and its options). */
export interface MitigationSpec {
  readonly name: string
  readonly [option: string]: unknown
}

/**
 * A variant's mitigation: built by a factory (`dataKeyCache({...})`), or named declaratively
 * (resolved in `table`). Bad parameters the factory found are reported here, each with its path.
 */
const mitigationEntry = (table: MitigationTable) =>
  z
    .custom<Mitigation | MitigationSpec>(() => true)
    .transform((v, ctx): Mitigation => {
      let m: Mitigation
      if (isMitigation(v)) m = v
      else if (
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        typeof (v as { name?: unknown }).name === 'string'
      ) {
        const { name: mitigationName, ...options } = v as MitigationSpec
        const factory = mitigationFactory(table, mitigationName)
        if (factory === undefined) {
          const known = mitigationNames(table)
          const hint = closestName(mitigationName, known)
          ctx.addIssue({
            code: 'custom',
            path: ['name'],
            message: `unknown mitigation '${mitigationName}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`,
          })
          return z.NEVER
        }
        m = factory(options)
      } else {
        ctx.addIssue({
          code: 'custom',
          message:
            "must be a mitigation: built by a factory such as dataKeyCache({ maxAge: '5m' }), or { name: 'data-key-cache', ...options }",
        })
        return z.NEVER
      }
      for (const p of m.problems ?? [])
        ctx.addIssue({ code: 'custom', path: [...p.path], message: `${m.name}: ${p.message}` })
      return m
    })

/** An injected fault (faults/fault-spec.ts): kind, operations, percent, start/duration (seconds), latency. */
const faultSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    operations: z.array(z.string().min(1)).min(1).optional(),
    percent: z.number().min(0).max(100).optional(),
    start: duration.optional(),
    duration: duration.optional(),
    latency: z
      .union([
        strict({ ms: z.number().nonnegative() }),
        strict({ min: z.number().nonnegative(), max: z.number().nonnegative() }),
        strict({ mean: z.number().nonnegative() }),
      ])
      .optional(),
  })
  .transform((f, ctx): FaultSpec => {
    const spec: FaultSpec = {
      ...f,
      ...(f.start !== undefined ? { start: parseDuration(f.start) } : {}),
      ...(f.duration !== undefined ? { duration: parseDuration(f.duration) } : {}),
    } as FaultSpec
    try {
      return checkFault(spec, 'fault')
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) })
      return z.NEVER
    }
  })

const variantSchema = (table: MitigationTable) =>
  strict({
    name,
    description: z.string().optional(),
    mitigations: z.array(mitigationEntry(table)).default([]),
    /** quota overrides for this variant (pool → requests/s), e.g. a quota increase */
    quotas: quotas.optional(),
    profile: profileName.optional(),
    retry: retrySchema.optional(),
    /** the SDK client of every host in this variant (replaces `retry`) */
    client: clientSchema.optional(),
    /** clients of fleet groups by name, in this variant */
    groupClients: z.record(z.string(), clientSchema).optional(),
    /** thresholds (gates) on this variant's figures, e.g. `throttleRate == 0`; a failed one makes `run` exit 1 */
    thresholds: z.array(threshold).optional(),
    /** faults injected in this variant (replace the scenario's) */
    faults: z.array(faultSchema).optional(),
    /** the requests of this variant instead of the scenario's (a service setting: an SQS reuse period, a Secrets Manager cache) */
    requests: z.array(requestSchema).min(1).optional(),
  })

/** `uniform` (evenly spaced) or `poisson` arrivals under the rate curve. */
const arrivalProcess = z.enum(['uniform', 'poisson']).optional()

const traceSchema = strict({
  shape: z.literal('trace'),
  process: arrivalProcess,
  rates: z.array(rate).min(1).optional(),
  /** a CSV file (relative to the scenario file), read by the CLI */
  file: z.string().optional(),
  /** CSV text (CloudWatch export shape: timestamp and value columns) */
  csv: z.string().optional(),
  /**
   * where arrivals fall inside each second: `even` (evenly spaced) or `seeded` (each of the n
   * arrivals of a second at a seeded uniform point of its own 1/n slot: exact counts per second,
   * the order kept, no lattice). @default 'even'
   */
  spread: z.enum(['even', 'seeded']).optional(),
  column: z.string().optional(),
  /** what the CSV values are: `sum` per period (CloudWatch Sum) or `rate` per second. @default 'sum' */
  values: z.enum(['sum', 'rate']).optional(),
  source: z.string().optional(),
})

const scheduleSchema = z.discriminatedUnion('shape', [
  strict({ shape: z.literal('constant'), rate, process: arrivalProcess }),
  strict({ shape: z.literal('poisson'), rate, process: arrivalProcess }),
  strict({
    shape: z.literal('ramp'),
    from: rate,
    to: rate,
    over: duration.optional(),
    process: arrivalProcess,
  }),
  strict({
    shape: z.literal('steps'),
    steps: z.array(strict({ rate, duration })).min(1),
    repeat: z.boolean().optional(),
    process: arrivalProcess,
  }),
  strict({
    shape: z.literal('spike'),
    base: rate,
    peak: rate,
    at: duration,
    duration,
    every: duration.optional(),
    process: arrivalProcess,
  }),
  z
    .strictObject({
      shape: z.literal('sine'),
      mean: rate,
      amplitude: rate,
      period: duration,
      phase: z.number().finite().optional(),
      process: arrivalProcess,
    })
    .refine((s) => s.amplitude <= s.mean, {
      message: 'amplitude must not exceed mean (rates would go negative)',
      path: ['amplitude'],
    }),
  traceSchema.refine((t) => [t.rates, t.file, t.csv].filter((x) => x !== undefined).length === 1, {
    message: 'a trace needs exactly one of rates, file or csv',
  }),
])

const latencySchema = z
  .union([z.literal('none'), z.literal('aws'), z.record(z.string(), z.unknown())])
  .superRefine((v, ctx) => {
    if (typeof v === 'object') {
      try {
        parseLatencySpec(v)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) })
      }
    }
  })

const tenantsSchema = z.union([
  z.number().int().positive(),
  strict({
    count: z.number().int().positive(),
    /** `uniform`, or Zipf with exponent `s` (a few hot tenants). @default 'uniform' */
    distribution: z.union([z.literal('uniform'), strict({ zipf: z.number().positive().finite() })]).default('uniform'),
  }),
])

/** The scenario schema whose declarative mitigations are resolved in `table`. */
const buildScenarioSchema = (table: MitigationTable) =>
  z
    .strictObject({
      name,
      description: z.string().optional(),
      /** the default Region of keys, hosts and callers. @default 'us-east-1' */
      region: region.default('us-east-1'),
      /** @default 60 (seconds) */
      duration: duration.default(60),
      /**
       * Request deadline (`29s`, `500ms`, seconds): a request not done by then stops (its
       * retries and waits end, as an aborted SDK call's do) and counts as timed out, a failure.
       * Request kinds may set their own. @default 29 s (DEFAULT_REQUEST_TIMEOUT_MS)
       */
      timeout: duration.optional(),
      /** @default 1 */
      seed: z.number().int().default(1),
      /** accounts; the first is the default. @default [{ id: '111122223333' }] */
      accounts: z
        .array(strict({ id: accountId, name: z.string().optional() }))
        .min(1)
        .default([{ id: '111122223333' }]),
      keys: z.array(keySchema).min(1),
      /** principals making the calls (host i uses principal i mod n). @default a role `app` in the first account */
      principals: z.array(principal).min(1).optional(),
      fleet: z
        .strictObject({
          /** application hosts, each with its own SDK client and caches. @default 1 */
          hosts: z.number().int().positive().max(100_000).default(1),
          /** Regions hosts live in (host i in Region i mod n). @default [scenario Region] */
          regions: z.array(region).min(1).optional(),
          /** groups of hosts (in order) with their own client and principal: a mixed fleet */
          groups: z.array(hostGroupSchema).min(1).optional(),
        })
        .default({ hosts: 1 }),
      tenants: tenantsSchema.default(1),
      arrivals: scheduleSchema,
      requests: z.array(requestSchema).min(1),
      /**
       * service-time model: `none` (0 ms), `aws` (the documented assumption), or a spec.
       * @default 'aws' in virtual time (so latency means something), 'none' in real time (measured)
       */
      latency: latencySchema.optional(),
      /** quota profile name. @default 'aws-default' */
      profile: profileName.default('aws-default'),
      /** quota overrides for every variant (pool → requests/s) */
      quotas: quotas.optional(),
      retry: retrySchema.optional(),
      /** the SDK client of every host (`{ sdk, mode, maxAttempts }`; replaces `retry`). @default JS v3, standard, 3 attempts */
      client: clientSchema.optional(),
      variants: z
        .array(variantSchema(table))
        .min(1)
        .default([{ name: 'baseline', mitigations: [] }]),
      /** statements the scenario's results depend on */
      assumptions: z.array(z.string()).default([]),
      /**
       * the Service-Quotas-style CloudWatch alarm the report evaluates: usage above `percent` of
       * the quota for `minutes` consecutive one-minute periods. @default { percent: 80, minutes: 1 }
       */
      alarm: z
        .strictObject({ percent: z.number().positive().max(1000), minutes: z.number().int().positive().max(1440) })
        .optional(),
      /** faults injected on the call path of the embedded target, seeded (a variant's own replace them) */
      faults: z.array(faultSchema).optional(),
      /** thresholds (gates) on every variant, or on one with a `variant:` prefix; a failed one makes `run` exit 1 */
      thresholds: z.array(threshold).optional(),
    })
    .superRefine(
      despiteOtherProblems((s, ctx) => {
        for (const p of groupProblems(s.fleet, s.principals, s.variants)) ctx.addIssue({ code: 'custom', ...p })
        for (const [i, x] of [s, ...s.variants].entries())
          if (x.retry !== undefined && x.client !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: i === 0 ? ['client'] : ['variants', i - 1, 'client'],
              message: 'give either retry or client, not both',
            })
        const keyNames = new Set<string>()
        for (const [i, k] of s.keys.entries()) {
          if (keyNames.has(k.name))
            ctx.addIssue({ code: 'custom', path: ['keys', i, 'name'], message: `duplicate key name '${k.name}'` })
          keyNames.add(k.name)
          if (k.account !== undefined && !s.accounts.some((a) => a.id === k.account)) {
            ctx.addIssue({
              code: 'custom',
              path: ['keys', i, 'account'],
              message: `account ${k.account} is not declared in accounts`,
            })
          }
          if (k.manager === 'aws' && k.spec !== 'SYMMETRIC_DEFAULT')
            ctx.addIssue({ code: 'custom', path: ['keys', i, 'spec'], message: 'AWS managed keys are symmetric' })
          // Custom key stores hold single-Region symmetric encryption customer managed keys only
          // (create-cmk-keystore.html, create-xks-keys.html).
          if (
            k.customKeyStore !== undefined &&
            (k.spec !== 'SYMMETRIC_DEFAULT' || k.multiRegion || k.manager !== 'customer')
          )
            ctx.addIssue({
              code: 'custom',
              path: ['keys', i, 'customKeyStore'],
              message: 'a key in a custom key store is a single-Region SYMMETRIC_DEFAULT customer managed key',
            })
        }
        const keyOf = (path: (string | number)[], key: string | undefined): void => {
          if (key !== undefined && !keyNames.has(key))
            ctx.addIssue({
              code: 'custom',
              path,
              message: `unknown key '${key}' (declared: ${[...keyNames].join(', ')})`,
            })
        }
        const requestLists: [(string | number)[], readonly RequestSpec[]][] = [
          [['requests'], s.requests],
          ...s.variants.flatMap((v, j): [(string | number)[], readonly RequestSpec[]][] =>
            v.requests !== undefined ? [[['variants', j, 'requests'], v.requests]] : [],
          ),
        ]
        for (const [at, requests] of requestLists)
          for (const [i, r] of requests.entries()) {
            if (r.kind === 'sequence') {
              for (const [j, st] of r.steps.entries()) {
                keyOf([...at, i, 'steps', j, 'key'], st.key)
                if (st.ciphertextFrom !== undefined && st.ciphertextFrom >= j) {
                  ctx.addIssue({
                    code: 'custom',
                    path: [...at, i, 'steps', j, 'ciphertextFrom'],
                    message: 'must name an earlier step',
                  })
                }
              }
            } else if (r.kind !== 'custom' && r.kind !== 'replay') {
              keyOf([...at, i, 'key'], r.key)
            }
            if ((r.kind === 'encrypt' || r.kind === 'decrypt') && maxSize(r.payloadBytes) > 4096) {
              ctx.addIssue({
                code: 'custom',
                path: [...at, i, 'payloadBytes'],
                message: 'Encrypt takes at most 4096 bytes of plaintext: use envelope-encrypt for larger payloads',
              })
            }
            if ((r.kind === 'sqs-send' || r.kind === 'sqs-receive') && r.principals !== undefined)
              for (const [j, p] of r.principals.entries())
                if (!scenarioPrincipalList(s).includes(p))
                  ctx.addIssue({
                    code: 'custom',
                    path: [...at, i, 'principals', j],
                    message: `'${p}' is not one of the scenario's principals`,
                  })
            if (at.length > 1 && r.kind === 'replay')
              ctx.addIssue({
                code: 'custom',
                path: [...at, i, 'kind'],
                message: 'a variant cannot replace requests with a replay',
              })
            if ((r.kind === 'encrypt' || r.kind === 'decrypt') && minSize(r.payloadBytes) < 1) {
              ctx.addIssue({
                code: 'custom',
                path: [...at, i, 'payloadBytes'],
                message: 'Encrypt needs at least 1 byte of plaintext',
              })
            }
          }
        const variantNames = new Set<string>()
        for (const [i, v] of s.variants.entries()) {
          if (variantNames.has(v.name))
            ctx.addIssue({
              code: 'custom',
              path: ['variants', i, 'name'],
              message: `duplicate variant name '${v.name}'`,
            })
          variantNames.add(v.name)
        }
        checkThresholdPrefixes(s.thresholds, s.variants, variantNames, ctx)
        if (s.principals !== undefined) {
          for (const [i, p] of s.principals.entries()) {
            const account = /::(\d{12}):/.exec(p)?.[1]
            if (account !== undefined && !s.accounts.some((a) => a.id === account)) {
              ctx.addIssue({
                code: 'custom',
                path: ['principals', i],
                message: `principal's account ${account} is not declared in accounts`,
              })
            }
          }
        }
      }),
      // Cross-field checks run even when some field failed, so one pass reports every problem.
      { when: (p) => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value) },
    )

const schemas = new WeakMap<MitigationTable, ReturnType<typeof buildScenarioSchema>>()

/** The scenario schema for a mitigation table (built once per table; run by `defineScenario`). */
export function scenarioSchemaFor(table: MitigationTable): ReturnType<typeof buildScenarioSchema> {
  let schema = schemas.get(table)
  if (schema === undefined) {
    schema = buildScenarioSchema(table)
    schemas.set(table, schema)
  }
  return schema
}

/** The scenario schema without declarative mitigations (its shape is every table's: docs, JSON Schema). */
export const scenarioSchema = scenarioSchemaFor(NO_MITIGATIONS)

/** Scenario thresholds may name a declared variant; a variant's own may name only itself. */
function checkThresholdPrefixes(
  scenarioLevel: readonly string[] | undefined,
  variants: readonly { name: string; thresholds?: readonly string[] | undefined }[],
  declared: ReadonlySet<string>,
  ctx: z.core.$RefinementCtx,
): void {
  const prefixOf = (t: string): string | undefined => {
    try {
      return parseThreshold(t).variant
    } catch {
      return undefined // reported by the field's own check
    }
  }
  for (const [i, t] of (scenarioLevel ?? []).entries()) {
    const named = prefixOf(t)
    if (named !== undefined && !declared.has(named))
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', i],
        message: `names variant '${named}', which is not declared (variants: ${[...declared].join(', ')})`,
      })
  }
  for (const [i, v] of variants.entries()) {
    for (const [j, t] of (v.thresholds ?? []).entries()) {
      const named = prefixOf(t)
      if (named !== undefined && named !== v.name)
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'thresholds', j],
          message: `names variant '${named}' inside variant '${v.name}': drop the prefix, or move it to the scenario's thresholds`,
        })
    }
  }
}

/** What a scenario file writes (defaults may be left out). */
export type ScenarioInput = z.input<typeof scenarioSchema>
/** A validated scenario, defaults filled in. */
export type Scenario = z.output<typeof scenarioSchema> & { readonly [validated]: true }
/** One variant of a validated scenario. */
export type VariantSpec = z.output<ReturnType<typeof variantSchema>>
/** One key of a validated scenario. */
export type KeySpecDecl = z.output<typeof keySchema>
/** A validated latency setting. */
export type LatencySetting = 'none' | 'aws' | LatencySpec

declare const validated: unique symbol

/** The principals of a scenario as the run uses them (the default role `app` in the first account). */
function scenarioPrincipalList(s: {
  principals?: readonly string[] | undefined
  accounts: readonly { id: string }[]
}): readonly string[] {
  return s.principals ?? [`arn:aws:iam::${(s.accounts[0] as { id: string }).id}:role/app`]
}

function maxSize(s: SizeSpec): number {
  return typeof s === 'number' ? s : 'max' in s ? s.max : Math.max(...s.choices)
}
function minSize(s: SizeSpec): number {
  return typeof s === 'number' ? s : 'min' in s ? s.min : Math.min(...s.choices)
}
