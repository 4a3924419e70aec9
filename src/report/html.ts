/**
 * `report.html`: one self-contained, offline file (inline CSS and SVG; no script, no network)
 * with the verdict, the ranked mitigations, five charts (six with the CloudWatch view), the side-by-side comparison and the
 * tables behind them. Responsive (a phone shows one chart per row with larger chart text),
 * printable (`@media print`), and accessible: every chart is an `<svg role="img">` with a title
 * and description, a legend in HTML, and its data as a table. Pure: summary in, text out.
 */
import type { RunSummary } from '../load/index.ts'
import { reportCharts, type ChartPanel, type LegendEntry, type ReportChart } from './charts.ts'
import { attributionIntro, attributionTables } from './attribution.ts'
import { cloudWatchChart } from './cloudwatch-chart.ts'
import { assumptions, durationText, findings, notices, startedText, verdict } from './facts.ts'
import { escapeHtml as esc, fmtInt } from './format.ts'
import { variantFileNames } from './hgrm.ts'
import { RANKING_SUMMARY, rankVariants, type RankTier } from './rank.ts'
import { comparisonRows, groupsTable, operationsTable, quotaTable, thresholdsTable, type TextTable } from './tables.ts'

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /**
   * Link each variant's `.hgrm` file (written beside `report.html` by the run output writer).
   * @default true
   */
  readonly linkHgrm?: boolean
}

const CSS = `
:root{--fg:#1b1b1b;--muted:#555;--bg:#fff;--line:#d4d4d4;--soft:#f4f6f8;--accent:#0b5cad;--bad:#b00020;--good:#0a6b3d;--warn:#8a5a00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.55rem;line-height:1.25;margin:.3em 0 .2em;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05rem;margin:1.2em 0 .3em}
p{margin:.5em 0}
/* long URLs in notes and intros wrap instead of widening the page on a phone */
p,li{overflow-wrap:break-word}
.meta{color:var(--muted);font-size:.92rem;overflow-wrap:anywhere}
.notice{border-left:4px solid #e69f00;background:#fff7e0;padding:8px 12px;margin:10px 0}
.verdict{border:1px solid var(--line);border-left:6px solid var(--accent);background:var(--soft);padding:10px 14px;margin:12px 0;font-size:1.05rem}
.verdict p{margin:.25em 0}
.ranking{padding-left:1.4em}
.ranking li{margin:.5em 0}
.tier{display:inline-block;font-size:.78rem;font-weight:600;border-radius:3px;padding:0 6px;margin-right:6px;vertical-align:1px;border:1px solid currentColor}
.tier-clean{color:var(--good)}.tier-absorbed{color:var(--warn)}.tier-throttles,.tier-fails{color:var(--bad)}
.exposure{color:var(--muted);font-size:.92rem}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0;max-width:100%}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.92rem}
caption{text-align:left;color:var(--muted);font-size:.88rem;padding:4px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #999;min-width:5em;max-width:16em;overflow-wrap:anywhere}
th.num,td.num{text-align:right}
td.num{white-space:nowrap;overflow-wrap:normal}
tbody th{font-weight:600;max-width:16em;overflow-wrap:anywhere}
td{overflow-wrap:anywhere;max-width:22em}
.compare td{min-width:7em;white-space:normal}
.compare td.text{min-width:12em;max-width:24em;white-space:normal;font-size:.88rem}
tr.fail td:first-child{color:var(--bad);font-weight:700}
.charts figure{margin:0 0 28px}
.single{max-width:760px}
.narrow-only{display:none}
figcaption{color:var(--muted);font-size:.92rem}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:10px 18px}
.panel h4{margin:.4em 0 0;font-size:.95rem;overflow-wrap:anywhere}
.panel-note{margin:0;color:var(--muted);font-size:.85rem}
svg.chart{display:block;width:100%;height:auto;max-width:100%}
svg.chart text{font-size:15px;fill:#222}
svg.chart .tick{fill:#444}
svg.chart .axis-label{font-weight:600}
svg.chart .bar-label{font-weight:600}
svg.chart .ref-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:5px;stroke-linejoin:round}
svg.chart .empty{fill:#777;font-style:italic}
svg.chart .grid line{stroke:#e3e3e3;stroke-width:1}
svg.chart .axis-line{stroke:#333;stroke-width:1.2}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;padding:0;margin:6px 0}
.legend li{display:flex;align-items:center;gap:6px;font-size:.92rem}
.legend svg{width:30px;height:12px;flex:none}
.legend .note{color:var(--muted)}
details{margin:6px 0}
summary{cursor:pointer;color:var(--accent)}
ul.assumptions li{margin:.3em 0}
footer{margin-top:2em;color:var(--muted);font-size:.88rem;border-top:1px solid var(--line);padding-top:8px;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
@media (max-width:640px){
  main{padding:10px}
  h1{font-size:1.3rem}
  .wide-only{display:none}
  .narrow-only{display:block}
  .panels{grid-template-columns:1fr}
  .legend li{font-size:.88rem}
  table{font-size:.85rem}
}
@media print{
  @page{margin:14mm}
  body{font-size:10pt;color:#000}
  main{max-width:none;padding:0}
  .verdict,.notice{background:none}
  .table-wrap{overflow:visible}
  table{font-size:8pt}
  th,td{padding:2px 5px}
  .panels{grid-template-columns:repeat(2,1fr)}
  figure,.panel,table,.verdict{break-inside:avoid;page-break-inside:avoid}
  h2,h3{break-after:avoid;page-break-after:avoid}
  details>summary{display:none}
  a{color:inherit;text-decoration:none}
}
`

function htmlTable(t: TextTable, caption?: string, rowClass?: (row: readonly string[]) => string): string {
  const head = t.header
    .map((h, i) => `<th scope="col"${t.numeric[i] === true ? ' class="num"' : ''}>${esc(h)}</th>`)
    .join('')
  const body = t.rows
    .map((r) => {
      const cls = rowClass?.(r) ?? ''
      return `<tr${cls !== '' ? ` class="${cls}"` : ''}>${r.map((c, i) => `<td${t.numeric[i] === true ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`
    })
    .join('')
  return `<div class="table-wrap"><table>${caption !== undefined ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
}

function swatch(e: LegendEntry): string {
  const dash = e.dash !== undefined && e.dash !== '' ? ` stroke-dasharray="${esc(e.dash)}"` : ''
  return `<svg viewBox="0 0 30 12" aria-hidden="true"><line x1="1" x2="29" y1="6" y2="6" stroke="${esc(e.color)}" stroke-width="4"${dash}/></svg>`
}

function chartFigure(c: ReportChart): string {
  const legend = `<ul class="legend" aria-label="Legend">${c.legend.map((e) => `<li>${swatch(e)}<span>${esc(e.name)}</span>${e.note !== undefined ? `<span class="note">${esc(e.note)}</span>` : ''}</li>`).join('')}</ul>`
  const both = (p: ChartPanel): string =>
    `<div class="wide-only">${p.svg}</div><div class="narrow-only">${p.svgNarrow}</div>`
  const head = (p: ChartPanel): string =>
    `${p.heading !== undefined ? `<h4>${esc(p.heading)}</h4>` : ''}${p.note !== undefined ? `<p class="panel-note">${esc(p.note)}</p>` : ''}`
  const panels =
    c.panels.length === 1 && c.panels[0] !== undefined
      ? `<div class="single">${head(c.panels[0])}${both(c.panels[0])}</div>`
      : `<div class="panels">${c.panels.map((p) => `<div class="panel">${head(p)}${both(p)}</div>`).join('')}</div>`
  return (
    `<figure id="fig-${esc(c.id)}" class="chart-figure" aria-labelledby="fig-${esc(c.id)}-h">` +
    `<h3 id="fig-${esc(c.id)}-h">${esc(c.title)}</h3>${legend}${panels}` +
    `<figcaption>${esc(c.caption)}</figcaption>` +
    `<details><summary>Data table: ${esc(c.title.toLowerCase())}</summary>${htmlTable(c.table)}</details>` +
    '</figure>'
  )
}

const TIER_LABEL: Record<RankTier, string> = {
  clean: 'serves every request',
  absorbed: 'retries absorb throttling',
  throttles: 'still throttles',
  fails: 'loses requests',
}

/** Renders `report.html` from a run summary. */
export function renderHtml(summary: RunSummary, options: HtmlOptions = {}): string {
  const ranking = rankVariants(summary.variants, {
    // Against an endpoint --scale scaled only the offered rates, not the quotas.
    scale: summary.target === 'embedded' ? summary.scale : 1,
    durationSeconds: summary.durationSeconds,
  })
  const title = `kms-bench: ${summary.scenario}`
  const out: string[] = []
  out.push(
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<meta name="generator" content="${esc(`${summary.tool.name} ${summary.tool.version}`)}">`,
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`,
  )
  out.push(`<header><h1>${esc(title)}</h1>`)
  if (summary.description !== undefined && summary.description.trim() !== '')
    out.push(`<p>${esc(summary.description)}</p>`)
  out.push(
    `<p class="meta">Target <code>${esc(summary.target)}</code> · ${esc(summary.clock)} clock · seed ${esc(String(summary.seed))} · ${esc(durationText(summary))}${summary.schedule !== undefined ? ` · schedule ${esc(summary.schedule)}` : ''} · Region ${esc(summary.region)} · ${esc(startedText(summary))} · ${esc(summary.tool.name)} ${esc(summary.tool.version)}</p></header>`,
  )
  for (const n of notices(summary)) out.push(`<p class="notice" role="note"><strong>Note:</strong> ${esc(n)}</p>`)
  out.push(
    `<section class="verdict" aria-label="Verdict">${verdict(summary, ranking)
      .map((l) => `<p>${esc(l)}</p>`)
      .join('')}</section>`,
  )

  out.push('<section id="ranking"><h2>Mitigations, ranked</h2>')
  if (ranking.ranked.length === 0 && ranking.unranked.length === 0) {
    out.push(`<p>Only one variant (${esc(ranking.baseline.name)}) ran: nothing to rank.</p>`)
  } else {
    out.push(
      `<p>Compared with <strong>${esc(ranking.baseline.name)}</strong>. ${esc(RANKING_SUMMARY)}</p><details><summary>How the ranking works</summary><p>${esc(ranking.method)}</p></details><ol class="ranking">`,
    )
    for (const r of ranking.ranked) {
      out.push(
        `<li><span class="tier tier-${r.tier}">${esc(TIER_LABEL[r.tier])}</span><strong>${esc(r.variant.name)}</strong>: ${esc(r.reason)}.` +
          `${r.exposure !== '' ? `<br><span class="exposure">Exposure: ${esc(r.exposure)}.</span>` : ''}</li>`,
      )
    }
    out.push('</ol>')
    if (ranking.unranked.length > 0)
      out.push(
        `<ul>${ranking.unranked.map((u) => `<li><span class="tier">not ranked</span><strong>${esc(u.variant.name)}</strong>: ${esc(u.reason)}.</li>`).join('')}</ul>`,
      )
  }
  out.push('</section>')

  out.push('<section id="charts" class="charts"><h2>Charts</h2>')
  const cloudwatch = cloudWatchChart(summary)
  for (const c of [...reportCharts(summary), ...(cloudwatch !== undefined ? [cloudwatch] : [])])
    out.push(chartFigure(c))
  out.push('</section>')

  out.push('<section id="comparison"><h2>Variants side by side</h2>')
  const rows = comparisonRows(summary.variants)
  out.push(
    `<div class="table-wrap"><table class="compare"><caption>Latency of succeeded requests from the intended send time (open loop); lost requests get their own time to failure. Monthly cost extrapolates this run's rate to a 730-hour month; cost at full service prices every offered request at the variant's cost per succeeded request.</caption><thead><tr><th scope="col">Metric</th>${summary.variants.map((v) => `<th scope="col" class="num">${esc(v.name)}</th>`).join('')}</tr></thead><tbody>` +
      rows
        .map(
          (r) =>
            `<tr><th scope="row" title="${esc(r.help)}">${esc(r.label)}</th>${r.values.map((c) => `<td class="${r.text === true ? 'text' : 'num'}">${esc(c)}</td>`).join('')}</tr>`,
        )
        .join('') +
      '</tbody></table></div>',
  )
  out.push('</section>')

  out.push('<section id="quota"><h2>Quota pools</h2>')
  const quota = quotaTable(summary)
  out.push(
    quota.rows.length > 0
      ? htmlTable(
          quota,
          'Utilisation: peak calls offered to the pool in one second (accepted + throttled) ÷ limit. KMS applies each quota per account and Region in one-second windows.',
        )
      : '<p>No call counted against a quota pool.</p>',
  )
  out.push('</section>')

  out.push('<section id="operations"><h2>KMS calls by operation</h2>')
  const ops = operationsTable(summary)
  out.push(ops.rows.length > 0 ? htmlTable(ops) : '<p>No KMS calls were made.</p>')
  out.push('</section>')

  const attributed = summary.variants.filter((v) => v.kms.byCaller !== undefined)
  if (attributed.length > 0) {
    out.push('<section id="attribution"><h2>Who uses the quota</h2>')
    for (const line of attributionIntro(summary)) out.push(`<p>${esc(line)}</p>`)
    for (const v of attributed) {
      out.push(
        `<h3>${esc(v.name)}</h3><p>${esc(fmtInt(v.kms.calls))} KMS calls, ${esc(fmtInt(v.kms.throttled))} throttled.</p>`,
      )
      for (const t of attributionTables(v)) out.push(htmlTable(t))
    }
    out.push('</section>')
  }

  const groups = groupsTable(summary)
  if (groups.rows.length > 0) {
    out.push('<section id="groups"><h2>Host groups</h2>')
    out.push(
      htmlTable(
        groups,
        'Each group of the fleet counted apart: the requests its hosts completed, by outcome, and the latency of the succeeded ones from the intended send time.',
      ),
    )
    out.push('</section>')
  }

  if (summary.thresholds.length > 0) {
    out.push('<section id="thresholds"><h2>Thresholds</h2>')
    out.push(htmlTable(thresholdsTable(summary), undefined, (r) => (r[0] === 'FAIL' ? 'fail' : '')))
    out.push('</section>')
  }

  const fs = findings(summary)
  if (fs.length > 0) {
    out.push('<section id="findings"><h2>Findings</h2>')
    out.push(
      `<ul class="assumptions">${fs.map((f) => `<li><strong>${esc(f.source)}</strong>: ${esc(f.text)}</li>`).join('')}</ul>`,
    )
    out.push('</section>')
  }

  out.push('<section id="assumptions"><h2>Assumptions</h2>')
  const as = assumptions(summary)
  out.push(
    as.length > 0
      ? `<ul class="assumptions">${as.map((a) => `<li>${esc(a.text)}${a.source === 'run' ? '' : ` <span class="exposure">(${esc(a.source)})</span>`}</li>`).join('')}</ul>`
      : '<p>None recorded.</p>',
  )
  out.push('</section>')

  const env = summary.environment
  const pkgs = Object.entries(env.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const files =
    (options.linkHgrm ?? true)
      ? variantFileNames(summary.variants).map((f) => `<a href="${esc(encodeURIComponent(f))}.hgrm">${esc(f)}.hgrm</a>`)
      : []
  out.push(
    `<footer><p>Node ${esc(env.node)} on ${esc(env.platform)}/${esc(env.arch)}, ${esc(fmtInt(env.cpus))} CPUs.` +
      `${pkgs.length > 0 ? ` Packages: ${pkgs.map(([k, v]) => `${esc(k)} ${esc(v)}`).join(', ')}.` : ''}</p>` +
      `${files.length > 0 ? `<p>Percentile distributions (HdrHistogram .hgrm, ms): ${files.join(', ')}.</p>` : ''}</footer>`,
  )
  out.push('</main></body></html>')
  return `${out.join('\n')}\n`
}
