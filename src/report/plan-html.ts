/**
 * `plan.html`: a capacity plan as one self-contained, offline page (inline CSS and SVG, no
 * script): the verdict, a chart of each variant's projected peak against the quota, and the
 * tables of plan.md. Pure: plan in, text out.
 */
import type { CapacityPlan, PlanVariant } from '../load/index.ts'
import { variantStyle } from './charts.ts'
import { escapeHtml as esc, fmtRate } from './format.ts'
import {
  planMeta,
  planMitigationLines,
  planTables,
  planVerdict,
  quotaRequestLines,
  type PlanTable,
} from './plan-tables.ts'
import { coincidentSeries, lineChart } from './svg.ts'

const CSS = `
body{margin:0;color:#1b1b1b;background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.3em 0}
h2{font-size:1.2rem;margin:1.5em 0 .5em;border-bottom:1px solid #d4d4d4;padding-bottom:.2em}
.meta{color:#555;font-size:.92rem}
.verdict{border:1px solid #d4d4d4;border-left:6px solid #0b5cad;background:#f4f6f8;padding:10px 14px;margin:12px 0}
.verdict p{margin:.25em 0;font-weight:600}
.table-wrap{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.92rem}
th,td{padding:4px 10px;border-bottom:1px solid #d4d4d4;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #999}
th.num,td.num{text-align:right;white-space:nowrap}
td.bad{color:#b00020;font-weight:600}
svg.chart{display:block;width:100%;max-width:760px;height:auto}
svg.chart text{font-size:15px;fill:#222}
svg.chart .grid line{stroke:#e3e3e3}
svg.chart .axis-line{stroke:#333}
svg.chart .ref-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:5px}
pre{background:#f4f6f8;padding:8px;overflow-x:auto;font-size:.85rem}
ol li{margin:.5em 0}
.exposure{color:#555;font-size:.92rem}
@media print{.table-wrap{overflow:visible}table{font-size:8pt}}
`

function htmlTable(t: PlanTable): string {
  const head = t.header
    .map((h, i) => `<th scope="col"${t.numeric[i] === true ? ' class="num"' : ''}>${esc(h)}</th>`)
    .join('')
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td class="${[t.numeric[i] === true ? 'num' : '', c.includes('THROTTLED') || c === 'now' ? 'bad' : ''].join(' ').trim()}">${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('')
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
}

/** Projected peak of every variant in the baseline's busiest pool, against that pool's quota. */
function projectionChart(plan: CapacityPlan): string {
  const base = (plan.variants.find((v) => v.name === plan.baseline) ?? plan.variants[0]) as PlanVariant | undefined
  const busiest =
    base === undefined ? undefined : [...base.pools].sort((a, b) => b.utilizationNow - a.utilizationNow)[0]
  if (busiest === undefined) return ''
  const key = (p: { account: string; region: string; pool: string }): string => `${p.account}/${p.region}/${p.pool}`
  const series = plan.variants.flatMap((v, i) => {
    const p = v.pools.find((x) => key(x) === key(busiest))
    if (p === undefined) return []
    // Variants often share a demand curve (a quota increase changes the limit, not the calls): dash them apart.
    const dash = (['', '7 4', '2 4', '10 4 2 4'] as const)[i % 4] ?? ''
    return [
      {
        name: v.name,
        color: variantStyle(i).color,
        ...(dash !== '' ? { dash } : {}),
        points: p.peakByMonth.map((y, m) => ({ x: m, y })),
      },
    ]
  })
  const limits = new Map<number, string>()
  for (const v of plan.variants) {
    const p = v.pools.find((x) => key(x) === key(busiest))
    if (p !== undefined && !limits.has(p.limit))
      limits.set(p.limit, `quota ${fmtRate(p.limit)}${v.name !== plan.baseline ? ` (${v.name})` : ''}`)
  }
  const svg = lineChart({
    id: 'plan-projection',
    title: `Projected peak second: ${busiest.quotaName} in ${busiest.region}`,
    description: `Peak calls per second in the busiest second of each month for each variant, growing ${Number((plan.growthPerMonth * 100).toPrecision(6))}% per month, against the quota.`,
    x: { label: 'Month', min: 0, max: Math.max(1, plan.months) },
    y: { label: 'Peak calls per second', min: 0 },
    series,
    refLines: [...limits.entries()].map(([y, label]) => ({ y, label })),
  })
  // Variants with the same demand curve draw one line: the legend names the hidden ones.
  const same = coincidentSeries({
    id: 'plan-projection',
    title: '',
    description: '',
    x: { label: '', min: 0, max: Math.max(1, plan.months) },
    y: { label: '', min: 0 },
    series,
    refLines: [...limits.keys()].map((y) => ({ y, label: '' })),
  })
  const legend = series
    .map((s) => {
      const sameAs = same.get(s.name)
      return `<span style="color:${esc(s.color)};font-weight:600">■ ${esc(s.name)}</span>${sameAs !== undefined ? ` <span class="note">(same line as ${esc(sameAs)})</span>` : ''}`
    })
    .join(' &nbsp; ')
  return `<figure><p>${legend}</p>${svg}</figure>`
}

/** Renders `plan.html`. */
export function renderPlanHtml(plan: CapacityPlan): string {
  const t = planTables(plan)
  const out: string[] = []
  out.push(`<h1>kms-bench capacity plan: ${esc(plan.scenario)}</h1>`)
  if (plan.description !== undefined && plan.description.trim() !== '') out.push(`<p>${esc(plan.description)}</p>`)
  out.push(
    `<div class="verdict">${planVerdict(plan)
      .map((l) => `<p>${esc(l)}</p>`)
      .join('')}</div>`,
  )
  out.push(`<p class="meta">${planMeta(plan).map(esc).join(' · ')}</p>`)
  out.push('<h2>Projection</h2>', projectionChart(plan))
  out.push('<h2>Quota pools today</h2>', htmlTable(t.pools))
  out.push(
    '<p class="meta">Peak: calls offered to the pool in its busiest second ("probe": re-measured with retries off and the quota lifted). Utilisation: peak / quota. Headroom: quota − peak.</p>',
  )
  out.push(`<h2>${esc(plan.baseline)}, month by month</h2>`, htmlTable(t.projection))
  out.push('<h2>Cost per month</h2>', htmlTable(t.cost))
  out.push('<h2>Mitigations, ranked</h2>')
  const ranked = planMitigationLines(plan)
  out.push(
    ranked.length > 0
      ? `<ol>${ranked.map((l) => `<li><strong>${esc(l.variant)}</strong>: ${esc(l.text)}${l.exposure !== '' ? `<br><span class="exposure">Exposure: ${esc(l.exposure)}.</span>` : ''}</li>`).join('')}</ol>`
      : `<p>Only ${esc(plan.baseline)} ran: add variants with mitigations to rank them.</p>`,
  )
  out.push('<h2>Quota increases to request</h2>')
  const requests = quotaRequestLines(plan)
  out.push(
    requests.length > 0
      ? `<ul>${requests.map((r) => `<li>${esc(r.text)}${r.command !== undefined ? `<pre>${esc(r.command)}</pre>` : ''}</li>`).join('')}</ul>`
      : `<p>None: ${esc(plan.baseline)} stays under every quota through month ${plan.months}.</p>`,
  )
  out.push('<h2>How this plan was computed</h2>', plan.method.map((p) => `<p>${esc(p)}</p>`).join(''))
  out.push(
    '<h2>Assumptions</h2>',
    `<ul>${plan.assumptions.map((a) => `<li>${esc(a)}</li>`).join('') || '<li>None recorded.</li>'}</ul>`,
  )
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>kms-bench plan: ${esc(plan.scenario)}</title><style>${CSS}</style></head><body><main>${out.join('\n')}</main></body></html>\n`
}
