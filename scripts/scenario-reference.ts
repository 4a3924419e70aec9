/**
 * The scenario reference, generated from the zod schemas the code validates with, so the
 * documentation cannot drift from what is accepted:
 *   - schema/scenario.schema.json: `z.toJSONSchema` of the scenario schema (input side: what a
 *     file may write, defaults optional), shipped in the package as
 *     `kms-bench/scenario.schema.json`;
 *   - docs/scenarios.md: every field with its type, default and meaning, an example per request
 *     kind, arrival shape and built-in mitigation, and the file formats of `--latency FILE`,
 *     `serve --seed FILE` and `serve --credentials FILE`.
 * The meanings live in the tables below; test/scenario-reference.test.ts fails when a schema
 * field has none, a built-in mitigation has no example, or a generated file is stale
 * (regenerate with `npm run gen:docs`).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { latencySpecSchema as latencySchema, scenarioSchema } from '../src/load/index.ts'
import { BUILT_IN_MITIGATIONS } from '../src/mitigations/index.ts'
import { LIVE_FIELDS } from '../src/report/index.ts'
import { mitigationOptions, optionTable } from './mitigation-options.ts'

/** The repository root (the mitigation option tables read src/mitigations/). */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
import { credentialsFileSchema as credentialsSchema, seedSchema } from '../src/server/index.ts'

/** A JSON Schema node, as z.toJSONSchema writes it. */
interface Node {
  readonly type?: string | string[]
  readonly properties?: Record<string, Node>
  readonly required?: readonly string[]
  readonly items?: Node
  readonly anyOf?: readonly Node[]
  readonly oneOf?: readonly Node[]
  readonly enum?: readonly unknown[]
  readonly const?: unknown
  readonly default?: unknown
  readonly pattern?: string
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly additionalProperties?: Node | boolean
  readonly [k: string]: unknown
}

const JSON_SCHEMA_OPTIONS = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const

/** The JSON Schema of a scenario file's default export. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, JSON_SCHEMA_OPTIONS) as Record<string, unknown>
  return {
    $schema: schema['$schema'],
    $id: 'https://github.com/kms-bench/kms-bench/schema/scenario.schema.json',
    title: 'kms-bench scenario',
    description:
      "What a scenario file's `export default defineScenario({...})` takes. Generated from the zod schema by `npm run gen:docs`; docs/scenarios.md explains every field.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  }
}

const DURATION = 'a duration: seconds as a number, or text such as `"90s"`, `"5m"`, `"1h"`, `"500ms"`'
const RATE = 'application requests per second'

/**
 * What each field means. Keys are paths: `keys[].spec`; a member of a union by its tag,
 * `arrivals<spike>.peak`; `*.field` applies to a field of that name anywhere without its own entry.
 */
export const MEANINGS: Readonly<Record<string, string>> = {
  name: 'the scenario name (reports, output directories)',
  description: 'one sentence on the workload, printed under the title of the reports',
  region: 'the default Region of keys, hosts and callers (`region` overrides per key)',
  duration: `how long the run offers load; ${DURATION}`,
  seed: 'the seed of every random choice: the same scenario and seed give the same virtual-time result on any machine (`run --seed` overrides)',
  accounts: 'the AWS accounts of the scenario; the first is the default account of keys and principals',
  'accounts[].id': 'the 12-digit account id',
  'accounts[].name': 'a label for reports',
  keys: 'the KMS keys to create before the run; requests name them by `name`',
  'keys[].name': 'the name requests and mitigations use for this key',
  'keys[].account': 'the account that owns the key (one of `accounts`)',
  'keys[].region': 'the Region of the key',
  'keys[].spec':
    'the KeySpec (symmetric, RSA, ECC, HMAC, SM2); asymmetric keys count against their own, smaller quotas',
  'keys[].usage': 'the KeyUsage; defaults to what the spec allows first (ENCRYPT_DECRYPT for symmetric keys)',
  'keys[].alias': 'an alias to create for the key (`alias/<name>`; `alias/aws/` is reserved)',
  'keys[].manager':
    '`customer` (created and billed, $1/month) or `aws` (the AWS managed key `alias/aws/<service>`, free)',
  'keys[].service': 'for an AWS managed key: the service whose key it is (`s3`, `dynamodb`, ...)',
  'keys[].multiRegion': 'a multi-Region primary key (needed by the `multi-region` mitigation)',
  'keys[].customKeyStore':
    "the key lives in a custom key store of this type (`AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`), created and connected at setup: its calls also count in the store's 1,800/s pool and pay the latency model's customKeyStore term; the HSM / external key manager is kms-bench's own key material",
  'keys[].rotations': 'rotations done so far: the 1st and 2nd rotation add $1/month each to the key price',
  principals:
    'IAM principals making the calls; host i uses principal i mod n (default: a role `app` in the first account)',
  fleet: 'the application hosts: each has its own SDK client, retry state and caches',
  'fleet.hosts': 'how many application hosts share the load',
  'fleet.regions': 'Regions the hosts run in (host i in Region i mod n)',
  'fleet.groups':
    'groups of hosts (in order; their hosts add up to the fleet) each with its own SDK client and principal: a mixed fleet',
  'fleet.groups[].name': 'the group name (a variant’s `groupClients` refer to it)',
  'fleet.groups[].hosts': 'hosts in the group',
  'fleet.groups[].client': 'the SDK client of the group’s hosts',
  'fleet.groups[].principal': 'one of the scenario’s principals: the group’s hosts call as it',
  tenants:
    'tenants (encryption-context cardinality): a count, or `{ count, distribution }`; request i belongs to one tenant',
  'tenants.count': 'how many tenants',
  'tenants.distribution': '`uniform`, or `{ zipf: s }`: a few hot tenants, Zipf exponent s',
  'tenants.distribution.zipf': 'the Zipf exponent (larger: hotter top tenants)',
  arrivals:
    'when application requests arrive: one of the shapes below (open loop: intended send times fixed in advance)',
  '*.shape': 'the arrival shape (tag of the union)',
  '*.process':
    '`uniform` (evenly spaced under the rate curve) or `poisson` (exponential gaps, the same mean rate); default uniform (poisson for the `poisson` shape)',
  'arrivals<constant>.rate': RATE,
  'arrivals<poisson>.rate': `${RATE} (mean)`,
  'arrivals<ramp>.from': `${RATE} at the start`,
  'arrivals<ramp>.to': `${RATE} at the end of the ramp`,
  'arrivals<ramp>.over': `how long the ramp takes (then the rate stays at \`to\`); default the whole run; ${DURATION}`,
  'arrivals<steps>.steps': 'rates held one after the other: `{ rate, duration }` each',
  'arrivals<steps>.steps[].rate': RATE,
  'arrivals<steps>.steps[].duration': `how long this step lasts; ${DURATION}`,
  'arrivals<steps>.repeat': 'start the steps again after the last one, until the run ends',
  'arrivals<spike>.base': `${RATE} outside the spike`,
  'arrivals<spike>.peak': `${RATE} during the spike`,
  'arrivals<spike>.at': `when the (first) spike starts; ${DURATION}`,
  'arrivals<spike>.duration': `how long each spike lasts; ${DURATION}`,
  'arrivals<spike>.every': `repeat the spike with this period; ${DURATION}`,
  'arrivals<sine>.mean': `the mean rate, ${RATE}`,
  'arrivals<sine>.amplitude': 'the swing above and below the mean (at most the mean)',
  'arrivals<sine>.period': `one full cycle; ${DURATION}`,
  'arrivals<sine>.phase': 'the phase offset in radians',
  'arrivals<trace>.rates': `${RATE}, one entry per second, replayed in order`,
  'arrivals<trace>.file': 'a CSV file (relative to the scenario file) of rates, e.g. a CloudWatch export',
  'arrivals<trace>.csv': 'the CSV text itself (timestamp and value columns)',
  'arrivals<trace>.spread':
    'where arrivals fall inside each second: `even` or `seeded` (each at a seeded point of its own slot: exact counts per second, no lattice)',
  'arrivals<trace>.column': 'the CSV column holding the values (default: the first numeric one)',
  'arrivals<trace>.values': 'what the CSV values are: `sum` per period (CloudWatch Sum) or `rate` per second',
  'arrivals<trace>.source': 'where the trace came from (reported)',
  requests: 'the application requests, mixed by `weight`; each costs 0..n KMS calls depending on the variant',
  '*.kind': 'the request kind (tag of the union)',
  alarm: 'the Service-Quotas-style CloudWatch alarm the report evaluates (default `{ percent: 80, minutes: 1 }`)',
  'alarm.percent': 'usage above this percentage of the quota counts as a breach',
  'alarm.minutes': 'consecutive one-minute periods in breach before the alarm fires',
  faults:
    'faults injected on the call path of the embedded target (seeded): `{ kind, operations?, percent?, start?, duration?, latency? }`',
  'variants[].faults': "faults for this variant only (replace the scenario's)",
  'faults[].kind':
    'an AWS error answered instead of the call (`KMSInternalException`, `DependencyTimeoutException`, `KeyUnavailableException`, `ThrottlingException`), `latency` (the call is answered, `latency` later), or, on `kms-bench serve` only, `reset` (the connection is reset) and `hang` (never answered)',
  'faults[].operations': 'operations affected (default: every operation)',
  'faults[].percent': 'share of the affected calls that get the fault, 0..100 (default 100)',
  'faults[].start': `when the fault starts; ${DURATION}`,
  'faults[].duration': `how long the fault lasts; ${DURATION}`,
  'faults[].latency': 'added latency: `{ ms }`, `{ min, max }` (uniform) or `{ mean }` (exponential)',
  'faults[].latency.ms': 'a fixed added latency, ms',
  'faults[].latency.min': 'the lower bound of the added latency, ms',
  'faults[].latency.max': 'the upper bound of the added latency, ms',
  'faults[].latency.mean': 'the mean of the added latency, ms',
  timeout:
    'the request deadline of every request (default `29s`, API Gateway’s default integration timeout): a request not done by then stops its retries and waits and counts as `timedOut`; ' +
    DURATION,
  '*.timeout': "this request kind's deadline, instead of the scenario's `timeout`",
  '*.dataKeysInStore':
    'distinct encrypted data keys the reads see: a number, or `per-tenant` when the writers cached one data key per encryption context (default: one per message, as envelope encryption without a writer-side cache)',
  '*.weight': 'the relative share of this request kind in the mix',
  '*.key': 'the scenario key (its `name`) the request uses',
  '*.context':
    'encryption context: `none`, `tenant` (`{ tenant: "tenant-<n>" }`), or a map whose values may contain `{tenant}`',
  '*.payloadBytes': 'payload size in bytes: a number, `{ min, max }` (uniform), or `{ choices, weights? }`',
  '*.dataKeySpec': 'the data key GenerateDataKey returns',
  '*.bucket': 'the S3 bucket (its name; S3 calls KMS on your behalf, counted against your account)',
  '*.objects': 'how many distinct objects are written or read (object i is `<prefix><i>`)',
  '*.prefix': 'the object key prefix',
  '*.operation': 'a KMS API operation (`Encrypt`, `Sign`, `DescribeKey`, ...)',
  '*.input': 'extra input members of the call, in the API’s own PascalCase shapes',
  '*.name': 'a name for this request kind (reports)',
  'requests[]<sequence>.steps': 'KMS calls made one after another for each request',
  'requests[]<sequence>.steps[].ciphertextFrom': 'take `CiphertextBlob` from the output of this earlier step (0-based)',
  'requests[]<custom>.run':
    'a generator function `function* (ctx) { ... }` yielding KMS calls (`kmsCall`, `sleep`, ...): TypeScript scenarios only',
  '*.queue': 'the SQS queue name (queue i is `<queue>-<i>` when there are several)',
  '*.queues': 'how many queues the requests spread over (uniformly)',
  'requests[]<sqs-send>.principals':
    'the producing principals (from `principals`), one drawn per send; SQS keeps a data key per queue and principal (default: the host’s principal)',
  'requests[]<sqs-receive>.principals':
    'the consuming principals (from `principals`), one drawn per receive (default: the host’s principal)',
  '*.kmsDataKeyReusePeriodSeconds':
    'the queues’ `KmsDataKeyReusePeriodSeconds`: how long SQS reuses a data key, 60 to 86,400 s (default 300)',
  '*.table': 'the DynamoDB table name (table i is `<table>-<i>` when there are several)',
  '*.tables': 'how many tables the requests spread over (uniformly); each has its own table key',
  '*.connections':
    'HTTP connections each host keeps to DynamoDB; each connection has its own cached table key (aws/aws-sdk-go-v2#2129)',
  '*.keepAlive': '`false`: every request opens a new connection, so every request decrypts the table key',
  '*.tableKeyRefresh':
    'when DynamoDB decrypts a connection’s table key again: after 5 minutes of `inactivity` (the current docs), or every 5 minutes (`periodic`, an older AWS wording)',
  '*.secret': 'the Secrets Manager secret name (secret i is `<secret>-<i>` when there are several)',
  '*.secrets': 'how many secrets the requests spread over (uniformly)',
  '*.cache':
    'where the application caches the secret: `none` (a Decrypt per GetSecretValue), the AWS `caching-client` (TTL 1 h) or the Secrets Manager `agent` / Lambda extension (TTL 300 s)',
  '*.cacheTtl': `the cache’s TTL instead of its default; ${DURATION}`,
  '*.function': 'the Lambda function name (its ARN is the encryption context of its environment variables)',
  'requests[]<lambda-cold-start>.rate':
    'cold starts per second, arriving on their own (evenly spaced) instead of taking a share of the weighted mix',
  'requests[]<ebs-attach>.rate':
    'attaches per second, arriving on their own (evenly spaced) instead of taking a share of the weighted mix',
  '*.volume':
    '`new` (a volume created from an encrypted snapshot and attached: GenerateDataKeyWithoutPlaintext + CreateGrant + Decrypt) or `existing` (attached again: CreateGrant + Decrypt)',
  '*.volumes': 'existing volumes the attaches draw from (uniformly), for `volume: existing`',
  'variants[].requests':
    'the requests of this variant instead of the scenario’s: a service setting compared side by side (an SQS reuse period, a Secrets Manager cache, DynamoDB connections)',
  'requests[]<replay>.file': 'a calls table from `kms-bench import-cloudtrail` (relative to the scenario file)',
  'requests[]<replay>.csv': 'the calls table as CSV text',
  latency:
    'KMS service time: `none` (0 ms), `aws` (the documented assumption), or a latency spec (see "Latency spec" below)',
  profile: 'the quota profile: a built-in name (`aws-default`, `none`, older AWS tables) giving the limits per pool',
  quotas: 'quota overrides for every variant: pool → requests/s (`{ symmetric: 20000 }`, a quota increase)',
  retry: 'the SDK retry strategy every variant starts from',
  client:
    'the SDK client of every host: `{ sdk, mode, maxAttempts }` (instead of `retry`; default JS v3, standard, 3 attempts)',
  '*.sdk': '`js-v3`, `boto3`, `java-v2` or `go-v2`: whose retry model the hosts run',
  '*.mode':
    '`none`, `standard` or `adaptive` as the AWS SDKs name them; `legacy` for boto3 and Java v2 (their default)',
  '*.maxAttempts': 'attempts per KMS call, the first included',
  variants: 'named variants run on the same arrivals and compared side by side; the first is the baseline',
  'variants[].name': 'the variant name (reports, `run --variant`, thresholds)',
  'variants[].description': 'what the variant changes, in words',
  'variants[].mitigations':
    "mitigations (see below): a factory call such as `dataKeyCache({ maxAge: '5m' })`, or `{ name: 'data-key-cache', maxAge: '5m' }`",
  'variants[].quotas': 'quota overrides for this variant only: pool → requests/s',
  'variants[].profile': 'the quota profile of this variant',
  'variants[].retry': 'the SDK retry strategy of this variant',
  'variants[].client': 'the SDK client of every host in this variant (fleet groups included)',
  'variants[].groupClients': 'the SDK clients of fleet groups in this variant, by group name',
  'variants[].thresholds': 'gates on this variant’s figures, e.g. `throttleRate == 0`; a failed one makes `run` exit 1',
  assumptions: 'statements the results depend on (listed in the reports)',
  thresholds:
    'gates on every variant, or on one with a `variant:` prefix (`cached: kms.callsPerRequest < 0.1`); a failed one makes `run` exit 1',
}

const REQUEST_EXAMPLES: Readonly<Record<string, string>> = {
  encrypt: "{ kind: 'encrypt', key: 'app', payloadBytes: 512, context: 'tenant' }",
  decrypt: "{ kind: 'decrypt', key: 'app', payloadBytes: { min: 64, max: 4096 } }",
  'envelope-encrypt': "{ kind: 'envelope-encrypt', key: 'app', payloadBytes: 65_536, weight: 3 }",
  'envelope-decrypt': "{ kind: 'envelope-decrypt', key: 'app', dataKeySpec: 'AES_256' }",
  's3-put': "{ kind: 's3-put', key: 'bucket-key', bucket: 'my-uploads', objects: 10_000, payloadBytes: 1_048_576 }",
  's3-get': "{ kind: 's3-get', key: 'bucket-key', bucket: 'my-uploads', weight: 4 }",
  op: "{ kind: 'op', operation: 'Sign', key: 'signer', input: { SigningAlgorithm: 'ECDSA_SHA_256' } }",
  sequence:
    "{ kind: 'sequence', name: 'reencrypt', steps: [\n    { operation: 'Encrypt', key: 'old' },\n    { operation: 'ReEncrypt', key: 'new', ciphertextFrom: 0 },\n  ] }",
  custom:
    "{ kind: 'custom', name: 'describe-then-encrypt', *run(ctx) {\n    yield kmsCall('DescribeKey', { KeyId: 'alias/app' })\n    yield kmsCall('Encrypt', { KeyId: 'alias/app', Plaintext: new Uint8Array(32) })\n  } }",
  replay: "{ kind: 'replay', file: 'calls.csv' }",
  'sqs-send': "{ kind: 'sqs-send', key: 'queues', queue: 'orders', queues: 10, kmsDataKeyReusePeriodSeconds: 300 }",
  'sqs-receive': "{ kind: 'sqs-receive', key: 'queues', queue: 'orders', queues: 10, weight: 2 }",
  dynamodb: "{ kind: 'dynamodb', key: 'tables', table: 'orders', connections: 25 }",
  'secrets-manager-get':
    "{ kind: 'secrets-manager-get', key: 'secrets', secret: 'db-password', cache: 'caching-client' }",
  'lambda-cold-start': "{ kind: 'lambda-cold-start', key: 'functions', function: 'checkout', rate: 5 }",
  'ebs-attach': "{ kind: 'ebs-attach', key: 'volumes', volume: 'new', rate: 2 }",
}

const ARRIVAL_EXAMPLES: Readonly<Record<string, string>> = {
  constant: "{ shape: 'constant', rate: 5_000 }",
  poisson: "{ shape: 'poisson', rate: 5_000 }",
  ramp: "{ shape: 'ramp', from: 1_000, to: 15_000, over: '2m' }",
  steps:
    "{ shape: 'steps', steps: [{ rate: 2_000, duration: '1m' }, { rate: 12_000, duration: '30s' }], repeat: true }",
  spike: "{ shape: 'spike', base: 8_000, peak: 13_000, at: '30s', duration: '20s', every: '60s' }",
  sine: "{ shape: 'sine', mean: 6_000, amplitude: 4_000, period: '10m' }",
  trace: "{ shape: 'trace', file: 'cloudwatch-kms-requests.csv', values: 'sum' }",
}

/** Per built-in mitigation: what it models and an example (factory form; `{ name, ...options }` works too). */
export const MITIGATION_DOCS: Readonly<Record<string, { readonly what: string; readonly example: string }>> = {
  'account-sharding': {
    what: 'spreads hosts (or tenants) over several AWS accounts, each with its own quota',
    example: 'accountSharding({ shards: 3 })',
  },
  'data-key-cache': {
    what: "the AWS Encryption SDK's caching CMM: data keys reused within maxAge and the message/byte limits",
    example: "dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 1000 })",
  },
  'data-key-pool': {
    what: 'pre-generated data keys kept ready per host, refilled at a steady rate',
    example: 'dataKeyPool({ ratePerSecond: 6_500, size: 500 })',
  },
  'hierarchical-keyring': {
    what: "the AWS Encryption SDK's hierarchical keyring: branch keys in a key store, one KMS call per branch key and TTL",
    example: "hierarchicalKeyring({ ttl: '15m', branchKeys: 200 })",
  },
  'multi-region': {
    what: 'spreads calls over replicas of multi-Region keys in other Regions (each Region has its own quota)',
    example: "multiRegion({ regions: ['eu-west-3', 'eu-south-1'] })",
  },
  'quota-increase': {
    what: 'a Service Quotas increase of a pool; reports the request that removes throttling',
    example: 'quotaIncrease({ quotas: { symmetric: 20_000 } })',
  },
  's3-bucket-keys': {
    what: 'S3 Bucket Keys: S3 asks KMS once per bucket key lifetime and requester instead of once per object',
    example: "s3BucketKeys({ lifetime: '5m' })",
  },
  'single-flight': {
    what: 'concurrent identical calls (Decrypt of one ciphertext, DescribeKey) share one KMS call',
    example: "singleFlight({ operations: ['Decrypt', 'DescribeKey'] })",
  },
  'storm-tracking-cache': {
    what: "the AWS Cryptographic Material Providers Library's storm tracking cache: one refresh ahead of expiry, bounded fan-out",
    example: "stormTrackingCache({ maxAge: '30s' })",
  },
}

/** Meanings of the file formats' fields (same path keys as {@link MEANINGS}). */
export const FILE_MEANINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  latency: {
    default: 'the distribution of every operation without its own entry',
    operations: 'per-operation distributions: operation name → distribution',
    newConnection: 'added to the first call on a new connection (a TLS handshake, about 50–300 ms)',
    customKeyStore:
      'added per round trip to a custom key store by a successful call on a key in it (`aws`: CloudHSM 5 ms, XKS 20 ms; an assumption, AWS documents only a 250 ms XKS proxy timeout)',
    'customKeyStore.AWS_CLOUDHSM': 'the CloudHSM cluster round trip (a distribution)',
    'customKeyStore.EXTERNAL_KEY_STORE': 'the external key store proxy round trip (a distribution)',
    '*.type':
      '`none` (0 ms), `constant` (`ms`), `uniform` (`minMs`..`maxMs`) or `lognormal` (`p50Ms`, `p99Ms`, `tail`)',
    '*.ms': 'the constant service time, ms',
    '*.minMs': 'the lower bound, ms',
    '*.maxMs': 'the upper bound, ms',
    '*.p50Ms': 'the median, ms',
    '*.p99Ms': 'the 99th percentile, ms',
    '*.tail': 'a rare heavy tail: with `probability` the sample is log-uniform in [`minMs`, `maxMs`]',
    '*.probability': 'the share of samples drawn from the tail, in [0, 1)',
  },
  seed: {
    keys: 'keys to create at start, through CreateKey, CreateAlias, TagResource, EnableKeyRotation, ReplicateKey',
    'keys[].aliases':
      'aliases to create (`alias/...`); a key whose aliases all exist already is skipped (with `--state`)',
    'keys[].description': 'the key description',
    'keys[].keySpec': 'the KeySpec (`SYMMETRIC_DEFAULT`, `RSA_2048`, ...)',
    'keys[].keyUsage': 'the KeyUsage (`ENCRYPT_DECRYPT`, `SIGN_VERIFY`, ...)',
    'keys[].account': "the owning account (default: the server's `--account`)",
    'keys[].region': "the Region (default: the server's `--region`)",
    'keys[].policy': 'the key policy: a JSON object or JSON text (default: the default key policy)',
    'keys[].tags': 'tags: key → value',
    'keys[].rotation': 'automatic rotation: `{ enabled, periodDays? }`',
    'keys[].rotation.enabled': 'turn automatic rotation on',
    'keys[].rotation.periodDays': 'the rotation period in days (90..2560)',
    'keys[].multiRegion': 'create a multi-Region primary key',
    'keys[].replicaRegions': 'Regions to replicate the multi-Region key into',
    identityPolicies: 'IAM identity policies to attach to principals',
    'identityPolicies[].principal': 'the IAM principal ARN',
    'identityPolicies[].name': 'the policy name',
    'identityPolicies[].document': 'the policy document: a JSON object or JSON text',
  },
  credentials: {
    credentials: 'the known credentials (at least one)',
    'credentials[].accessKeyId': 'the access key id the SDK signs with',
    'credentials[].secretAccessKey': 'its secret access key',
    'credentials[].principal': 'the IAM principal the key maps to (user, role, root or STS assumed-role ARN)',
    'credentials[].sessionToken':
      'temporary credentials: requests must carry exactly this X-Amz-Security-Token (none accepted otherwise)',
    'credentials[].admin':
      'may call the reset routes (`POST /kms-bench/reset`, `POST /moto-api/reset`) under `--auth sigv4`',
  },
}

const FILE_EXAMPLES: Readonly<Record<string, string>> = {
  latency: JSON.stringify(
    {
      default: { type: 'lognormal', p50Ms: 15, p99Ms: 60, tail: { probability: 0.0001, minMs: 1000, maxMs: 5000 } },
      operations: { GenerateDataKey: { type: 'uniform', minMs: 5, maxMs: 25 } },
      newConnection: { type: 'uniform', minMs: 50, maxMs: 300 },
    },
    null,
    2,
  ),
  seed: JSON.stringify(
    {
      keys: [
        { aliases: ['alias/app'], description: 'app data key', rotation: { enabled: true, periodDays: 365 } },
        { aliases: ['alias/global'], multiRegion: true, replicaRegions: ['eu-west-1'] },
      ],
      identityPolicies: [
        {
          principal: 'arn:aws:iam::111122223333:role/app',
          name: 'kms-use',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
          },
        },
      ],
    },
    null,
    2,
  ),
  credentials: JSON.stringify(
    {
      credentials: [
        {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          principal: 'arn:aws:iam::111122223333:role/app',
        },
        {
          accessKeyId: 'AKIAADMINEXAMPLE0001',
          secretAccessKey: 'example-secret',
          principal: 'arn:aws:iam::111122223333:user/ops',
          admin: true,
        },
      ],
    },
    null,
    2,
  ),
}

/** A union's members, `anyOf` or `oneOf`. */
function alternatives(n: Node): readonly Node[] {
  return n.anyOf ?? n.oneOf ?? []
}

/** The tag of a discriminated-union member (`kind`/`shape`/`type` const), if it has one. */
function tagOf(n: Node): string | undefined {
  for (const k of ['kind', 'shape', 'type']) {
    const c = n.properties?.[k]?.const
    if (typeof c === 'string') return c
  }
  return undefined
}

/** A JSON Schema type in TypeScript-like words. */
export function typeText(n: Node | undefined): string {
  if (n === undefined || Object.keys(n).filter((k) => k !== 'default').length === 0) return 'any'
  if (n.const !== undefined) return JSON.stringify(n.const)
  if (n.enum !== undefined) return n.enum.map((e) => JSON.stringify(e)).join(' \\| ')
  const alts = alternatives(n)
  if (alts.length > 0) {
    const parts = [...new Set(alts.map((a) => (tagOf(a) !== undefined ? `{ ${tagOf(a)} }` : typeText(a))))]
    if (parts.length === 2 && parts.includes('number') && parts.includes('string')) return 'number \\| string'
    return parts.join(' \\| ')
  }
  if (n.type === 'array') return `${wrap(typeText(n.items))}[]`
  if (n.type === 'object' || n.properties !== undefined) {
    if (n.properties !== undefined) return 'object'
    const ap = n.additionalProperties
    return `{ [name]: ${typeof ap === 'object' ? typeText(ap) : 'any'} }`
  }
  if (n.type === 'integer')
    return n.minimum === 0 ? 'integer ≥ 0' : n.exclusiveMinimum === 0 ? 'integer > 0' : 'integer'
  if (n.type === 'number') return n.minimum === 0 ? 'number ≥ 0' : n.exclusiveMinimum === 0 ? 'number > 0' : 'number'
  return Array.isArray(n.type) ? n.type.join(' \\| ') : (n.type ?? 'any')
}

function wrap(t: string): string {
  return t.includes(' ') ? `(${t})` : t
}

function defaultText(n: Node): string {
  if (n.default === undefined) return ''
  return `\`${JSON.stringify(n.default)}\``
}

/** The meaning of a path: its own entry, the path without union tags, or `*.<last segment>`. */
export function meaningOf(path: string, table: Readonly<Record<string, string>>): string | undefined {
  const untagged = path.replace(/<[^>]+>/g, '')
  const unscoped = untagged.replace(/^variants\[\]\.faults/, 'faults')
  const last = path.split('.').pop() ?? path
  const variantRequest = path.replace(/^variants\[\]\.requests/, 'requests')
  return table[path] ?? table[untagged] ?? table[unscoped] ?? table[variantRequest] ?? table[`*.${last}`]
}

/** Every documented field path of a schema (nested objects and array items; union members by tag). */
export function fieldPaths(root: Node, stopAt: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = []
  const walk = (n: Node, p: string): void => {
    for (const [k, v] of Object.entries(n.properties ?? {})) {
      const q = p === '' ? k : `${p}.${k}`
      out.push(q)
      if (!stopAt.has(k)) walk(v, q)
    }
    if (n.items !== undefined) walk(n.items, `${p}[]`)
    for (const a of alternatives(n)) {
      const tag = tagOf(a)
      walk(a, tag !== undefined && p !== '' ? `${p}<${tag}>` : p)
    }
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, p)
  }
  walk(root, '')
  return [...new Set(out)]
}

/** A Markdown table of an object node's own fields. */
function fieldTable(
  n: Node,
  prefix: string,
  table: Readonly<Record<string, string>>,
  skip: readonly string[] = [],
): string {
  const required = new Set(n.required ?? [])
  const rows = Object.entries(n.properties ?? {})
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => {
      const path = prefix === '' ? k : `${prefix}.${k}`
      const meaning = meaningOf(path, table) ?? ''
      return `| \`${k}\` | ${typeText(v)} | ${required.has(k) ? 'required' : defaultText(v)} | ${meaning} |`
    })
  return ['| Field | Type | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** The object member of a node that may also be a shorthand (tenants: a number or an object). */
function objectOf(n: Node | undefined): Node {
  if (n === undefined) return {}
  if (n.properties !== undefined) return n
  if (n.items !== undefined) return objectOf(n.items)
  return alternatives(n).find((a) => a.properties !== undefined) ?? n
}

/**
 * An object node's fields, wherever they are: the node itself, its array items, or the object
 * members of a union merged (`{ ms }`, `{ min, max }`, `{ mean }` are one table); undefined for
 * a node without fields.
 */
function fieldsNode(n: Node | undefined): Node | undefined {
  if (n === undefined) return undefined
  if (n.properties !== undefined) return n
  if (n.items !== undefined) return fieldsNode(n.items)
  const objects = alternatives(n).filter((a) => a.properties !== undefined && tagOf(a) === undefined)
  if (objects.length === 0) return undefined
  return { properties: Object.assign({}, ...objects.map((a) => a.properties)) }
}

/** Fields rendered in sections of their own (or as shorthand notes), not as nested tables. */
const OWN_SECTIONS = new Set(['payloadBytes', 'client', 'mitigations', 'requests', 'faults', 'retry', 'latency'])

/**
 * A table per nested object of a section (`fleet.groups[]`, `arrivals<steps>.steps[]`,
 * `faults[].latency`), so every field of the schema is documented, and its own nested ones.
 */
function nestedSections(n: Node, prefix: string, title: string): string[] {
  const out: string[] = []
  for (const [k, v] of Object.entries(fieldsNode(n)?.properties ?? {})) {
    const isArray = v.type === 'array' || v.items !== undefined
    const fields = fieldsNode(v)
    if (fields === undefined || (OWN_SECTIONS.has(k) && !(prefix === 'faults[]' && k === 'latency'))) continue
    const path = `${prefix}.${k}${isArray ? '[]' : ''}`
    const name = `${title}.${k}${isArray ? '[]' : ''}`
    out.push(`#### \`${name}\``, fieldTable(fields, path, MEANINGS), ...nestedSections(fields, path, name))
  }
  return out
}

function ts(code: string): string {
  return `\`\`\`ts\n${code}\n\`\`\``
}

function scenarioSections(root: Node): string[] {
  const p = root.properties ?? {}
  const out: string[] = []
  out.push('## Scenario fields', fieldTable(root, '', MEANINGS))
  for (const [key, title] of [
    ['accounts', '`accounts[]`'],
    ['keys', '`keys[]`'],
    ['fleet', '`fleet`'],
    ['tenants', '`tenants` (object form)'],
    ['retry', '`retry` (also `variants[].retry`)'],
    ['variants', '`variants[]`'],
    ['faults', '`faults[]` (also `variants[].faults`)'],
    ['client', '`client` (also `variants[].client`, `fleet.groups[].client`)'],
    ['alarm', '`alarm`'],
  ] as const) {
    const prefix = p[key]?.type === 'array' || p[key]?.items !== undefined ? `${key}[]` : key
    out.push(`### ${title}`, fieldTable(objectOf(p[key]), prefix, MEANINGS))
    out.push(...nestedSections(objectOf(p[key]), prefix, prefix))
  }
  out.push(
    '## Arrival shapes (`arrivals`)',
    'Open loop: the intended send time of every request is fixed from the start; latency is measured from it. Rates are application requests per second.',
  )
  for (const a of alternatives(p['arrivals'] ?? {})) {
    const tag = tagOf(a) ?? '?'
    out.push(`### \`shape: '${tag}'\``, fieldTable(a, `arrivals<${tag}>`, MEANINGS, ['shape']))
    out.push(...nestedSections(a, `arrivals<${tag}>`, 'arrivals'))
    out.push(ts(`arrivals: ${ARRIVAL_EXAMPLES[tag] ?? `{ shape: '${tag}' }`},`))
  }
  out.push(
    '## Request kinds (`requests[]`)',
    'Each arrival picks one kind by `weight`. `key` names a scenario key (its `name`).',
  )
  for (const a of alternatives(
    objectOf(p['requests']).anyOf !== undefined ? objectOf(p['requests']) : (p['requests']?.items ?? {}),
  )) {
    const tag = tagOf(a) ?? '?'
    out.push(`### \`kind: '${tag}'\``, fieldTable(a, `requests[]<${tag}>`, MEANINGS, ['kind']))
    out.push(...nestedSections(a, `requests[]<${tag}>`, 'requests[]'))
    out.push(ts(`requests: [${REQUEST_EXAMPLES[tag] ?? `{ kind: '${tag}' }`}],`))
  }
  out.push(
    '### Payload sizes (`payloadBytes`)',
    '`payloadBytes: 1024` (fixed), `{ min: 256, max: 4096 }` (uniform), or `{ choices: [1024, 65536], weights: [9, 1] }` (weighted; `weights` one per choice, default equal).',
    '### Encryption context (`context`)',
    "`'none'`, `'tenant'` (`{ tenant: 'tenant-<n>' }` for the request's tenant), or a map whose values may contain `{tenant}`: `{ app: 'billing', tenant: 'acme-{tenant}' }`.",
  )
  out.push(
    '## Mitigations (`variants[].mitigations`)',
    "Each built-in mitigation is a factory exported by `kms-bench`, or can be named declaratively: `{ name: 'data-key-cache', maxAge: '5m' }`. Their options are typed (`DataKeyCacheOptions`, ...) in the package's declarations, each with its default. The SDK retry strategy is not a mitigation: set `retry` on the variant.",
    [
      '| Name | Models | Example |',
      '| --- | --- | --- |',
      ...Object.keys(BUILT_IN_MITIGATIONS).map((name) => {
        const d = MITIGATION_DOCS[name]
        return `| \`${name}\` | ${d?.what ?? ''} | \`${d?.example ?? ''}\` |`
      }),
    ].join('\n'),
    // Every option of every built-in mitigation, from its typed options interface.
    ...Object.keys(BUILT_IN_MITIGATIONS).flatMap((name) => [
      `### \`${name}\` options`,
      optionTable(mitigationOptions(REPO_ROOT, name)),
    ]),
  )
  return out
}

function fileSection(
  title: string,
  intro: string,
  schema: z.ZodType,
  key: keyof typeof FILE_MEANINGS,
  extraNodes: readonly [string, (root: Node) => Node | undefined][] = [],
): string[] {
  const root = z.toJSONSchema(schema, JSON_SCHEMA_OPTIONS) as Node
  const table = FILE_MEANINGS[key] ?? {}
  const out = [`## ${title}`, intro, fieldTable(root, '', table)]
  for (const [name, pick] of extraNodes) {
    const n = pick(root)
    if (n !== undefined) out.push(`### \`${name}\``, fieldTable(objectOf(n), name, table))
  }
  out.push(`\`\`\`json\n${FILE_EXAMPLES[key] ?? '{}'}\n\`\`\``)
  return out
}

function distributionSections(): string[] {
  const root = z.toJSONSchema(latencySchema, JSON_SCHEMA_OPTIONS) as Node
  const dist = root.properties?.['default'] ?? {}
  const table = FILE_MEANINGS['latency'] ?? {}
  return alternatives(dist).map((a) => {
    const tag = tagOf(a) ?? '?'
    return `### Distribution \`type: '${tag}'\`\n\n${fieldTable(a, `default<${tag}>`, table, ['type'])}`
  })
}

/** docs/scenarios.md. */
export function renderScenarioReference(): string {
  const root = scenarioJsonSchema() as Node
  const out: string[] = [
    '# Scenario reference',
    '<!-- Generated by `npm run gen:docs` from the zod schemas (scripts/scenario-reference.ts). Do not edit by hand: test/scenario-reference.test.ts fails when it is stale. -->',
    'A scenario is a TypeScript file whose default export is `defineScenario({...})`, imported from `kms-bench`; `ScenarioInput` is its type, so an editor completes and checks every field. The same shape as a JSON Schema ships in the package: `kms-bench/scenario.schema.json` (`node_modules/kms-bench/schema/scenario.schema.json`). Run it with `npx kms-bench run my-scenario.ts`.',
    ts(`import { dataKeyCache, defineScenario } from 'kms-bench'

export default defineScenario({
  name: 'orders',
  region: 'eu-north-1',
  duration: '2m',
  keys: [{ name: 'app', alias: 'alias/app' }],
  fleet: { hosts: 20 },
  arrivals: { shape: 'spike', base: 6_000, peak: 14_000, at: '30s', duration: '20s' },
  requests: [{ kind: 'envelope-encrypt', key: 'app', payloadBytes: 4096 }],
  variants: [
    { name: 'baseline' },
    { name: 'cached', mitigations: [dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 1000 })] },
  ],
  thresholds: ['cached: throttleRate == 0'],
})`),
    'Every problem is reported at once, each with its path (`keys.0.alias: ...`); an unknown field lists the valid ones. Defaults below are filled in by `defineScenario`.',
    ...scenarioSections(root),
    ...fileSection(
      'Latency spec (`run --latency FILE`, `serve --latency FILE`, a scenario’s `latency`)',
      'A JSON file (or the object itself in a scenario): a default distribution, optional per-operation ones, an optional new-connection penalty, and an optional custom key store term. `aws` is the built-in assumption (lognormal p50 15 ms, p99 60 ms, a 1e-4 tail of 1–5 s; 50–300 ms per new connection; 5 ms per CloudHSM and 20 ms per XKS proxy round trip).',
      latencySchema,
      'latency',
    ),
    ...distributionSections(),
    ...fileSection(
      'Seed file (`serve --seed FILE`)',
      "JSON: keys, aliases and IAM identity policies the endpoint creates at start through its own operations (seeding bypasses the quotas and is not audited). `account` and `region` default to the server's.",
      seedSchema,
      'seed',
      [
        ['keys[]', (r) => r.properties?.['keys']],
        ['identityPolicies[]', (r) => r.properties?.['identityPolicies']],
      ],
    ),
    ...fileSection(
      'Credentials file (`serve --credentials FILE`, with `--auth sigv4`)',
      'JSON: access key id → secret → IAM principal. The principal is who the caller is for key policies, IAM identity policies and grants; its account is the caller’s account.',
      credentialsSchema,
      'credentials',
      [['credentials[]', (r) => r.properties?.['credentials']]],
    ),
    ...liveSection(),
  ]
  return `${out.join('\n\n')}\n`
}

/** The `run --live FILE` format: JSON lines with timeline.csv's columns (src/report/live.ts). */
function liveSection(): string[] {
  return [
    '## Live view (`run --live FILE`)',
    'JSON lines, one per variant and second, written (and flushed) as soon as the second is final, so that a dashboard or `tail -f FILE | jq` can follow a long run: in real time within about a quarter of a second of the second’s end, in virtual time as simulated seconds complete. Each line holds the values of the `timeline.csv` row of that variant and second, under the CSV’s column names (the seconds of the drain after the last arrival come when the variant ends; with worker threads, or for a scale model, all of a variant’s lines come when it ends). The file is truncated when the run starts; a path that cannot be written is a usage error (exit 2) before anything runs.',
    "```sh\nnpx kms-bench run scenarios/envelope-fleet.ts --target http://127.0.0.1:4599 --live live.jsonl &\ntail -f live.jsonl | jq -c '{variant, second, offered, throttled, p99_ms}'\n```",
    ['| Field | Meaning |', '| --- | --- |', ...LIVE_FIELDS.map(([f, m]) => `| \`${f}\` | ${m} |`)].join('\n'),
  ]
}

/** The documented paths of a file format's schema. */
export function fileFormatPaths(): Record<string, string[]> {
  return {
    latency: fieldPaths(z.toJSONSchema(latencySchema, JSON_SCHEMA_OPTIONS) as Node),
    seed: fieldPaths(z.toJSONSchema(seedSchema, JSON_SCHEMA_OPTIONS) as Node),
    credentials: fieldPaths(z.toJSONSchema(credentialsSchema, JSON_SCHEMA_OPTIONS) as Node),
  }
}
