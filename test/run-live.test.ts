/**
 * `kms-bench run --live FILE` (issue 13): JSON lines, one per variant and second, with the
 * columns of timeline.csv, written while the run goes (real and virtual time); every line is
 * compared with the timeline.csv row of the same variant and second. A path that cannot be
 * written is a usage error before the run starts.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SystemClock } from '../src/clock.ts'
import { cliWorkspace } from './support/cli.ts'

const ws = cliWorkspace('live')
const wall = new SystemClock()

type Line = Record<string, string | number>

function parseLines(text: string): Line[] {
  expect(text.endsWith('\n')).toBe(true)
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Line)
}

/** Every CSV row has exactly one line with its values (0 where a line leaves a per-operation or pool column out), and no line is extra. */
function expectSameAsCsv(lines: Line[], csv: string): void {
  const [head, ...rows] = csv.trimEnd().split('\r\n')
  const columns = (head as string).split(',')
  expect(lines).toHaveLength(rows.length)
  for (const row of rows) {
    const cells = row.split(',')
    const variant = cells[0]
    const second = Number(cells[1])
    const matching = lines.filter((l) => l['variant'] === variant && l['second'] === second)
    expect(matching, `${variant} second ${second}`).toHaveLength(1)
    const line = matching[0] as Line
    for (const [i, c] of columns.entries()) {
      const want = i === 0 ? cells[i] : Number(cells[i])
      expect(line[c] ?? 0, `${variant} second ${second} ${c}`).toEqual(want)
    }
    // Nothing in the line that the CSV has not.
    for (const k of Object.keys(line)) expect(columns, k).toContain(k)
  }
}

describe('run --live FILE', () => {
  it('virtual time: one line per variant and second, equal to timeline.csv row for row', async () => {
    await writeFile(
      join(ws.dir, 'two-variants.ts'),
      `export default {
        name: 'live-two', duration: 6, seed: 7, keys: [{ name: 'k' }],
        arrivals: { shape: 'ramp', from: 50, to: 400 },
        quotas: { symmetric: 200 },
        requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 64 }],
        variants: [{ name: 'baseline' }, { name: 'cached', mitigations: [{ name: 'data-key-cache', maxAge: '60s' }] }],
      }\n`,
    )
    const r = await ws.cli(['run', 'two-variants.ts', '--live', 'virtual.jsonl', '--out', 'virtual'])
    expect(r.code, r.err).toBe(0)
    const lines = parseLines(await ws.read('virtual.jsonl'))
    expectSameAsCsv(lines, await ws.read('virtual/timeline.csv'))
    // In order: a variant's seconds one after the other, baseline first.
    expect(lines.map((l) => `${l['variant']}/${l['second']}`).slice(0, 3)).toEqual([
      'baseline/0',
      'baseline/1',
      'baseline/2',
    ])
    // The run throttled (so the throttle and pool columns were compared with something).
    expect(lines.some((l) => Number(l['throttled']) > 0)).toBe(true)
    expect(lines.some((l) => Object.keys(l).some((k) => k.startsWith('pool_throttled:')))).toBe(true)
  }, 60_000)

  it('real time: lines appear while the run goes, and equal timeline.csv when it ends', async () => {
    const run = ws.cli([
      'run',
      '--op',
      'Encrypt',
      '--rate',
      '200',
      '--duration',
      '4s',
      '--clock',
      'real',
      '--quota',
      'symmetric=150',
      '--live',
      'real.jsonl',
      '--out',
      'real',
    ])
    // The run starts on the next whole second; by 3 s later its first seconds are final.
    await wall.sleep(3000)
    const during = parseLines(await ws.read('real.jsonl'))
    expect(during.length).toBeGreaterThanOrEqual(1)
    expect(existsSync(join(ws.dir, 'real', 'summary.json'))).toBe(false)
    const r = await run
    expect(r.code, r.err).toBe(0)
    const lines = parseLines(await ws.read('real.jsonl'))
    // What was written during the run is unchanged at its end.
    expect(lines.slice(0, during.length)).toEqual(during)
    expectSameAsCsv(lines, await ws.read('real/timeline.csv'))
    expect(lines.some((l) => Number(l['pool_throttled:111122223333/us-east-1/symmetric'] ?? 0) > 0)).toBe(true)
  }, 60_000)

  it.each([
    ['no-such-dir/live.jsonl', /^kms-bench: --live no-such-dir\/live\.jsonl: cannot write it: /],
    ['/proc/live.jsonl', /^kms-bench: --live \/proc\/live\.jsonl: \/proc is a kernel pseudo-filesystem/],
  ])('a path that cannot be written (%s) exits 2 before the run starts', async (path, message) => {
    const r = await ws.cli([
      'run',
      '--op',
      'Encrypt',
      '--rate',
      '5',
      '--duration',
      '1h',
      '--live',
      path,
      '--out',
      'nope',
    ])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(existsSync(join(ws.dir, 'nope'))).toBe(false)
  })
})
