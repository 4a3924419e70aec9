/**
 * The scenario schema's building blocks: the field schemas (names, Regions, accounts, durations,
 * rates, sizes, encryption contexts, quota overrides) and the request kinds a scenario's
 * `requests` may hold (direct Encrypt/Decrypt, envelope encryption, S3 SSE-KMS PUT/GET made on
 * the caller's behalf, AWS services' calls, custom sequences of KMS calls, recorded calls). The
 * scenario as a whole (keys, fleet, arrivals, variants and their mitigations) is in
 * scenario-schema.ts, so the contract types (types.ts) can name a request kind without depending
 * on the mitigation entries.
 */
import { z } from 'zod'
import { OPERATION_NAMES } from '../../kms/index.ts'
import { poolNameProblem, profileNames } from '../../quota/index.ts'
import { isKnownRegion, suggestRegion } from '../../regions.ts'
import { closestName } from '../../suggest.ts'
import { DurationFormatError, parseDuration } from './duration.ts'
import type { EffectGenerator, RequestContext } from './protocol.ts'

/**
 * `z.strictObject` whose "Unrecognized keys" problem also lists the keys the object takes, so a
 * misspelt or misplaced field (`p99` in `arrivals`) shows what was meant.
 */
export function strict<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape, z.core.$strict> {
  const valid = Object.keys(shape)
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unrecognized key${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.map((k) => `"${k}"`).join(', ')} (valid keys: ${valid.join(', ')})`
        : undefined,
  })
}

/** A quota override map (pool → requests/s, or `region/pool`), each pool name checked where it is written. */
export const quotas = z.record(z.string(), z.number().finite().nonnegative()).superRefine((q, ctx) => {
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
export function despiteOtherProblems<T>(check: (s: T, ctx: z.core.$RefinementCtx<T>) => void) {
  return (s: T, ctx: z.core.$RefinementCtx<T>): void => {
    try {
      check(s, ctx)
    } catch {
      // reported by the malformed part's own check
    }
  }
}

/** A built-in quota profile name. */
export const profileName = z.string().superRefine((name, ctx) => {
  const known = profileNames()
  if (known.includes(name)) return
  const hint = closestName(name, known)
  ctx.addIssue({
    code: 'custom',
    message: `unknown quota profile '${name}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}; built-in: ${known.join(', ')}`,
  })
})

export const KEY_SPECS = [
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
export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const

export const duration = z.union([z.number(), z.string()]).superRefine((v, ctx) => {
  try {
    parseDuration(v)
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof DurationFormatError ? e.message : String(e) })
  }
})
export const rate = z.number().finite().nonnegative()
export const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
export const region = z.string().superRefine((r, ctx) => {
  if (!isKnownRegion(r)) {
    const hint = suggestRegion(r)
    ctx.addIssue({
      code: 'custom',
      message: `'${r}' is not a known AWS Region${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
    })
  }
})
export const principal = z
  .string()
  .regex(
    /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::\d{12}:.+$/,
    'must be an IAM role/user ARN or an STS assumed-role ARN',
  )
export const name = z
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

/** The name of a resource of the service a request kind models, checked against that service's naming rule. */
const resourceName = (pattern: RegExp, rule: string, fallback: string) =>
  z.string().regex(pattern, rule).default(fallback)

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
  queue: resourceName(
    /^[A-Za-z0-9_-]{1,75}$/,
    'must be 1-75 letters, digits, dashes or underscores (an SQS queue name)',
    'queue',
  ),
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

export const requestSchema = z.discriminatedUnion('kind', [
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
    table: resourceName(
      /^[A-Za-z0-9_.-]{3,255}$/,
      'must be 3-255 letters, digits, dots, dashes or underscores (a table name)',
      'table',
    ),
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
    secret: resourceName(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name', 'app-secret'),
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
    function: resourceName(
      /^[A-Za-z0-9_-]{1,64}$/,
      'must be 1-64 letters, digits, dashes or underscores (a function name)',
      'app',
    ),
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

/** One request kind of a validated scenario. */
export type RequestSpec = z.output<typeof requestSchema>
/** A custom sequence step. */
export type StepSpec = z.output<typeof stepSchema>
