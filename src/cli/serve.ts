/**
 * `kms-bench serve`: the embedded emulator (with quotas) behind the real KMS wire protocol,
 * so the AWS SDKs, the AWS CLI, boto3 and the Encryption SDK work against it unchanged
 * (`--endpoint-url http://127.0.0.1:4599` or `AWS_ENDPOINT_URL_KMS=...`). Prints
 * `listening on http://HOST:PORT` when ready; SIGINT/SIGTERM drain in-flight requests and exit 0.
 * Bad flags or unusable files exit 2 with a message naming the flag.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createEmulator, type Emulator } from '../emulator.ts'
import { describeFault, type FaultSpec, FaultSpecError, parseFaultSpec } from '../faults/index.ts'
import { type AuditEvent, isAccountId } from '../kms/index.ts'
import { createLatencyModel, LatencySpecError, parseLatencySpec, type LatencyModel } from '../load/index.ts'
import {
  AuditFile,
  applySeed,
  CredentialsFileError,
  DEFAULT_PORT,
  parseCredentialsFile,
  parseSeed,
  SeedError,
  startKmsServer,
  StateDirError,
  StatePersistence,
  type AuthMode,
  type CredentialStore,
  type HealthReport,
  isLoopbackHost,
  type KmsServer,
  type Seed,
} from '../server/index.ts'
import { parseCommandArgs, regionArg, seedArg } from './args.ts'
import { usageError } from './cli-error.ts'
import { parseDurationArg } from './duration.ts'
import { fsReason, readJsonFile, readTextFile } from './files.ts'
import type { CliIo, Command } from './io.ts'
import {
  parseQuotaArgs,
  QUOTA_ARG_OPTIONS,
  QUOTA_ARGS_USAGE,
  quotaConfigCliError,
  type QuotaArgs,
} from './quota-args.ts'

const USAGE = `Usage: kms-bench serve [options]

Serves the KMS emulator, with AWS's request quotas, over the real KMS wire protocol
(awsJson1_1). Point any AWS SDK, the AWS CLI or boto3 at it:

  AWS_ENDPOINT_URL_KMS=http://127.0.0.1:${DEFAULT_PORT} aws kms create-key
  new KMSClient({ endpoint: 'http://127.0.0.1:${DEFAULT_PORT}' })

The Region comes from each request's SigV4 credential scope, the account from a 12-digit
access key id (else --account). POST /moto-api/reset (or /kms-bench/reset) clears all state;
GET /kms-bench/usage returns the quota meter; GET /metrics the Prometheus metrics.

Options:
  --host HOST             interface to bind (default 127.0.0.1; a non-loopback one warns)
  --port N                TCP port (default ${DEFAULT_PORT}; 0 picks a free port)
  --account ID            account of callers whose access key id is not 12 digits
                          (default 111122223333)
  --region NAME           Region of requests without a SigV4 scope (default us-east-1)
${QUOTA_ARGS_USAGE}
  --latency none|aws|FILE service time added before answering (default none); 'aws' is a
                          lognormal p50 15 ms / p99 60 ms with a rare 1-5 s tail; FILE is JSON
  --state DIR             persist all state in DIR; restart from it (ciphertext stays decryptable)
  --auth none|sigv4       'none' accepts any signature (default); 'sigv4' verifies it, and
                          the reset routes then need a credential with "admin": true
  --credentials FILE      access keys -> secrets -> principals (JSON, see README); needed by
                          --auth sigv4
  --metrics-token-file FILE
                          a bearer token (the file's first line, 32+ characters) that may
                          scrape GET /metrics without a SigV4 signature under --auth sigv4
                          (Prometheus: authorization: { credentials_file: FILE }); it opens
                          /metrics only
  --allow-host NAME       answer this Host name too (repeatable); bound to loopback, only
                          localhost, 127.0.0.0/8 and [::1] are answered (DNS rebinding)
  --audit FILE            append CloudTrail-shaped events as JSON lines; write failures are
                          reported on stderr and in /kms-bench/health, never fail KMS calls
  --seed FILE             keys, aliases and identity policies to create at start (JSON)
  --fault SPEC            inject a fault (repeatable), seeded: KIND[,op=OP+OP][,percent=P]
                          [,start=D][,duration=D][,ms=N|A-B|exp:MEAN]; KIND is
                          KMSInternalException, DependencyTimeoutException,
                          KeyUnavailableException, ThrottlingException (beyond the quota),
                          latency, reset or hang; windows count from the server's start;
                          errors are in the audit log with their errorCode
  --fault-seed N          seed of the fault draws (default 1)
  --key-store-connect D   how long ConnectCustomKeyStore stays CONNECTING before CONNECTED
                          or FAILED (default 0; AWS: "up to 20 minutes" for CloudHSM);
                          PUT /kms-bench/custom-key-store-failure makes connections fail
  -h, --help              show this help
`

/** What the flags say, validated. */
export interface ServeConfig {
  host: string
  port: number
  account: string
  region: string
  auth: AuthMode
  quota: QuotaArgs
  latency: LatencyModel
  credentials: CredentialStore | undefined
  seed: Seed | undefined
  stateDir: string | undefined
  auditFile: string | undefined
  allowedHosts: string[]
  faults: FaultSpec[]
  faultSeed: number
  /** ConnectCustomKeyStore's CONNECTING time, ms (`--key-store-connect`). @default 0 */
  keyStoreConnectMs: number
  /** bearer token for GET /metrics (`--metrics-token-file`) */
  metricsToken: string | undefined
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  account: { type: 'string' },
  region: { type: 'string' },
  ...QUOTA_ARG_OPTIONS,
  latency: { type: 'string' },
  state: { type: 'string' },
  auth: { type: 'string' },
  credentials: { type: 'string' },
  audit: { type: 'string' },
  seed: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  'metrics-token-file': { type: 'string' },
  fault: { type: 'string', multiple: true },
  'fault-seed': { type: 'string' },
  'key-store-connect': { type: 'string' },
} as const

function readJson(flag: string, path: string): Promise<unknown> {
  return readJsonFile(path, { flag, what: path })
}

/** Parses and validates the flags, reading the files they name. Throws {@link CliError} (exit 2). */
export async function serveConfig(argv: readonly string[], io: CliIo): Promise<ServeConfig> {
  const parsed = parseCommandArgs('serve', argv, OPTIONS)
  const v = parsed.values
  if (parsed.positionals.length > 0)
    throw usageError(
      `unexpected argument '${parsed.positionals[0] ?? ''}': serve takes options only`,
      'run `kms-bench serve --help`',
    )

  const host = v.host ?? '127.0.0.1'
  if (host.trim() === '') throw usageError('--host must not be empty')
  const portText = v.port ?? String(DEFAULT_PORT)
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 0 && port <= 65535)) throw usageError(`--port must be an integer from 0 to 65535, got '${portText}'`)
  const account = v.account ?? '111122223333'
  if (!isAccountId(account)) throw usageError(`--account must be a 12-digit AWS account id, got '${account}'`)
  const region = regionArg('--region', v.region) ?? 'us-east-1'
  const auth = v.auth ?? 'none'
  if (auth !== 'none' && auth !== 'sigv4') throw usageError(`--auth must be 'none' or 'sigv4', got '${auth}'`)

  let credentials: CredentialStore | undefined
  if (v.credentials !== undefined) {
    const path = resolve(io.cwd, v.credentials)
    try {
      credentials = parseCredentialsFile(await readJson('--credentials', path))
    } catch (e) {
      if (e instanceof CredentialsFileError) throw usageError(`--credentials ${path}: ${e.message}`)
      throw e
    }
  }
  if (auth === 'sigv4' && credentials === undefined)
    throw usageError('--auth sigv4 needs --credentials FILE (access keys, secrets and principals)')

  let latency: LatencyModel
  const latencyArg = v.latency ?? 'none'
  if (latencyArg === 'none' || latencyArg === 'aws') {
    latency = createLatencyModel(latencyArg, Math.random)
  } else {
    const path = resolve(io.cwd, latencyArg)
    try {
      latency = createLatencyModel(parseLatencySpec(await readJson('--latency', path)), Math.random)
    } catch (e) {
      if (e instanceof LatencySpecError) throw usageError(`--latency ${path}: ${e.message}`)
      throw e
    }
  }

  let seed: Seed | undefined
  if (v.seed !== undefined) {
    const path = resolve(io.cwd, v.seed)
    try {
      seed = parseSeed(await readJson('--seed', path))
    } catch (e) {
      if (e instanceof SeedError) throw usageError(`--seed ${path}: ${e.message}`)
      throw e
    }
  }

  const quota = await parseQuotaArgs({ profile: v.profile, quota: v.quota ?? [] }, io.cwd)
  const metricsToken =
    v['metrics-token-file'] !== undefined ? await metricsTokenArg(resolve(io.cwd, v['metrics-token-file'])) : undefined
  return {
    metricsToken,
    host,
    port,
    account,
    region,
    auth,
    quota,
    latency,
    credentials,
    seed,
    stateDir: v.state !== undefined ? resolve(io.cwd, v.state) : undefined,
    auditFile: v.audit !== undefined ? resolve(io.cwd, v.audit) : undefined,
    allowedHosts: allowedHostsArg(v['allow-host'] ?? []),
    faults: (v.fault ?? []).map((f) => {
      try {
        return parseFaultSpec(f)
      } catch (e) {
        if (e instanceof FaultSpecError) throw usageError(e.message)
        throw e
      }
    }),
    faultSeed: seedArg(v['fault-seed']) ?? 1,
    keyStoreConnectMs:
      v['key-store-connect'] !== undefined
        ? Math.round(parseDurationArg('--key-store-connect', v['key-store-connect'], true) * 1000)
        : 0,
  }
}

/** Shortest metrics token accepted: 32 characters (e.g. `openssl rand -hex 16`). */
const MIN_METRICS_TOKEN = 32

/** The bearer token of `--metrics-token-file`: its first line, 32+ printable characters (exit 2 otherwise). */
async function metricsTokenArg(path: string): Promise<string> {
  const text = await readTextFile(path, { flag: '--metrics-token-file', what: path })
  const token = (text.split(/\r?\n/)[0] ?? '').trim()
  if (token.length < MIN_METRICS_TOKEN || !/^[\x21-\x7e]+$/.test(token))
    throw usageError(
      `--metrics-token-file ${path}: the token (first line) must be at least ${MIN_METRICS_TOKEN} printable characters without spaces`,
      'make one with: openssl rand -hex 32 > FILE',
    )
  return token
}

function allowedHostsArg(values: readonly string[]): string[] {
  for (const h of values) {
    if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(h))
      throw usageError(`--allow-host takes a host name without port or scheme, got '${h}'`)
  }
  return [...values]
}

export { isLoopbackHost }

/** Opens the audit file (exit 2 when it cannot be opened). */
async function openAudit(path: string | undefined, io: CliIo): Promise<AuditFile | undefined> {
  if (path === undefined) return undefined
  let fh: FileHandle
  try {
    fh = await open(path, 'a')
  } catch (e) {
    throw usageError(`--audit: cannot open ${path}: ${fsReason(e)}`)
  }
  return new AuditFile(fh, path, { log: (line) => io.stderr.write(`${line}\n`) })
}

function buildEmulator(config: ServeConfig, audit: AuditFile | undefined): Emulator {
  try {
    const emulator = createEmulator({
      ...config.quota,
      defaultAccount: config.account,
      defaultRegion: config.region,
      faults: config.faults,
      faultSeed: config.faultSeed,
      // Events go to the audit file (if any); none are kept in memory by a long-running server.
      audit: {
        capacity: 0,
        ...(audit !== undefined ? { sink: (e: AuditEvent) => audit.write(JSON.stringify(e)) } : {}),
      },
    })
    emulator.core.asyncDelays.customKeyStoreConnectMs = config.keyStoreConnectMs
    return emulator
  } catch (e) {
    throw quotaConfigCliError(e) ?? e
  }
}

/** Opens and locks the state directory, restores it, applies the seed. */
async function openState(config: ServeConfig, emulator: Emulator, io: CliIo): Promise<StatePersistence | undefined> {
  let persistence: StatePersistence | undefined
  let restored = false
  if (config.stateDir !== undefined) {
    try {
      ;({ persistence, restored } = await StatePersistence.open(config.stateDir, emulator.core))
    } catch (e) {
      if (e instanceof StateDirError) throw usageError(`--state: ${e.message}`)
      throw e
    }
    if (restored) io.stderr.write(`kms-bench: restored state from ${config.stateDir}\n`)
  }
  if (config.seed !== undefined) {
    try {
      const r = applySeed(emulator, config.seed, { fresh: !restored })
      io.stderr.write(`kms-bench: seed: ${r.created} key(s) created, ${r.skipped} already there\n`)
    } catch (e) {
      await persistence?.close()
      if (e instanceof SeedError) throw usageError(`--seed: ${e.message}`)
      throw e
    }
    if (persistence?.dirty === true) await persistence.commit()
  }
  return persistence
}

async function listen(
  config: ServeConfig,
  emulator: Emulator,
  persistence: StatePersistence | undefined,
  audit: AuditFile | undefined,
  io: CliIo,
): Promise<KmsServer> {
  try {
    return await startKmsServer({
      emulator,
      host: config.host,
      port: config.port,
      auth: config.auth,
      ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
      latency: config.latency,
      ...(persistence !== undefined ? { persistence } : {}),
      allowedHosts: config.allowedHosts,
      ...(config.metricsToken !== undefined ? { metricsToken: config.metricsToken } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
      ...(audit !== undefined ? { health: () => auditHealth(audit) } : {}),
    })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      throw usageError(
        `--port ${config.port}: address ${config.host}:${config.port} is already in use`,
        'pick another --port, or --port 0 for a free one',
      )
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES')
      throw usageError(`--host ${config.host} / --port ${config.port}: cannot listen (${code})`)
    throw e
  }
}

function auditHealth(audit: AuditFile): HealthReport {
  const status = audit.status()
  return {
    problems: status.failing !== undefined ? [`audit: cannot write ${status.file}: ${status.failing}`] : [],
    audit: status,
  }
}

/** The `serve` command. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the emulator over the real KMS wire protocol',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const config = await serveConfig(argv, io)
    if (!isLoopbackHost(config.host)) {
      io.stderr.write(
        `kms-bench: warning: --host ${config.host} makes this KMS emulator reachable from other machines${config.auth === 'none' ? ' without authentication (--auth none)' : ''}; it is a test tool, not a key store\n`,
      )
    }
    if (config.metricsToken !== undefined && config.auth === 'none')
      io.stderr.write(
        'kms-bench: warning: --metrics-token-file has no effect with --auth none: GET /metrics, like every route, is open\n',
      )
    const audit = await openAudit(config.auditFile, io)
    let persistence: StatePersistence | undefined
    try {
      const emulator = buildEmulator(config, audit)
      for (const f of config.faults) io.stderr.write(`kms-bench: ${describeFault(f)}\n`)
      persistence = await openState(config, emulator, io)
      const server = await listen(config, emulator, persistence, audit, io)
      io.stdout.write(`listening on ${server.url}\n`)
      await new Promise<void>((resolveStop) => {
        if (io.signal.aborted) resolveStop()
        else io.signal.addEventListener('abort', () => resolveStop(), { once: true })
      })
      await server.close()
      return 0
    } finally {
      await persistence?.close()
      await audit?.close()
    }
  },
}
