/**
 * `plan.md`: a capacity plan (plan/plan.ts) as GitHub-flavoured Markdown: the verdict, quota
 * pools today with utilisation and headroom, the month each pool starts throttling, the
 * projection month by month, cost per month, mitigations ranked by KMS calls and dollars
 * saved with their security exposure, the quota increases to request, and how it was
 * computed. Pure: plan in, text out. The tables are shared with `plan.html` (plan-tables.ts).
 */
import type { CapacityPlan } from '../load/index.ts'
import { escapeMarkdown as md } from './format.ts'
import {
  planMeta,
  planMitigationLines,
  planTables,
  planVerdict,
  quotaRequestLines,
  type PlanTable,
} from './plan-tables.ts'

function table(t: PlanTable): string {
  return [
    `| ${t.header.map(md).join(' | ')} |`,
    `|${t.header.map((_, i) => (t.numeric[i] === true ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(md).join(' | ')} |`),
  ].join('\n')
}

/** Renders `plan.md`. */
export function renderPlanMarkdown(plan: CapacityPlan): string {
  const out: string[] = []
  const t = planTables(plan)
  out.push(`# kms-bench capacity plan: ${md(plan.scenario)}`)
  if (plan.description !== undefined && plan.description.trim() !== '') out.push(md(plan.description))
  out.push(
    planVerdict(plan)
      .map((l) => `**${md(l)}**`)
      .join('  \n'),
  )
  out.push(planMeta(plan).map(md).join(' · '))
  out.push('## Quota pools today')
  out.push(table(t.pools))
  out.push(
    'Peak: calls offered to the pool in its busiest second ("probe": re-measured with retries off and the quota lifted, because retries inflate a throttled count). Utilisation: peak / quota. Headroom: quota − peak.',
  )
  out.push(`## Projection of ${md(plan.baseline)}, month by month`)
  out.push(table(t.projection))
  out.push('## Cost per month')
  out.push(table(t.cost))
  out.push('## Mitigations, ranked')
  const ranked = planMitigationLines(plan)
  out.push(
    ranked.length > 0
      ? ranked
          .map(
            (l, i) =>
              `${i + 1}. **${md(l.variant)}**: ${md(l.text)}${l.exposure !== '' ? `  \n   Exposure: ${md(l.exposure)}.` : ''}`,
          )
          .join('\n')
      : `Only ${md(plan.baseline)} ran: add variants with mitigations to the scenario (or the workload's \`variants\`) to rank them.`,
  )
  out.push('## Quota increases to request')
  const requests = quotaRequestLines(plan)
  out.push(
    requests.length > 0
      ? requests
          .map(
            (r) =>
              `- ${md(r.text)}${r.command !== undefined ? `\n\n  \`\`\`sh\n  ${r.command.replace(/\n/g, '\n  ')}\n  \`\`\`` : ''}`,
          )
          .join('\n')
      : `None: ${md(plan.baseline)} stays under every quota through month ${plan.months}.`,
  )
  out.push('## How this plan was computed')
  out.push(plan.method.map(md).join('\n\n'))
  out.push('## Assumptions')
  out.push(plan.assumptions.length > 0 ? plan.assumptions.map((a) => `- ${md(a)}`).join('\n') : '- None recorded.')
  return `${out.join('\n\n')}\n`
}
