/** `kms-bench run --sdk`: every host's client from one SDK's model, and its bad input. */
import { describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'

const { cli, summaryIn } = cliWorkspace('run-sdk')
const adHoc = ['run', '--op', 'GenerateDataKey', '--rate', '20', '--duration', '3s', '--quota', 'symmetric=5']

describe('kms-bench run --sdk', () => {
  it.each([
    [['--sdk', 'ruby'], /--sdk must be one of js-v3, boto3, java-v2, go-v2, got 'ruby'/],
    [
      ['--sdk', 'js-v3', '--retry', 'legacy'],
      /--retry must be none, standard or adaptive for --sdk js-v3, got 'legacy'/,
    ],
    [
      ['--sdk', 'go-v2', '--retry', 'legacy'],
      /--retry must be none, standard or adaptive for --sdk go-v2, got 'legacy'/,
    ],
  ])('%j exits 2', async (extra, message) => {
    const r = await cli([...adHoc, ...extra])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
  })

  it('boto3 in its default legacy mode retries 4 times per throttled request, without a retry quota', async () => {
    const r = await cli([...adHoc, '--sdk', 'boto3', '--out', 'boto3'])
    expect(r.code).toBe(0)
    const v = (await summaryIn('boto3')).variants[0]!
    const retry = v.mitigations.find((m) => m.name === 'sdk-retry')!
    expect(retry.params).toMatchObject({ sdk: 'boto3', mode: 'legacy', maxAttempts: 5 })
    const legacy = await cli([...adHoc, '--sdk', 'boto3', '--retry', 'standard', '--out', 'boto3-standard'])
    expect(legacy.code).toBe(0)
    const std = (await summaryIn('boto3-standard')).variants[0]!
    // legacy makes up to 5 attempts per request, standard 3: more calls for the same requests
    expect(v.kms.calls).toBeGreaterThan(std.kms.calls)
    // every call beyond the first attempts is a retry, and the summary counts it
    expect(v.retries).toBeGreaterThan(0)
    expect(v.kms.calls).toBe(v.offered.requests + v.retries)
    expect(std.kms.calls).toBe(std.offered.requests + std.retries)
  })
})
