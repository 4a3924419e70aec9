/**
 * docs/kubernetes-shards.yaml, the README's Indexed Job example: the shards Job and the merge
 * Job are applied in two steps (a label each, `kubectl apply -l step=...`), so the merge never
 * starts before the shards have written their summaries, and the shards Job declares the count
 * that `--shard auto` reads beside the index Kubernetes sets.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

const manifest = await readFile(new URL('../docs/kubernetes-shards.yaml', import.meta.url), 'utf8')
const documents = manifest.split(/^---$/m)

describe('docs/kubernetes-shards.yaml', () => {
  it('labels the shards Job and the merge Job apart, and its instructions apply them one after the other', () => {
    expect(documents).toHaveLength(2)
    const [shards = '', merge = ''] = documents
    expect(shards).toMatch(/name: kms-bench-shards\n\s+labels: \{ step: shards \}/)
    expect(merge).toMatch(/name: kms-bench-merge\n\s+labels: \{ step: merge \}/)
    const steps = manifest.split('\n').filter((l) => /^#\s+kubectl /.test(l))
    expect(steps.map((l) => l.replace(/^#\s+/, '').replace(/\s+#.*$/, ''))).toEqual([
      'kubectl apply -f docs/kubernetes-shards.yaml -l step=shards',
      'kubectl wait --for=condition=complete job/kms-bench-shards --timeout=30m',
      'kubectl apply -f docs/kubernetes-shards.yaml -l step=merge',
    ])
  })

  it('runs --shard auto in an Indexed Job whose JOB_COMPLETION_COUNT equals its completions', () => {
    const [shards = ''] = documents
    expect(shards).toContain('completionMode: Indexed')
    const completions = /completions: (\d+)/.exec(shards)?.[1]
    expect(shards).toMatch(new RegExp(`name: JOB_COMPLETION_COUNT\\n\\s+value: "${completions}"`))
    expect(shards).toContain('--shard auto')
    expect(documents[1]).toContain('kms-bench merge /results/shard-*/summary.json --out /results/merged')
  })
})
