/**
 * `kms-bench plan` end to end (in-process through `main()`), with the arithmetic checked by
 * hand: a workload whose every call is in one quota pool offers exactly its rate in every
 * second (uniform arrivals), so the plan's figures follow from the rate, the quota, the
 * growth and the price list alone.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CapacityPlan } from '../src/load/results/index.ts'
import { throttleMonthEver, throttleMonthWithin } from '../src/plan/index.ts'
import { cliWorkspace } from './support/cli.ts'

const ws = cliWorkspace('plan')
const { cli } = ws

async function planIn(out: string): Promise<CapacityPlan> {
  return JSON.parse(await ws.read(join(out, 'plan.json'))) as CapacityPlan
}

describe('kms-bench plan: arithmetic checked by hand', () => {
  it('5,000 symmetric calls/s against 10,000/s, growing 10 %/month', async () => {
    await writeFile(
      join(ws.dir, 'checkout.json'),
      JSON.stringify({
        name: 'checkout',
        region: 'eu-north-1', // default symmetric quota 10,000/s
        keys: [{ name: 'orders', operations: { GenerateDataKey: 3000, Decrypt: 2000 } }],
        variants: [{ name: 'quota-20k', quotas: { symmetric: 20000 } }],
      }),
    )
    const r = await cli(['plan', 'checkout.json', '--growth', '10%', '--months', '12', '--out', 'p1'])
    expect(r.code).toBe(0)
    const plan = await planIn('p1')
    const base = plan.variants.find((v) => v.name === 'baseline')
    const pool = base?.pools[0]
    expect(base?.pools).toHaveLength(1)
    expect(pool).toMatchObject({
      account: '111122223333',
      region: 'eu-north-1',
      pool: 'symmetric',
      quotaName: 'Cryptographic operations (symmetric) request rate',
      limit: 10_000,
      peakNow: 5_000,
      demandSource: 'run',
    })
    expect(pool?.utilizationNow).toBe(0.5)
    expect(pool?.headroomNow).toBe(5_000)
    // 5,000 × 1.1^7 = 9,743.59 ≤ 10,000 < 5,000 × 1.1^8 = 10,717.94: throttling starts in month 8.
    expect(pool?.peakByMonth[7]).toBeCloseTo(9743.5855, 3)
    expect(pool?.peakByMonth[8]).toBeCloseTo(10717.94405, 3)
    expect(pool?.throttleMonth).toBe(8)
    // Month 12: 5,000 × 1.1^12 = 5,000 × 3.138428376721 = 15,692.14 → request ⌈15,692.14⌉ = 15,693/s.
    expect(pool?.requiredQuota).toBe(15_693)
    expect(pool?.increase).toBe(5_693)
    expect(plan.quotaRequests).toEqual([
      expect.objectContaining({
        pool: 'symmetric',
        current: 10_000,
        request: 15_693,
        increase: 5_693,
        throttleMonth: 8,
        adjustable: true,
        avoidedBy: [],
      }),
    ])
    expect(plan.quotaRequests[0]?.command).toContain('--desired-value 15693 --region eu-north-1')
    // Cost: 5,000/s for a 730-hour month = 13,140,000,000 requests; minus the 20,000 free ones,
    // at $0.03 per 10,000: $39,419.94; plus one customer managed key, $1.
    expect(base?.costByMonth[0]).toBeCloseTo(39_420.94, 2)
    // Month 12: 13,140,000,000 × 3.138428376721 = 41,238,948,870.11 requests → $123,716.79 + $1.
    expect(base?.costByMonth[12]).toBeCloseTo(123_717.79, 1)
    expect(base?.kmsCallsPerMonth).toBe(13_140_000_000)
    // The raised quota lasts until 5,000 × 1.1^m > 20,000: 1.1^14 = 3.797 < 4 < 1.1^15 = 4.177: month 15.
    const raised = plan.variants.find((v) => v.name === 'quota-20k')?.pools[0]
    expect(raised?.throttleMonth).toBeNull()
    expect(raised?.throttleMonthBeyond).toBe(15)
    expect(plan.mitigations).toEqual([
      expect.objectContaining({ rank: 1, variant: 'quota-20k', kmsCallsSavedPerMonth: 0, throttleMonth: null }),
    ])

    expect(r.out).toContain(
      'Cryptographic operations (symmetric) request rate in eu-north-1 runs out in month 8 at 10%/month',
    )
    expect(r.out).toContain('Request 15,693/s (an increase of 5,693/s) to last through month 12')
    const md = await readFile(join(ws.dir, 'p1', 'plan.md'), 'utf8')
    expect(md).toContain('# kms-bench capacity plan: checkout')
    expect(md).toContain('| 8 | 10,718/s (107%) THROTTLED |')
    expect(md).toContain('## How this plan was computed')
    const html = await readFile(join(ws.dir, 'p1', 'plan.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<svg')
  })

  it('measures the demand of a pool throttled today with an unthrottled probe, not the retried count', async () => {
    await writeFile(
      join(ws.dir, 'hot.json'),
      JSON.stringify({ name: 'hot', region: 'eu-north-1', keys: [{ name: 'k', operations: { Encrypt: 12_000 } }] }),
    )
    const r = await cli(['plan', 'hot.json', '--months', '3', '--out', 'p2'])
    expect(r.code).toBe(0)
    const pool = (await planIn('p2')).variants[0]?.pools[0]
    // The run itself throttled (and retried): its busiest second saw more than 12,000 calls.
    expect(pool).toMatchObject({
      peakNow: 12_000,
      demandSource: 'probe',
      throttleMonth: 0,
      requiredQuota: 12_000,
      increase: 2_000,
    })
    expect(r.out).toContain('baseline is throttled today')
  })

  it("does not credit a data-key cache with a workload's Decrypts: each message has a data key of its own", async () => {
    // 1,000 Decrypt/s for 2 s on 2 hosts: 2,000 reads of 2,000 messages, each under its own data
    // key, so a cache (maxAge 5 m) hits none and saves no call (an `op` Decrypt of one fixed
    // ciphertext made it save 99.9 %).
    await writeFile(
      join(ws.dir, 'reads.json'),
      JSON.stringify({
        name: 'reads',
        region: 'eu-north-1',
        seconds: 2,
        hosts: 2,
        keys: [{ name: 'k', operations: { Decrypt: 1000 } }],
        variants: [{ name: 'cached', mitigations: [{ name: 'data-key-cache', maxAge: '5m' }] }],
      }),
    )
    const r = await cli(['plan', 'reads.json', '--months', '1', '--out', 'p-reads', '--quiet'])
    expect(r.code, r.err).toBe(0)
    const plan = await planIn('p-reads')
    const base = plan.variants.find((v) => v.name === 'baseline')
    const cached = plan.mitigations.find((m) => m.variant === 'cached')
    expect(base?.kmsCallsPerMonth).toBeGreaterThan(0)
    expect(cached?.kmsCallsSavedPerMonth).toBe(0)
  })

  it('plans a scenario file, ranking its mitigations by KMS calls saved', async () => {
    await writeFile(
      join(ws.dir, 'fleet.ts'),
      `export default {
        name: 'fleet', region: 'eu-north-1', duration: 5, keys: [{ name: 'k' }],
        // No sampled service time: with the default 'aws' model, the ~15 requests arriving
        // during each 15 ms refill also miss (no single-flight), and the saving is no longer
        // the hand-checked 99 %.
        latency: 'none',
        fleet: { hosts: 4 }, arrivals: { shape: 'constant', rate: 4000 },
        requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 1024 }],
        variants: [
          { name: 'baseline' },
          { name: 'cached', mitigations: [{ name: 'data-key-cache', maxAge: '5m', maxMessagesEncrypted: 100 }] },
          { name: 'raised', quotas: { symmetric: 30000 } },
        ],
      }\n`,
    )
    const r = await cli(['plan', 'fleet.ts', '--growth', '25%/month', '--months', '6', '--out', 'p3'])
    expect(r.code).toBe(0)
    const plan = await planIn('p3')
    expect(plan.source).toBe('scenario')
    expect(plan.mitigations.map((m) => m.variant)).toEqual(['cached', 'raised'])
    const cached = plan.mitigations[0]
    expect(cached?.kmsCallsSavedPerMonth).toBeGreaterThan(0.98 * (plan.variants[0]?.kmsCallsPerMonth ?? 0))
    expect(cached?.exposure.maxMessagesPerDataKey).toBe(100)
    // 4,000 × 1.25^m > 10,000 first at m = 5 (1.25^4 = 2.44, 1.25^5 = 3.05).
    expect(plan.variants[0]?.pools[0]?.throttleMonth).toBe(5)
    expect(plan.quotaRequests[0]?.avoidedBy).toEqual(['cached'])
    expect(await readFile(join(ws.dir, 'p3', 'plan.md'), 'utf8')).toMatch(
      /1\. \*\*cached\*\*: data-key-cache: saves [\d,]+ KMS calls\/month .*\n {3}Exposure: one data key protects up to 100 messages/,
    )
  })

  it.each([
    [['plan'], /missing SCENARIO or WORKLOAD/],
    [['plan', 'nothere.json'], /cannot read workload file 'nothere\.json': no such file/],
    [['plan', 'nothere.ts'], /cannot read scenario file 'nothere\.ts': no such file/],
    [['plan', 'bad-workload.json'], /keys\.0\.operations\.Frobnicate: not a KMS operation/],
    [['plan', 'checkout.json', '--growth', 'fast'], /--growth must be a monthly rate/],
    [['plan', 'checkout.json', '--months=-1'], /--months must be an integer from 0 to 600/],
    [['plan', 'checkout.json', '--seed', '4294967296'], /--seed must be an integer from -2147483648 to 2147483647/],
    [
      ['plan', 'checkout.json', '--out', 'a-file/plan'],
      /^kms-bench: --out a-file\/plan: cannot create it: .*a-file is not a directory\n$/,
    ],
  ])('bad input exits 2 with a message: %j', async (args, message) => {
    await writeFile(
      join(ws.dir, 'bad-workload.json'),
      JSON.stringify({ keys: [{ name: 'k', operations: { Frobnicate: 5 } }] }),
    )
    await writeFile(join(ws.dir, 'a-file'), 'not a directory')
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err).not.toMatch(/\n\s+at /)
  })
})

describe('throttle months', () => {
  it('finds the first month over the quota, within and beyond the horizon', () => {
    expect(throttleMonthWithin(5000, 10_000, 0.1, 12)).toBe(8)
    expect(throttleMonthWithin(5000, 10_000, 0.1, 7)).toBeNull()
    expect(throttleMonthEver(5000, 10_000, 0.1)).toBe(8)
    expect(throttleMonthEver(10_000, 10_000, 0)).toBeNull() // exactly at the quota: not throttled
    expect(throttleMonthEver(10_001, 10_000, 0)).toBe(0)
    expect(throttleMonthEver(1, 10_000, 1)).toBe(14) // 2^13 = 8,192 ≤ 10,000 < 2^14
  })
})
