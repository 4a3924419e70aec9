/**
 * The CloudWatch chart of the HTML report: per quota resource, the per-second calls the quota
 * judges beside the per-minute `AWS/Usage` `CallCount` a Service-Quotas alarm sees (drawn as
 * the minute's average per second, `CallCount` / 60, so both share one axis), with the quota
 * and the alarm threshold as reference lines, and the throttled calls split by whether the
 * alarm was in ALARM when they happened. One panel per variant and resource.
 */
import { alarmInForce, type RunSummary, type VariantSummary } from '../load/index.ts'
import { axisTop, downsamplePeaks, linePanel, WIDE, type ChartPanel, type ReportChart } from './charts.ts'
import { fmtInt, fmtRate, plural } from './format.ts'
import { coincidentSeries, type LineChartSpec } from './svg.ts'

type Series = NonNullable<VariantSummary['cloudwatch']>['series'][number]

/** At most this many panels (variants × resources); the data table lists every one. */
export const MAX_CLOUDWATCH_PANELS = 12

const STYLE = {
  perSecond: { name: 'Calls/s the quota judges (per second)', color: '#999999', dash: '', width: 1.5 },
  perMinute: { name: 'CallCount ÷ 60 (what the alarm sees, per minute)', color: '#0072B2', dash: '', width: 3 },
  silent: { name: 'Throttled calls/s, alarm silent', color: '#D55E00', dash: '', width: 2 },
  firing: { name: 'Throttled calls/s, alarm in ALARM', color: '#CC79A7', dash: '4 3', width: 2 },
} as const

function clock(second: number): string {
  return `${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}`
}

interface PanelData {
  readonly v: VariantSummary
  readonly s: Series
  readonly perSecond: { x: number; y: number }[]
  readonly silent: { x: number; y: number }[]
  readonly firing: { x: number; y: number }[]
  readonly minutes: { x: number; y: number }[]
  readonly threshold: number
}

function panelData(v: VariantSummary, s: Series): PanelData {
  const key = `${s.account}/${s.region}/${s.pool}`
  const entries = v.timeline.slice().sort((a, b) => a.second - b.second)
  const perSecond: { x: number; y: number }[] = []
  const silent: { x: number; y: number }[] = []
  const firing: { x: number; y: number }[] = []
  for (const e of entries) {
    const t = e.poolThrottled?.[key] ?? 0
    perSecond.push({ x: e.second, y: (e.poolAccepted[key] ?? 0) + t })
    const covered = alarmInForce(s, e.second)
    silent.push({ x: e.second, y: covered ? 0 : t })
    firing.push({ x: e.second, y: covered ? t : 0 })
  }
  // A step per minute: flat from its first second to the start of the next (the last one ends with the timeline).
  const end = entries.length > 0 ? (entries[entries.length - 1]?.second ?? 0) + 1 : 0
  const minutes = s.callCount.flatMap((c, m) =>
    m * 60 < end
      ? [
          { x: m * 60, y: c / 60 },
          { x: Math.min(m * 60 + 60, end), y: c / 60 },
        ]
      : [],
  )
  return {
    v,
    s,
    perSecond: downsamplePeaks(perSecond),
    silent: downsamplePeaks(silent),
    firing: downsamplePeaks(firing),
    minutes,
    threshold: (s.limit * (v.cloudwatch?.alarm.percent ?? 80)) / 100,
  }
}

function panelOf(d: PanelData, i: number, duration: number): ChartPanel {
  const { v, s } = d
  const alarm = v.cloudwatch?.alarm
  const dataMax = Math.max(0, ...d.perSecond.map((p) => p.y), ...d.minutes.map((p) => p.y))
  const silentCalls = s.silentThrottledCalls
  const fired = s.firedAtSecond === null ? 'the alarm never fired' : `the alarm fired at ${clock(s.firedAtSecond)}`
  const firing = d.firing.some((p) => p.y > 0)
  const series = [
    { ...STYLE.perSecond, points: d.perSecond },
    { ...STYLE.perMinute, points: d.minutes },
    { ...STYLE.silent, points: d.silent },
    ...(firing ? [{ ...STYLE.firing, points: d.firing }] : []),
  ]
  const heading = `${v.name}: ${s.resource} (${s.account}, ${s.region})`
  const top = axisTop(dataMax, s.limit)
  const alarmLabel = `alarm ${alarm?.percent ?? 80} % = ${fmtRate(d.threshold)}`
  const spec: Omit<LineChartSpec, 'width'> = {
    id: `chart-cloudwatch-${i}`,
    title: `${heading}: per second vs per minute`,
    description: `${heading}: calls up to ${fmtRate(Math.max(0, ...s.peakPerSecond))} in one second against a quota of ${fmtRate(s.limit)}; the busiest minute averaged ${fmtRate(Math.max(0, ...s.callCount) / 60)}. Alarm at ${alarm?.percent ?? 80} % (${fmtRate(d.threshold)}) for ${plural(alarm?.minutes ?? 1, 'minute')}: ${fired}; ${fmtInt(silentCalls)} calls throttled in ${plural(s.silentThrottledSeconds, 'second')} while it was silent.`,
    x: { label: 'Time (s)', min: 0, max: duration },
    y: { label: 'Calls per second', min: 0, max: top },
    series,
    // Both lines far above the data: one label says where both are.
    refLines:
      d.threshold > top
        ? [{ y: s.limit, label: `quota ${fmtRate(s.limit)}, ${alarmLabel}` }]
        : [
            { y: s.limit, label: `quota ${fmtRate(s.limit)}` },
            { y: d.threshold, label: alarmLabel, color: '#8a5a00', labelAt: 'start' },
          ],
    emptyText: 'No calls to this quota',
    height: 300,
  }
  const same = [...coincidentSeries({ ...spec, width: WIDE })].map(([name, earlier]) => `${name}: same as ${earlier}`)
  return linePanel(spec, heading, [`${fired}; ${fmtInt(silentCalls)} throttled while silent`, ...same].join('; '))
}

/**
 * The CloudWatch chart of a summary, or `undefined` when no variant has the CloudWatch view
 * (older results, or no call counted against a quota).
 */
export function cloudWatchChart(summary: RunSummary): ReportChart | undefined {
  const all = summary.variants.flatMap((v) =>
    (v.cloudwatch?.series ?? []).filter((s) => s.callCount.some((c) => c > 0)).map((s) => panelData(v, s)),
  )
  if (all.length === 0) return undefined
  const duration = Math.max(
    1,
    summary.durationSeconds,
    ...summary.variants.flatMap((v) => v.timeline.map((e) => e.second + 1)),
  )
  const shown = all.slice(0, MAX_CLOUDWATCH_PANELS)
  const alarm = summary.variants.find((v) => v.cloudwatch !== undefined)?.cloudwatch?.alarm
  return {
    id: 'cloudwatch',
    title: 'The CloudWatch view: per second vs per minute',
    caption: `KMS enforces its quota per second; AWS/Usage CallCount is a one-minute sum, drawn here as its average per second (CallCount ÷ 60), which is what a Service Quotas alarm at ${alarm?.percent ?? 80} % of the quota for ${plural(alarm?.minutes ?? 1, 'minute')} compares. Throttled calls are drawn red while the alarm was silent (not yet fired: it is evaluated at the end of each minute) and pink while it was in ALARM.${all.length > shown.length ? ` The first ${shown.length} of ${all.length} panels are drawn; the table lists all.` : ''}`,
    panels: shown.map((d, i) => panelOf(d, i, duration)),
    legend: [
      ...Object.values(STYLE).map((s) => ({ name: s.name, color: s.color, dash: s.dash })),
      { name: 'Quota limit (calls/s)', color: '#b00020', dash: '8 4' },
      { name: 'Alarm threshold (calls/s)', color: '#8a5a00', dash: '8 4' },
    ],
    table: {
      header: [
        'Variant',
        'Resource',
        'Account / Region',
        'Quota',
        'Alarm threshold',
        'Peak second',
        'Peak minute average',
        'Alarm fires at',
        'Throttled while silent',
      ],
      rows: all.map(({ v, s, threshold }) => [
        v.name,
        s.resource,
        `${s.account} / ${s.region}`,
        fmtRate(s.limit),
        fmtRate(threshold),
        fmtRate(Math.max(0, ...s.peakPerSecond)),
        fmtRate(Math.max(0, ...s.callCount) / 60),
        s.firedAtSecond === null ? 'never' : clock(s.firedAtSecond),
        `${fmtInt(s.silentThrottledCalls)} calls in ${plural(s.silentThrottledSeconds, 'second')}`,
      ]),
      numeric: [false, false, false, true, true, true, true, false, false],
    },
  }
}
