/**
 * The package's public API (`src/index.ts`) is a deliberate list: the emulator, clocks, the
 * scenario DSL, the mitigations, the run/merge/compare APIs and the endpoint. An internal that
 * appears here (or a public name that disappears) is an API change to make on purpose: update
 * this list, and say so in the change. Type-only exports are checked by `tsc` through the
 * scenarios, examples and the packed-package test, which use only this API.
 */
import { describe, expect, it } from 'vitest'
import * as api from '../src/index.ts'

const PUBLIC = [
  'AWS_LATENCY_SPEC',
  'BUILT_IN_MITIGATIONS',
  'BUILT_IN_PROFILES',
  'ComparisonError',
  'CredentialStore',
  'DEFAULT_COMPARE_RULES',
  'DEFAULT_PORT',
  'KMS_PRICES',
  'KmsError',
  'LatencySpecError',
  'MergeError',
  'MitigationConfigError',
  'NO_MITIGATIONS',
  'OPERATION_NAMES',
  'QuotaConfigError',
  'RANKING_METHOD',
  'RunError',
  'SCHEMA_VERSION',
  'ScenarioError',
  'SnapshotError',
  'StatePersistence',
  'SummaryFormatError',
  'SystemClock',
  'ThresholdError',
  'VIRTUAL_EPOCH_MS',
  'VirtualClock',
  'accountSharding',
  'applySeed',
  'compareSummaries',
  'createEmulator',
  'createLatencyModel',
  'dataKeyCache',
  'dataKeyPool',
  'defineScenario',
  'embeddedTarget',
  'endpointTarget',
  'estimateCost',
  'evaluateThresholds',
  'generateKmsTrail',
  'hierarchicalKeyring',
  'isThrottled',
  'kmsCall',
  'mergeSummaries',
  'mitigationTable',
  'multiRegion',
  'packTrailFiles',
  'parseCompareRule',
  'parseCredentialsFile',
  'parseLatencySpec',
  'parseProfile',
  'parseRunSummary',
  'parseSeed',
  'parseThreshold',
  'profileNames',
  'quotaIncrease',
  'rankVariants',
  'renderComparisonMarkdown',
  'renderHtml',
  'renderJunitXml',
  'renderMarkdown',
  'restoreSnapshot',
  'runParallel',
  'runScenario',
  's3BucketKeys',
  'scenarioThresholds',
  'sdkRetry',
  'singleFlight',
  'sleep',
  'startKmsServer',
  'stormTrackingCache',
  'takeSnapshot',
  'wait',
  'withCaller',
  'withInput',
]

describe('public API', () => {
  it('exports exactly the public names', () => {
    expect(Object.keys(api).sort()).toEqual([...PUBLIC].sort())
  })

  it('keeps the internals out', () => {
    for (const internal of ['THROTTLED', 'directKms', 'Flight', 'mannWhitneyU', 'registerMitigation', 'Engine'])
      expect(Object.keys(api)).not.toContain(internal)
  })

  it('the built-in mitigations are a read-only table of the exported factories', () => {
    expect(Object.isFrozen(api.BUILT_IN_MITIGATIONS)).toBe(true)
    expect(api.BUILT_IN_MITIGATIONS['data-key-cache']).toBe(api.dataKeyCache)
    expect(api.BUILT_IN_MITIGATIONS['s3-bucket-keys']).toBe(api.s3BucketKeys)
  })
})
