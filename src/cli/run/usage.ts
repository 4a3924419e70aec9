/** The help text and the flags of `kms-bench run`. */
import { supportedAdHocOperations } from '../../load/index.ts'
import { QUOTA_ARG_OPTIONS, QUOTA_ARGS_USAGE } from '../quota-args.ts'

/** `kms-bench run --help`. */
export const USAGE = `Usage: kms-bench run SCENARIO [options]
       kms-bench run --op OP --rate RPS --duration D [--quota POOL=RPS]... [options]

Runs a scenario file (scenarios/*.ts: export default defineScenario({...})), or one KMS
operation at a constant rate (the ad-hoc form, which creates the key it needs), and writes
summary.json, report.md, report.html, one <variant>.hgrm per variant, timeline.csv,
bencher.json, github-action-benchmark.json and junit.xml. With $GITHUB_STEP_SUMMARY set,
report.md is appended to it. Exits 1 when a threshold fails, 130 when interrupted (the
partial results are written, marked incomplete).

Options:
  --variant NAME        run only this variant (repeatable; default: all)
  --target T            embedded (default), an endpoint URL (kms-bench serve, moto, LocalStack),
                        or aws (real AWS; needs --yes-real-aws)
  --clock virtual|real  virtual: deterministic simulated time (default for embedded);
                        real: wall-clock time (the only choice for endpoints)
  --duration D          30s, 5m, 1h or seconds (overrides the scenario's)
  --seed N              random seed, a 32-bit integer (overrides the scenario's)
  --region R            default Region (overrides the scenario's)
  --retry MODE          SDK retries for every variant: none, standard or adaptive
                        (legacy too with --sdk boto3 or java-v2)
                        (default: each variant's own setting, else standard)
  --sdk NAME            the SDK client of every host: js-v3, boto3, java-v2 or go-v2, in its
                        default mode (boto3 and java-v2: legacy) unless --retry names one
  --max-attempts N      SDK maxAttempts, first attempt included (default 3); without --retry,
                        each variant keeps its own retry mode (and retries off stay off)
  --scale F             multiply every rate and quota by F (a scale model)
  --shard I/N|auto      run shard I of N, numbered 1..N (1/N of every rate, own seed stream);
                        auto: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX/COUNT; merge
                        with \`kms-bench merge\`
  --latency none|aws|FILE  service-time model of the embedded target (default: the scenario's, else none)
  --timeout D           every request's deadline (e.g. 10s, 500ms): a request not done by then stops
                        (retries and waits end) and counts as timed out (default: the scenario's
                        timeout, else 29 s, the default integration timeout of API Gateway)
  --drain D             real time: how long requests in flight may finish after the last arrival
                        (default 10s); those still in flight then are aborted and count as
                        timed out (errors: DrainAbort)
  --max-in-flight N     real time: requests in flight at most; later ones are dropped (default 4096)
  --workers N           real time: send from N worker threads (each 1/N of every rate, merged
                        exactly) when one core cannot keep the schedule (default 1); virtual
                        time: run N variants side by side (the main thread and N − 1 worker
                        threads), summary.json as from one thread (default: one per core
                        while each gets at least 300,000 requests)
  --threshold EXPR      a gate: METRIC OP NUMBER on every variant, or on one with a prefix, e.g.
                        'throttleRate < 0.001', 'cached: latencyMs.p99 <= 50' (repeatable; added to
                        the scenario's; exit 1 when one fails)
  --runs N              real time: repeat the run N times; summary.json keeps every run's figures
                        (runs) for the statistical test of \`kms-bench compare\` (default 1)
  --live FILE           JSON lines, one per variant and second, with timeline.csv's columns, each
                        written as soon as its second is final (follow with tail -f FILE | jq)
  --out DIR             output directory (default reports/<scenario>/<timestamp>/)
  --quiet               print nothing but failed thresholds (stderr); without a terminal
                        (or with CI=true) the progress line is one line per variant start
  --yes-real-aws        allow --target aws (real requests, real cost)
Ad-hoc form:
  --op OP               operation: ${supportedAdHocOperations().join(', ')}
  --rate RPS            requests per second (constant)
  --payload-bytes N     plaintext/message size (default 32)
  --hosts N             application hosts, each with its own client (default 1)
${QUOTA_ARGS_USAGE}
  -h, --help            show this help
`

/** The flags of `kms-bench run` (node:util parseArgs options). */
export const OPTIONS = {
  variant: { type: 'string', multiple: true },
  target: { type: 'string' },
  clock: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  region: { type: 'string' },
  retry: { type: 'string' },
  sdk: { type: 'string' },
  'max-attempts': { type: 'string' },
  scale: { type: 'string' },
  shard: { type: 'string' },
  latency: { type: 'string' },
  'max-in-flight': { type: 'string' },
  live: { type: 'string' },
  drain: { type: 'string' },
  timeout: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  runs: { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  'yes-real-aws': { type: 'boolean' },
  op: { type: 'string' },
  rate: { type: 'string' },
  'payload-bytes': { type: 'string' },
  hosts: { type: 'string' },
  ...QUOTA_ARG_OPTIONS,
} as const
