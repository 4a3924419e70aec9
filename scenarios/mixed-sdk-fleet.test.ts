import { describe, expect, it } from 'vitest'
import { renderHtml, renderMarkdown, runScenario, sdkRetry } from 'kms-bench'
import scenario from './mixed-sdk-fleet.ts'

describe('mixed-sdk-fleet (virtual time)', () => {
  it('boto3 legacy retries make the most calls and the worst tail; standard bounds them; adaptive throttles least', async () => {
    // A tenth-scale model (rates and quotas × 0.1), one burst.
    const r = await runScenario(scenario, { retryLayer: sdkRetry, durationSeconds: 40, scale: 0.1 })
    const [deployed, standard, adaptive, none] = r.variants
    const retry = deployed!.mitigations.find((m) => m.name === 'sdk-retry')!
    expect(retry.params['groups']).toBe('python-workers: boto3 legacy ×5; node-api: js-v3 standard ×3')
    expect(deployed!.kms.calls).toBeGreaterThan(standard!.kms.calls)
    expect(deployed!.kms.throttled).toBeGreaterThan(standard!.kms.throttled)
    expect(deployed!.latencyMs.p99).toBeGreaterThan(standard!.latencyMs.p99)
    // legacy's 5 attempts (no retry quota) save more requests than standard's 3
    expect(deployed!.completed.throttled).toBeLessThan(standard!.completed.throttled)
    expect(adaptive!.completed.throttled).toBeLessThan(deployed!.completed.throttled)
    expect(none!.kms.calls).toBe(none!.offered.requests)
    // Each fleet group reported apart, its requests adding up to the variant's.
    for (const v of r.variants) {
      const groups = v!.groups!
      expect(groups.map((g) => [g.name, g.hosts])).toEqual([
        ['python-workers', 150],
        ['node-api', 50],
      ])
      const sum = (f: (g: (typeof groups)[number]) => number) => groups.reduce((a, g) => a + f(g), 0)
      expect(sum((g) => g.completed.succeeded)).toBe(v!.completed.succeeded)
      expect(sum((g) => g.completed.throttled)).toBe(v!.completed.throttled)
      // hosts take arrivals in turn: the Python fleet serves 150 of every 200 requests
      expect(groups[0]!.requests / sum((g) => g.requests)).toBeCloseTo(0.75, 3)
    }
    const [python, node] = deployed!.groups!
    // As deployed, the shared quota fails the JavaScript API more often (its 3 attempts give up
    // while boto3's 5 keep coming back), and the Python workers wait longest.
    expect(node!.throttleRate).toBeGreaterThan(2 * python!.throttleRate)
    expect(python!.latencyMs.p99).toBeGreaterThan(node!.latencyMs.p99)
    // Both reports show the groups apart.
    const md = renderMarkdown(r)
    expect(md).toContain('Host groups')
    expect(md).toMatch(/\| as-deployed \| node-api \| 50 \| [\d,]+ \|/)
    expect(renderHtml(r)).toContain('<section id="groups"><h2>Host groups</h2>')
  })
})
