import { describe, expect, it } from 'vitest'
import { runScenario } from '../runner.ts'
import { defineScenario, type ScenarioError, type ScenarioInput } from '../scenario/index.ts'
import { sdkRetry } from './retry.ts'
import { resolveClient } from './settings.ts'

const base: ScenarioInput = {
  name: 'mixed-unit',
  duration: 5,
  keys: [{ name: 'k' }],
  principals: ['arn:aws:iam::111122223333:role/py', 'arn:aws:iam::111122223333:role/js'],
  fleet: {
    hosts: 4,
    groups: [
      { name: 'python', hosts: 2, client: { sdk: 'boto3' }, principal: 'arn:aws:iam::111122223333:role/py' },
      { name: 'node', hosts: 2, principal: 'arn:aws:iam::111122223333:role/js' },
    ],
  },
  arrivals: { shape: 'constant', rate: 40 },
  requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
  quotas: { symmetric: 10 },
}
const problems = (s: ScenarioInput): string[] => {
  try {
    defineScenario(s)
    return []
  } catch (e) {
    return [...(e as ScenarioError).problems]
  }
}

describe('client settings', () => {
  it('resolves defaults per SDK, groups in order, variant overrides', () => {
    expect(resolveClient({ variant: {}, scenario: {} })).toEqual({ mode: 'standard', maxAttempts: 3 })
    expect(resolveClient({ variant: { client: { sdk: 'boto3' } }, scenario: {} })).toEqual({
      mode: 'legacy',
      maxAttempts: 5,
      sdk: 'boto3',
    })
    expect(resolveClient({ variant: {}, scenario: { client: { sdk: 'java-v2' } } })).toMatchObject({
      mode: 'legacy',
      maxAttempts: 4,
    })
    const groups = [
      { name: 'a', hosts: 2, client: { sdk: 'go-v2' as const } },
      { name: 'b', hosts: 3 },
    ]
    expect(resolveClient({ variant: {}, scenario: {}, groups }).groups).toEqual([
      { name: 'a', first: 0, count: 2, sdk: 'go-v2', mode: 'standard', maxAttempts: 3 },
      { name: 'b', first: 2, count: 3, sdk: 'js-v3', mode: 'standard', maxAttempts: 3 },
    ])
    // a variant's groupClients win over the group's own client
    const v = { groupClients: { a: { sdk: 'boto3' as const, mode: 'standard' as const } } }
    expect(resolveClient({ variant: v, scenario: {}, groups }).groups?.[0]).toMatchObject({
      sdk: 'boto3',
      mode: 'standard',
    })
    // the CLI's --sdk replaces everything
    expect(
      resolveClient({ override: { mode: 'standard', maxAttempts: 3, sdk: 'go-v2' }, variant: v, scenario: {}, groups }),
    ).toEqual({
      mode: 'standard',
      maxAttempts: 3,
      sdk: 'go-v2',
    })
  })

  it('validates clients and groups with paths', () => {
    expect(problems(base)).toEqual([])
    expect(problems({ ...base, client: { sdk: 'js-v3', mode: 'legacy' } }).join('\n')).toMatch(
      /client\.mode: js-v3 has no retry mode 'legacy' \(it has none, standard, adaptive\)/,
    )
    expect(problems({ ...base, fleet: { ...base.fleet, hosts: 5 } }).join('\n')).toMatch(
      /fleet\.groups: groups have 4 hosts in all, the fleet has 5/,
    )
    expect(
      problems({ ...base, variants: [{ name: 'v', groupClients: { ruby: { sdk: 'js-v3' } } }] }).join('\n'),
    ).toMatch(/no fleet group named 'ruby'/)
    expect(problems({ ...base, retry: { mode: 'none', maxAttempts: 1 }, client: { sdk: 'boto3' } }).join('\n')).toMatch(
      /give either retry or client/,
    )
    expect(problems({ ...base, client: { sdk: 'ruby' as never } }).join('\n')).toMatch(/client\.sdk/)
  })

  it('runs a mixed fleet: each group with its own client', async () => {
    const s = defineScenario({
      ...base,
      variants: [
        { name: 'mixed' },
        { name: 'all-js', client: { sdk: 'js-v3' } },
        { name: 'all-boto3', client: { sdk: 'boto3' } },
      ],
    })
    const r = await runScenario(s, { retryLayer: sdkRetry })
    const [mixed, js, boto] = r.variants
    expect(mixed!.mitigations[0]!.params['groups']).toBe('python: boto3 legacy ×5; node: js-v3 standard ×3')
    // 40 requests/s against a quota of 10/s for 5 s: boto3's 5 attempts without a retry quota send
    // the most calls, the JS clients' 3 attempts the fewest, the mixed fleet lies between.
    expect(boto!.kms.calls).toBeGreaterThan(mixed!.kms.calls)
    expect(mixed!.kms.calls).toBeGreaterThan(js!.kms.calls)
    expect(js!.offered.requests).toBe(200)
  })
})
