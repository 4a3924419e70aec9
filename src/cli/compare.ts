/**
 * `kms-bench compare BASELINE CURRENT [--threshold EXPR]...`: prints a Markdown diff of two
 * results and exits 1 on a regression beyond the thresholds (DESIGN.md exit codes). Virtual-time
 * results compare exactly; real-time ones through a statistical test on repeated runs
 * (report/compare.ts). A missing or malformed file, an unknown schemaVersion, a bad
 * threshold or results of different clocks: one clear message, exit 2.
 */
import { basename, dirname, resolve } from 'node:path'
import { type CompareRule, DEFAULT_COMPARE_RULES } from '../load/index.ts'
import {
  compareSummaries,
  ComparisonError,
  describeRules,
  renderComparisonMarkdown,
  type RuleOutcome,
} from '../report/index.ts'
import { numberArg, parseCommandArgs } from './args.ts'
import { EXIT_GATE_FAILED, usageError } from './cli-error.ts'
import type { CliIo, Command } from './io.ts'
import { appendToStepSummary, writeOutputFiles } from './output.ts'
import { loadResultArg } from './summary-file.ts'
import { parseCompareArgs } from './thresholds.ts'

const USAGE = `Usage: kms-bench compare BASELINE CURRENT [--threshold EXPR]... [options]

Compares two results (summary.json files, or the directories holding them) variant by
variant and prints a Markdown diff: KMS calls per request, throttle rate, p50/p99, cost, with
deltas. Exits 1 when a threshold fails, 0 otherwise.

Virtual-time results are deterministic and compare exactly. Real-time results are noisy:
record 5 or more runs on each side (kms-bench run --runs 5); a relative threshold then fails
only when a one-sided Mann-Whitney U test finds the current runs worse (p <= alpha) AND the
median moved beyond the threshold, so noise alone never fails the build.

Thresholds (repeatable; each replaces the default on the same metric):
  METRIC +10%         fails when METRIC rises more than 10 % above the baseline (+0%: fails on every rise)
  METRIC -10%         fails when METRIC drops more than 10 % (e.g. throughput -10%)
  METRIC +1           fails when METRIC rises by more than 1 in its unit (ms for latencies)
  METRIC +10% +1      fails only when the rise exceeds both (a floor for tiny values)
  METRIC OP NUMBER    absolute, on the current result: 'throttleRate < 0.001'
  VARIANT: ...        only for that variant: 'cached: kms.callsPerRequest +0%'
Defaults: ${DEFAULT_COMPARE_RULES.exact.join(', ')} (virtual time);
          ${DEFAULT_COMPARE_RULES.statistical.join(', ')} (real time).

Options:
  --threshold EXPR    a threshold (see above)
  --no-defaults       apply only the --threshold rules
  --alpha A           significance level of the statistical test (default 0.01)
  --allow-different   compare results of different scenarios or variant sets (refused
                      otherwise); variants are matched by name
  --accept-inconclusive
                      in CI mode (CI set), pass checks the statistical test cannot decide
                      (too few runs or tied values); without it they fail the gate there
  --out FILE          also write the Markdown to FILE (atomically)
  --quiet             print only the verdict line (it still counts inconclusive checks)
  -h, --help          show this help

With $GITHUB_STEP_SUMMARY set, the Markdown is appended to it. On a terminal the diff is
printed without Markdown escapes; --out and the step summary get real Markdown.
`

const OPTIONS = {
  threshold: { type: 'string', multiple: true },
  'no-defaults': { type: 'boolean' },
  alpha: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  'allow-different': { type: 'boolean' },
  'accept-inconclusive': { type: 'boolean' },
} as const

/** True when the environment says this is a CI job (`CI` set to anything but `false`/`0`/empty). */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env['CI']
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0'
}

/** The `compare` command. */
export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two results and gate on thresholds',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('compare', argv, OPTIONS)
    const v = parsed.values
    const [baseArg, curArg, ...extra] = parsed.positionals
    if (baseArg === undefined || curArg === undefined)
      throw usageError(
        'compare needs two results: BASELINE CURRENT (summary.json files or their directories)',
        'run `kms-bench compare --help`',
      )
    if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] ?? ''}': compare takes exactly two results`)
    const alpha = numberArg('--alpha', v.alpha, (n) => n > 0 && n < 1, 'a number between 0 and 1 (e.g. 0.01)')
    const rules = parseCompareArgs(v.threshold)
    const baseline = (await loadResultArg(io.cwd, baseArg)).summary
    const current = (await loadResultArg(io.cwd, curArg)).summary
    const mode = baseline.clock === 'virtual' && current.clock === 'virtual' ? 'exact' : 'statistical'
    const defaults = v['no-defaults'] === true ? [] : parseCompareArgs(DEFAULT_COMPARE_RULES[mode])
    if (rules.length === 0 && defaults.length === 0)
      throw usageError('--no-defaults leaves no threshold: add --threshold rules')
    let comparison
    try {
      comparison = compareSummaries(baseline, current, {
        rules,
        defaults,
        allowDifferent: v['allow-different'] === true,
        ...(alpha !== undefined ? { alpha } : {}),
      })
    } catch (e) {
      if (e instanceof ComparisonError) throw usageError(e.message)
      throw e
    }
    const labels = { baseline: baseArg, current: curArg }
    const markdown = renderComparisonMarkdown(comparison, labels)
    if (v.out !== undefined) {
      const out = resolve(io.cwd, v.out)
      await writeOutputFiles(dirname(out), [{ name: basename(out), content: markdown }])
    }
    await appendToStepSummary(markdown, { env: io.env, cwd: io.cwd })
    const outcomes = comparison.variants.flatMap((x) => x.outcomes)
    const failed = outcomes.filter((o) => !o.passed)
    const inconclusive = outcomes.filter((o) => o.passed && o.inconclusive)
    // In CI a check nobody could decide is not a pass: the gate would wave through anything.
    const inconclusiveFails = inconclusive.length > 0 && isCi(io.env) && v['accept-inconclusive'] !== true
    if (v.quiet !== true)
      io.stdout.write(
        io.stdout.isTTY === true ? renderComparisonMarkdown(comparison, labels, { plain: true }) : markdown,
      )
    io.stdout.write(
      `${verdictLine(comparison.mode, outcomes.length, failed.length, inconclusive, inconclusiveFails, describeRules(effectiveRules(rules, defaults)))}\n`,
    )
    return failed.length > 0 || inconclusiveFails ? EXIT_GATE_FAILED : 0
  },
}

/** The defaults a user rule on the same metric (for every variant) does not replace, after the user's rules. */
function effectiveRules(rules: readonly CompareRule[], defaults: readonly CompareRule[]): CompareRule[] {
  const replaced = new Set(rules.filter((r) => r.variant === undefined).map((r) => r.metric.path))
  return [...rules, ...defaults.filter((d) => !replaced.has(d.metric.path))]
}

/** The last line of `compare`: PASS/FAIL, how many checks, which were inconclusive, the thresholds used. */
function verdictLine(
  mode: string,
  checks: number,
  failed: number,
  inconclusive: readonly RuleOutcome[],
  inconclusiveFails: boolean,
  used: string,
): string {
  const names = [...new Set(inconclusive.map((o) => `${o.variant}: ${o.rule}`))].join(', ')
  const undecided =
    inconclusive.length === 0
      ? ''
      : `; ${inconclusive.length} of ${checks} inconclusive (the statistical test cannot decide: ${names})${inconclusiveFails ? ', which fails in CI mode (pass --accept-inconclusive to accept)' : ''}`
  const verdict = failed > 0 || inconclusiveFails ? 'FAIL' : 'PASS'
  const what = failed > 0 ? `${failed} of ${checks} checks regressed` : `${checks} checks`
  return `compare: ${verdict} (${what}${undecided}; ${mode} comparison; thresholds: ${used})`
}
