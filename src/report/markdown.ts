/**
 * `report.md`: the run as GitHub-flavoured Markdown, small enough for a GitHub Actions step
 * summary (which takes up to 1 MiB per step:
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#adding-a-job-summary).
 * Pure: summary in, text out.
 */
import type { RunSummary } from '../load/index.ts'
import { attributionSection, cloudWatchSection } from './attribution.ts'
import { assumptions, durationText, findings, notices, startedText, verdict } from './facts.ts'
import { escapeMarkdown as md, fmtInt } from './format.ts'
import { rankVariants } from './rank.ts'
import { COST_AT_FULL_SERVICE_METHOD } from './service.ts'
import { comparisonRows, groupsTable, operationsTable, quotaTable, thresholdsTable, type TextTable } from './tables.ts'

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * Variants per comparison table; more variants are split into several tables so each stays
   * readable in a step summary.
   * @default 5
   */
  readonly variantsPerTable?: number
  /**
   * Heading level of the title (`#` = 1); lower levels follow.
   * @default 1
   */
  readonly headingLevel?: number
}

function table(t: TextTable): string {
  const lines = [
    `| ${t.header.map(md).join(' | ')} |`,
    `|${t.header.map((_, i) => (t.numeric[i] === true ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(md).join(' | ')} |`),
  ]
  return lines.join('\n')
}

/** Renders `report.md` from a run summary. */
export function renderMarkdown(summary: RunSummary, options: MarkdownOptions = {}): string {
  const level = Math.min(Math.max(options.headingLevel ?? 1, 1), 4)
  const h = (n: number, text: string): string => `${'#'.repeat(level + n)} ${text}`
  const perTable = Math.max(1, options.variantsPerTable ?? 5)
  const ranking = rankVariants(summary.variants, {
    // Against an endpoint --scale scaled only the offered rates, not the quotas.
    scale: summary.target === 'embedded' ? summary.scale : 1,
    durationSeconds: summary.durationSeconds,
  })
  const out: string[] = []

  out.push(h(0, `kms-bench: ${md(summary.scenario)}`))
  if (summary.description !== undefined && summary.description.trim() !== '') out.push(md(summary.description))
  for (const n of notices(summary)) out.push(`> **Note:** ${md(n)}`)
  out.push(
    verdict(summary, ranking)
      .map((l) => `**${md(l)}**`)
      .join('  \n'),
  )
  out.push(
    [
      `Target \`${summary.target.replace(/`/g, "'")}\``,
      `${summary.clock} clock`,
      `seed ${summary.seed}`,
      `${durationText(summary)}`,
      ...(summary.schedule !== undefined ? [`schedule ${md(summary.schedule)}`] : []),
      `Region ${md(summary.region)}`,
      md(startedText(summary)),
      `${md(summary.tool.name)} ${md(summary.tool.version)}`,
    ].join(' · '),
  )

  out.push(h(1, 'Variants side by side'))
  const variants = summary.variants
  for (let start = 0; start < variants.length; start += perTable) {
    const chunk = variants.slice(start, start + perTable)
    const rows = comparisonRows(chunk)
    out.push(
      table({
        header: ['', ...chunk.map((v) => v.name)],
        rows: rows.map((r) => [r.label, ...r.values]),
        numeric: [false, ...chunk.map(() => true)],
      }),
    )
  }
  out.push(
    `Latency is measured from each request's intended send time (open loop, free of coordinated omission); the percentiles are those of succeeded requests, and lost requests get their own time to failure. Costs use the KMS price model; monthly figures extrapolate this run's rate to a 730-hour month (the AWS Pricing Calculator's). ${COST_AT_FULL_SERVICE_METHOD}`,
  )

  out.push(h(1, 'Mitigations, ranked'))
  if (ranking.ranked.length === 0 && ranking.unranked.length === 0) {
    out.push(`Only one variant (${md(ranking.baseline.name)}) ran: nothing to rank.`)
  } else {
    out.push(`Compared with **${md(ranking.baseline.name)}**. ${md(ranking.method)}`)
    out.push(
      ranking.ranked
        .map(
          (r) =>
            `${r.rank}. **${md(r.variant.name)}**: ${md(r.reason)}.${r.exposure !== '' ? `  \n   Exposure: ${md(r.exposure)}.` : ''}`,
        )
        .join('\n'),
    )
    for (const u of ranking.unranked) out.push(`- **${md(u.variant.name)}**: ${md(u.reason)}.`)
  }

  out.push(h(1, 'Quota pools'))
  const quota = quotaTable(summary)
  out.push(quota.rows.length > 0 ? table(quota) : 'No call counted against a quota pool.')
  out.push(
    'Utilisation is the peak number of calls offered to the pool in one second (accepted + throttled) divided by its limit; over 100% means throttling. KMS applies each quota per account and Region in one-second windows (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).',
  )

  out.push(h(1, 'KMS calls by operation'))
  const ops = operationsTable(summary)
  out.push(ops.rows.length > 0 ? table(ops) : 'No KMS calls were made.')

  const groups = groupsTable(summary)
  if (groups.rows.length > 0) {
    out.push(h(1, 'Host groups'))
    out.push(table(groups))
    out.push(
      "Each group of the fleet (`fleet.groups`, e.g. a boto3 fleet and a JavaScript fleet on one account's quota) counted apart: the requests its hosts completed, by outcome, and the latency of the succeeded ones from the intended send time.",
    )
  }

  const who = attributionSection(summary, (t) => h(1, t))
  if (who.length > 0) out.push(who.join('\n'))
  const cw = cloudWatchSection(summary, (t) => h(1, t))
  if (cw.length > 0) out.push(cw.join('\n'))

  if (summary.thresholds.length > 0) {
    out.push(h(1, 'Thresholds'))
    out.push(table(thresholdsTable(summary)))
  }

  const fs = findings(summary)
  if (fs.length > 0) {
    out.push(h(1, 'Findings'))
    out.push(fs.map((f) => `- **${md(f.source)}**: ${md(f.text)}`).join('\n'))
  }

  out.push(h(1, 'Assumptions'))
  const as = assumptions(summary)
  out.push(
    as.length > 0
      ? as.map((a) => `- ${md(a.text)}${a.source === 'run' ? '' : ` (${md(a.source)})`}`).join('\n')
      : '- None recorded.',
  )

  const env = summary.environment
  const pkgs = Object.entries(env.packages)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k} ${v}`)
  out.push(
    `<details><summary>Environment</summary>\n\nNode ${md(env.node)} on ${md(env.platform)}/${md(env.arch)}, ${fmtInt(env.cpus)} CPUs.${pkgs.length > 0 ? ` Packages: ${md(pkgs.join(', '))}.` : ''}\n\n</details>`,
  )
  return `${out.join('\n\n')}\n`
}
