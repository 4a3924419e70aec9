/**
 * Scenarios: one workload each, in a TypeScript file that `export default defineScenario({...})`.
 * A scenario declares the Regions, accounts and keys to create, the application requests it
 * models (direct Encrypt/Decrypt, envelope encryption, S3 SSE-KMS PUT/GET made on the
 * caller's behalf, custom sequences of KMS calls), the operation mix, payload sizes, tenants
 * (encryption-context cardinality), principals, the fleet of application hosts, the arrival
 * schedule, and named variants (a baseline and mitigated ones, each with its own mitigations
 * and quota overrides) that run the same arrivals and are compared side by side.
 *
 * Validation uses zod and reports every problem at once, each with its path
 * (`defineScenario` in define.ts runs it).
 */
import { z } from 'zod'
import { OPERATION_NAMES } from '../../kms/index.ts'
import { poolNameProblem, profileNames } from '../../quota/index.ts'
import { isKnownRegion, suggestRegion } from '../../regions.ts'
import { closestName } from '../../suggest.ts'
import { parseThreshold, ThresholdError } from '../results/index.ts'
import { checkFault, FAULT_KINDS, type FaultSpec } from '../../faults/index.ts'
import { DurationFormatError, parseDuration } from './duration.ts'
import { clientSchema, groupProblems, hostGroupSchema } from '../client/settings.ts'
import { parseLatencySpec, type LatencySpec } from './latency-model.ts'
import { isMitigation, mitigationFactory, mitigationNames, NO_MITIGATIONS } from './mitigation-table.ts'
import type { EffectGenerator, Mitigation, MitigationTable, RequestContext } from './types.ts'

/**
 * `z.strictObject` whose "Unrecognized keys" problem also lists the keys the object takes, so a
 * misspelt or misplaced field (`p99` in `arrivals`) shows what was meant.
 */
function strict<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape, z.core.$strict> {
  const valid = Object.keys(shape)
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unrecognized key${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.map((k) => `"${k}"`).join(', ')} (valid keys: ${valid.join(', ')})`
        : undefined,
  })
}

/** A quota override map (pool → requests/s, or `region/pool`), each pool name checked where it is written. */
const quotas = z.record(z.string(), z.number().finite().nonnegative()).superRefine((q, ctx) => {
  for (const name of Object.keys(q)) {
    const slash = name.indexOf('/')
    const region = slash >= 0 ? name.slice(0, slash) : undefined
    if (region !== undefined && !isKnownRegion(region)) {
      const hint = suggestRegion(region)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `'${region}' is not a known AWS Region${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
      })
    }
    const problem = poolNameProblem(slash >= 0 ? name.slice(slash + 1) : name)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem })
  }
})

/**
 * A cross-field check that also runs on a scenario with other problems: parts that failed their
 * own checks may be malformed, so a check that trips over one stops quietly (that part's own
 * problem is already reported).
 */
function despiteOtherProblems<T>(check: (s: T, ctx: z.core.$RefinementCtx<T>) => void) {
  return (s: T, ctx: z.core.$RefinementCtx<T>): void => {
    try {
      check(s, ctx)
    } catch {
      // reported by the malformed part's own check
    }
  }
}

/** A built-in quota profile name. */
const profileName = z.string().superRefine((name, ctx) => {
  const known = profileNames()
  if (known.includes(name)) return
  const hint = closestName(name, known)
  ctx.addIssue({
    code: 'custom',
    message: `unknown quota profile '${name}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}; built-in: ${known.join(', ')}`,
  })
})

const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
] as const
const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const

const duration = z.union([z.number(), z.string()]).superRefine((v, ctx) => {
  try {
    parseDuration(v)
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof DurationFormatError ? e.message : String(e) })
  }
})
const rate = z.number().finite().nonnegative()
const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
const region = z.string().superRefine((r, ctx) => {
  if (!isKnownRegion(r)) {
    const hint = suggestRegion(r)
    ctx.addIssue({
      code: 'custom',
      message: `'${r}' is not a known AWS Region${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
    })
  }
})
const principal = z
  .string()
  .regex(
    /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::\d{12}:.+$/,
    'must be an IAM role/user ARN or an STS assumed-role ARN',
  )
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')

/** A payload size in bytes: fixed, uniform in [min, max], or weighted choices. */
const size = z.union([
  z.number().int().nonnegative(),
  z
    .strictObject({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
    .refine((s) => s.max >= s.min, { message: 'max must be >= min' }),
  z
    .strictObject({
      choices: z.array(z.number().int().nonnegative()).min(1),
      weights: z.array(z.number().positive()).optional(),
    })
    .refine((s) => s.weights === undefined || s.weights.length === s.choices.length, {
      message: 'weights must have one entry per choice',
    }),
])
/** Payload size: bytes, uniform range, or weighted choices. */
export type SizeSpec = z.infer<typeof size>

/**
 * Encryption context of a request: `none`, `tenant` (`{ tenant: "tenant-<n>" }`), or a map
 * whose values may contain `{tenant}` (replaced with the request's tenant number).
 */
const context = z.union([z.literal('none'), z.literal('tenant'), z.record(z.string(), z.string())])
/** An encryption-context declaration. */
export type ContextSpec = z.infer<typeof context>

const common = {
  /** relative share of this request kind in the mix. @default 1 */
  weight: z.number().positive().finite().default(1),
  /** this kind's request deadline (`10s`, `500ms`, seconds), instead of the scenario's `timeout` */
  timeout: duration.optional(),
}
const keyed = { ...common, key: z.string().min(1), context: context.optional() }

/** An S3 request with SSE-KMS (PUT or GET): the KMS key, the bucket and its objects. */
const s3Request = {
  ...common,
  key: z.string().min(1),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
  /** object keys written or read (object i is `<prefix><i>`). @default 1000 */
  objects: z.number().int().positive().default(1000),
  prefix: z.string().default('objects/'),
  payloadBytes: size.default(1_048_576),
}

/** A request's own arrivals, outside the weighted mix: this many per second, evenly spaced (a Lambda cold start, an EBS attach). */
const ownRate = z.number().finite().positive().optional()

/**
 * SQS with SSE-KMS: the queues (queue i is `<queue>-<i>` when there are several) and their
 * `KmsDataKeyReusePeriodSeconds`
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 */
const sqsRequest = {
  ...common,
  key: z.string().min(1),
  queue: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,75}$/, 'must be 1-75 letters, digits, dashes or underscores (an SQS queue name)')
    .default('queue'),
  /** queues the requests spread over (uniformly). @default 1 */
  queues: z.number().int().positive().max(100_000).default(1),
  /** the principals that send (or receive), one drawn per request. @default the host's principal */
  principals: z.array(principal).min(1).optional(),
  /** the queues' data key reuse period, seconds. @default 300 */
  kmsDataKeyReusePeriodSeconds: z
    .number()
    .int({ error: 'KmsDataKeyReusePeriodSeconds must be a whole number of seconds' })
    .min(60, { error: 'KmsDataKeyReusePeriodSeconds must be 60 to 86,400 seconds (SQS SetQueueAttributes)' })
    .max(86_400, { error: 'KmsDataKeyReusePeriodSeconds must be 60 to 86,400 seconds (SQS SetQueueAttributes)' })
    .default(300),
}

const customRun = z.custom<(ctx: RequestContext) => EffectGenerator<unknown>>((v) => typeof v === 'function', {
  message: 'must be a generator function (ctx) => ...',
})

const stepSchema = strict({
  operation: z.enum(OPERATION_NAMES),
  key: z.string().min(1).optional(),
  /** extra input members (PascalCase, the API's own shapes) */
  input: z.record(z.string(), z.unknown()).optional(),
  /** take `CiphertextBlob` from the output of an earlier step (0-based) */
  ciphertextFrom: z.number().int().nonnegative().optional(),
  payloadBytes: size.optional(),
  context: context.optional(),
})

const requestSchema = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('encrypt'), ...keyed, payloadBytes: size.default(256) }),
  strict({ kind: z.literal('decrypt'), ...keyed, payloadBytes: size.default(256) }),
  strict({
    kind: z.literal('envelope-encrypt'),
    ...keyed,
    payloadBytes: size.default(65_536),
    dataKeySpec: z.enum(['AES_256', 'AES_128']).default('AES_256'),
  }),
  strict({
    kind: z.literal('envelope-decrypt'),
    ...keyed,
    payloadBytes: size.default(65_536),
    dataKeySpec: z.enum(['AES_256', 'AES_128']).default('AES_256'),
    /**
     * Distinct encrypted data keys in the message store the reads draw from (uniformly). In
     * envelope encryption every message has its own data key unless the writers cached data
     * keys, so by default every read decrypts a data key of its own (no two reads share one);
     * give the writers' figure here (messages ÷ messages per cached data key) when they cached,
     * or `per-tenant` when the writers cached one data key per tenant's encryption context.
     * @default one per read
     */
    dataKeysInStore: z.union([z.number().int().positive(), z.literal('per-tenant')]).optional(),
  }),
  strict({ kind: z.literal('s3-put'), ...s3Request }),
  strict({ kind: z.literal('s3-get'), ...s3Request }),
  strict({ kind: z.literal('sqs-send'), ...sqsRequest }),
  strict({ kind: z.literal('sqs-receive'), ...sqsRequest }),
  strict({
    kind: z.literal('dynamodb'),
    ...common,
    key: z.string().min(1),
    table: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be 3-255 letters, digits, dots, dashes or underscores (a table name)')
      .default('table'),
    /** tables the requests spread over (uniformly; table i is `<table>-<i>` when there are several). @default 1 */
    tables: z.number().int().positive().max(10_000).default(1),
    /** HTTP connections each host keeps open to DynamoDB; its requests take them in turn. @default 1 */
    connections: z.number().int().positive().max(10_000).default(1),
    /** false: every request opens a new connection (no keep-alive). @default true */
    keepAlive: z.boolean().default(true),
    /** when a connection's table key is decrypted again: after 5 minutes of `inactivity`, or every 5 minutes (`periodic`). @default 'inactivity' */
    tableKeyRefresh: z.enum(['inactivity', 'periodic']).default('inactivity'),
  }),
  strict({
    kind: z.literal('secrets-manager-get'),
    ...common,
    key: z.string().min(1),
    secret: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name')
      .default('app-secret'),
    /** secrets the requests spread over (uniformly; secret i is `<secret>-<i>` when there are several). @default 1 */
    secrets: z.number().int().positive().max(100_000).default(1),
    /** where the secret value is cached: `none`, the AWS `caching-client` (1 h), or the Secrets Manager `agent` (300 s). @default 'none' */
    cache: z.enum(['none', 'caching-client', 'agent']).default('none'),
    /** the cache's TTL instead of its default */
    cacheTtl: duration.optional(),
  }),
  strict({
    kind: z.literal('lambda-cold-start'),
    ...common,
    key: z.string().min(1),
    function: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, dashes or underscores (a function name)')
      .default('app'),
    rate: ownRate,
  }),
  strict({
    kind: z.literal('ebs-attach'),
    ...common,
    key: z.string().min(1),
    /** `new`: a volume created from an encrypted snapshot, then attached (an instance launch); `existing`: a volume attached again. @default 'new' */
    volume: z.enum(['new', 'existing']).default('new'),
    /** existing volumes the attaches draw from (uniformly), for `volume: 'existing'`. @default 1000 */
    volumes: z.number().int().positive().max(100_000).default(1000),
    rate: ownRate,
  }),
  strict({
    kind: z.literal('op'),
    ...common,
    operation: z.enum(OPERATION_NAMES),
    key: z.string().min(1).optional(),
    context: context.optional(),
    input: z.record(z.string(), z.unknown()).optional(),
    payloadBytes: size.default(32),
  }),
  strict({ kind: z.literal('sequence'), ...common, name, steps: z.array(stepSchema).min(1) }),
  strict({ kind: z.literal('custom'), ...common, name, run: customRun, context: context.optional() }),
  /** recorded calls (a calls table from `kms-bench import-cloudtrail`), one per arrival: see load/replay.ts */
  z
    .strictObject({
      kind: z.literal('replay'),
      ...common,
      /** the calls table file, relative to the scenario file */
      file: z.string().min(1).optional(),
      /** the calls table's CSV text */
      csv: z.string().min(1).optional(),
    })
    .refine((r) => (r.file === undefined) !== (r.csv === undefined), {
      message: 'a replay needs exactly one of file or csv',
    }),
])

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
/** One request kind of a validated scenario. */
export type RequestSpec = z.output<typeof requestSchema>
/** One variant of a validated scenario. */
export type VariantSpec = z.output<ReturnType<typeof variantSchema>>
/** One key of a validated scenario. */
export type KeySpecDecl = z.output<typeof keySchema>
/** A validated latency setting. */
export type LatencySetting = 'none' | 'aws' | LatencySpec
/** A custom sequence step. */
export type StepSpec = z.output<typeof stepSchema>

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
