import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { accountSharding, principalIn, type AccountShardingOptions } from './account-sharding.ts'

function scenario(
  requests: ScenarioInput['requests'],
  options: AccountShardingOptions,
  extra: Partial<ScenarioInput> = {},
): ScenarioInput {
  return {
    name: 'shard-unit',
    region: 'eu-north-1',
    duration: 10,
    keys: [{ name: 'k' }],
    principals: ['arn:aws:iam::111122223333:role/orders'],
    fleet: { hosts: 3 },
    arrivals: { shape: 'constant', rate: 30 },
    requests,
    // 10/s per account (a scale model of a 10,000/s quota).
    quotas: { symmetric: 10 },
    variants: [{ name: 'baseline' }, { name: 'sharded', mitigations: [accountSharding(options)] }],
    ...extra,
  }
}

const run = async (input: ScenarioInput) =>
  (await runScenario(defineScenario(input), { retry: { mode: 'none', maxAttempts: 1 } })).variants
const encrypt: ScenarioInput['requests'] = [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }]

describe('account sharding', () => {
  it('three accounts, three quotas: each host calls from its own account with its own key', async () => {
    const [baseline, sharded] = await run(scenario(encrypt, { shards: 3 }))
    expect(baseline!.completed.throttled).toBe(200)
    expect(sharded!.completed).toMatchObject({ succeeded: 300, throttled: 0, failed: 0 })
    expect(sharded!.mitigations.find((m) => m.name === 'account-sharding')!.stats).toEqual({
      extraKeys: 2,
      'calls:111122223333': 100,
      'calls:900000000001': 100,
      'calls:900000000002': 100,
    })
    expect(
      sharded!.quota.filter((q) => q.pool === 'symmetric').map((q) => [q.account, q.accepted, q.throttled]),
    ).toEqual([
      ['111122223333', 100, 0],
      ['900000000001', 100, 0],
      ['900000000002', 100, 0],
    ])
    // A copy of the key per extra account: billed.
    expect(sharded!.costUsd.billedKeys).toBe(3)
  })

  it('shared keys: the same relief with no extra key (cross-account calls count against the caller)', async () => {
    const [, sharded] = await run(scenario(encrypt, { accounts: ['444455556666', '777788889999'], keys: 'shared' }))
    expect(sharded!.completed).toMatchObject({ succeeded: 300, throttled: 0, failed: 0 })
    expect(sharded!.costUsd.billedKeys).toBe(1)
    expect(
      sharded!.quota
        .filter((q) => q.pool === 'symmetric')
        .map((q) => q.account)
        .sort(),
    ).toEqual(['111122223333', '444455556666', '777788889999'])
  })

  it('decrypts old ciphertexts cross-account and new ones with the key that made them', async () => {
    const [, old] = await run(scenario([{ kind: 'envelope-decrypt', key: 'k', payloadBytes: 100 }], { shards: 3 }))
    expect(old!.completed).toMatchObject({ succeeded: 300, throttled: 0, failed: 0 })
    const roundTrip: ScenarioInput['requests'] = [
      {
        kind: 'sequence',
        name: 'round-trip',
        steps: [
          { operation: 'GenerateDataKey', key: 'k', input: { KeySpec: 'AES_256' } },
          { operation: 'Decrypt', key: 'k', ciphertextFrom: 0 },
        ],
      },
    ]
    const [, fresh] = await run(scenario(roundTrip, { shards: 3 }, { arrivals: { shape: 'constant', rate: 15 } }))
    expect(fresh!.completed).toMatchObject({ succeeded: 150, throttled: 0, failed: 0 })
  })

  it('splits by tenant', async () => {
    const [, sharded] = await run(scenario(encrypt, { shards: 3, by: 'tenant' }, { fleet: { hosts: 1 }, tenants: 3 }))
    expect(sharded!.completed.failed).toBe(0)
    const stats = sharded!.mitigations.find((m) => m.name === 'account-sharding')!.stats
    expect(
      (stats['calls:111122223333'] ?? 0) + (stats['calls:900000000001'] ?? 0) + (stats['calls:900000000002'] ?? 0),
    ).toBe(300)
    expect(stats['calls:900000000002']).toBeGreaterThan(50)
  })

  it('keeps the role, changes the account; checks its parameters', () => {
    expect(principalIn('arn:aws:iam::111122223333:role/orders', '444455556666')).toBe(
      'arn:aws:iam::444455556666:role/orders',
    )
    expect(principalIn('arn:aws:sts::111122223333:assumed-role/orders/i-1', '444455556666')).toBe(
      'arn:aws:sts::444455556666:assumed-role/orders/i-1',
    )
    const p = (o: unknown): string[] =>
      (accountSharding(o as AccountShardingOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({})).toEqual(['shards: give either accounts (the extra accounts) or shards (how many in all)'])
    expect(p({ shards: 1 })[0]).toMatch(/^shards: shards must be an integer from 2 to 1000/)
    expect(p({ accounts: ['12345'] })[0]).toMatch(/^accounts.0: must be a 12-digit AWS account id, got '12345'/)
    expect(p({ shards: 2, by: 'region' })[0]).toMatch(/^by: by must be one of 'host', 'tenant'/)
  })
})
