/**
 * The report sections of attribution and of the CloudWatch view: "Who uses the quota" (per
 * principal, per AWS service acting for you, per source account, per key, from `kms.byCaller`,
 * `byAccount` and `byKey`) and the per-minute `AWS/Usage` view with the usage alarm's verdict.
 * Pure: summary in, Markdown lines out.
 */
import { alarmInForce, type RunSummary, type VariantSummary } from '../load/index.ts'
import { escapeMarkdown as md, fmtInt, fmtPct, plural } from './format.ts'
import type { TextTable } from './tables.ts'
import { at } from '../util/index.ts'

type Counts = Record<string, { calls: number; throttled: number }>

/** Most rows of an attribution table; the rest are summed up in one line. */
const MAX_ROWS = 20

function tableOf(title: string, m: Counts, total: number): TextTable | undefined {
  const entries = Object.entries(m).sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
  if (entries.length === 0) return undefined
  return {
    header: [title, 'calls', 'share', 'throttled'],
    rows: [
      ...entries
        .slice(0, MAX_ROWS)
        .map(([k, c]) => [k, fmtInt(c.calls), fmtPct(total > 0 ? c.calls / total : 0), fmtInt(c.throttled)]),
      ...(entries.length > MAX_ROWS ? [[`… ${entries.length - MAX_ROWS} more`, '', '', '']] : []),
    ],
    numeric: [false, true, true, true],
  }
}

function mdTable(t: TextTable): string[] {
  return [
    `| ${t.header.map(md).join(' | ')} |`,
    '| --- | ---: | ---: | ---: |',
    ...t.rows.map((r) => `| ${r.map((c, i) => (i === 0 ? md(c) : c)).join(' | ')} |`),
    '',
  ]
}

/** The attribution tables of a variant: per principal, per AWS service acting for you, per source account, per key. */
export function attributionTables(v: VariantSummary): TextTable[] {
  const byCaller = v.kms.byCaller ?? {}
  const principals: Counts = {}
  const services: Counts = {}
  for (const [k, c] of Object.entries(byCaller)) (k.startsWith('arn:') ? principals : services)[k] = c
  return [
    tableOf('principal', principals, v.kms.calls),
    tableOf('AWS service acting for you', services, v.kms.calls),
    tableOf('source account', v.kms.byAccount ?? {}, v.kms.calls),
    tableOf('key', v.kms.byKey ?? {}, v.kms.calls),
  ].filter((t): t is TextTable => t !== undefined)
}

/** What the section says first: how calls are charged, and where the counts come from. */
export function attributionIntro(summary: RunSummary): string[] {
  const withCallers = summary.variants.filter((v) => v.kms.byCaller !== undefined)
  if (withCallers.length === 0) return []
  const sources = new Set(withCallers.map((v) => v.kms.byCallerSource ?? 'emulator'))
  return [
    "Calls are charged to the caller's account (cross-account calls count against the caller) and, for calls an AWS service makes for you, to your account under the service's name (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).",
    ...[...sources].map((source) => `Source: ${SOURCE_TEXT[source]}`),
  ]
}

/** "Who uses the quota" for every variant with attribution. */
export function attributionSection(summary: RunSummary, heading: (text: string) => string): string[] {
  const withCallers = summary.variants.filter((v) => v.kms.byCaller !== undefined)
  if (withCallers.length === 0) return []
  const out = [heading('Who uses the quota')]
  for (const line of attributionIntro(summary)) out.push(line, '')
  for (const v of withCallers)
    out.push(
      `**${md(v.name)}**: ${fmtInt(v.kms.calls)} KMS calls, ${fmtInt(v.kms.throttled)} throttled.`,
      '',
      ...attributionTables(v).flatMap(mdTable),
    )
  return out
}

/** What each attribution source counted (results/attribution.ts `AttributionSource`). */
const SOURCE_TEXT: Record<NonNullable<VariantSummary['kms']['byCallerSource']>, string> = {
  emulator:
    "the embedded emulator's call path: each call under the caller it was charged to (its principal, or the AWS service calling for it) and the account whose quota it used.",
  client:
    'the load client, attempt by attempt (retries included), under the caller the scenario made each call for (a host or host group principal, a replayed log caller). The endpoint saw only the signing credentials, one per account (the account id as access key): accounts are as it charged them, principals and services are those the scenario named.',
  'client-credentials':
    'the load client, attempt by attempt (retries included), under the caller the scenario made each call for. Every call was signed with the one set of credentials of the run (AWS_ACCESS_KEY_ID, or the default credential chain on real AWS): the endpoint charged them all to that credential, whatever principal or account the scenario named.',
}

function minuteText(second: number): string {
  return `${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}`
}

/** The CloudWatch view: per-minute CallCount per quota resource and the alarm's verdict. */
export function cloudWatchSection(summary: RunSummary, heading: (text: string) => string): string[] {
  const vs = summary.variants.filter((v) => v.cloudwatch !== undefined && v.cloudwatch.series.length > 0)
  if (vs.length === 0) return []
  const alarm = at(vs, 0).cloudwatch?.alarm
  const out = [heading('The CloudWatch view')]
  out.push(
    `KMS publishes AWS/Usage CallCount per minute; the quota is per second. The alarm evaluated here is Service Quotas' kind: usage above ${alarm?.percent ?? 80} % of the quota for ${plural(alarm?.minutes ?? 1, 'consecutive minute')} (CallCount / 60 against the per-second quota; CallCount counts accepted and throttled calls). A one-minute sum hides the bursts that throttle.`,
    '',
    '| variant | resource | account / Region | quota /s | peak minute avg /s | peak second | alarm fires at | throttled while silent |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | ---: |',
  )
  for (const v of vs) {
    for (const s of v.cloudwatch?.series ?? []) {
      const peakMinute = Math.max(0, ...s.callCount) / 60
      const peakSecond = Math.max(0, ...s.peakPerSecond)
      out.push(
        `| ${md(v.name)} | ${md(s.resource)} | ${s.account} / ${s.region} | ${fmtInt(s.limit)} | ${peakMinute.toFixed(1)} | ${fmtInt(peakSecond)} | ${s.firedAtSecond === null ? 'never' : `${minuteText(s.firedAtSecond)} (m:ss)`} | ${fmtInt(s.silentThrottledCalls)} calls in ${fmtInt(s.silentThrottledSeconds)} s |`,
      )
    }
  }
  out.push('')
  for (const v of vs)
    for (const s of v.cloudwatch?.series ?? [])
      if (s.silentThrottledCalls > 0)
        out.push(
          `- **${md(v.name)}**: ${md(s.resource)} throttled ${fmtInt(s.silentThrottledCalls)} calls in ${fmtInt(s.silentThrottledSeconds)} seconds while the alarm was silent${s.firedAtSecond === null ? ' (it never fired)' : ''}.`,
        )
  out.push('')
  for (const v of vs) for (const s of v.cloudwatch?.series ?? []) out.push(...seriesText(v, s))
  return out
}

type Series = NonNullable<VariantSummary['cloudwatch']>['series'][number]

/** Most minutes and throttling spells listed per series. */
const LISTED = 30

/** The per-minute series and when throttling happened against the alarm's state, as text. */
function seriesText(v: VariantSummary, s: Series): string[] {
  if (!s.callCount.some((c) => c > 0)) return []
  const key = `${s.account}/${s.region}/${s.pool}`
  const minutes = s.callCount
    .slice(0, LISTED)
    .map((c, m) => `${m}: ${fmtInt(c)}${s.alarmMinutes.includes(m) ? ' (ALARM)' : ''}`)
    .join(', ')
  // Spells of consecutive throttled seconds, each with the alarm's state while it lasted.
  const spells: { from: number; to: number; covered: boolean; calls: number }[] = []
  for (const e of v.timeline.slice().sort((a, b) => a.second - b.second)) {
    const t = e.poolThrottled?.[key] ?? 0
    if (t === 0) continue
    const covered = alarmInForce(s, e.second)
    const last = spells[spells.length - 1]
    if (last !== undefined && last.to === e.second - 1 && last.covered === covered) {
      last.to = e.second
      last.calls += t
    } else spells.push({ from: e.second, to: e.second, covered, calls: t })
  }
  const spell = (x: (typeof spells)[number]): string =>
    `${minuteText(x.from)}${x.to > x.from ? `–${minuteText(x.to + 1)}` : ''} ${fmtInt(x.calls)} throttled, alarm ${x.covered ? 'in ALARM' : 'silent'}`
  return [
    `**${md(v.name)}**, ${md(s.resource)} (${s.account} / ${s.region}): CallCount per minute (minute: calls) ${minutes}${s.callCount.length > LISTED ? `, … ${s.callCount.length - LISTED} more minutes` : ''}. Alarm threshold ${fmtInt((s.limit * (v.cloudwatch?.alarm.percent ?? 80) * 60) / 100)} calls per minute; ${s.firedAtSecond === null ? 'it never fires' : `it first fires at ${minuteText(s.firedAtSecond)}`}. ${spells.length === 0 ? 'No throttling.' : `Throttling (m:ss): ${spells.slice(0, LISTED).map(spell).join('; ')}${spells.length > LISTED ? `; … ${spells.length - LISTED} more spells` : ''}.`}`,
    '',
  ]
}
