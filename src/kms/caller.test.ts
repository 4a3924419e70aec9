import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { resolveCaller, type CallerInput } from './caller.ts'
import { KmsCore } from './core.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import { coreHarness, failure, TEST_ACCOUNT, TEST_REGION } from './test-support.ts'

describe('resolveCaller', () => {
  it('fills in the default account, Region and root principal; maps an assumed-role session to its role', () => {
    expect(resolveCaller(undefined, TEST_ACCOUNT, TEST_REGION)).toMatchObject({
      account: TEST_ACCOUNT,
      region: TEST_REGION,
      principal: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      identityType: 'Root',
    })
    const session = 'arn:aws:sts::444455556666:assumed-role/app/s1'
    expect(resolveCaller({ principal: session, region: 'cn-north-1' }, TEST_ACCOUNT, TEST_REGION)).toMatchObject({
      account: '444455556666',
      region: 'cn-north-1',
      principal: session,
      policyPrincipal: 'arn:aws:iam::444455556666:role/app',
      identityType: 'AssumedRole',
    })
  })

  it('rejects a Region where KMS is not offered, with a hint, as a ValidationException naming every problem', () => {
    expect(failure(() => resolveCaller({ region: 'us-est-1' }, TEST_ACCOUNT, TEST_REGION))).toMatchObject({
      name: 'ValidationException',
      message: "caller region 'us-est-1' is not an AWS Region where KMS is available (did you mean 'us-east-1'?)",
    })
    const bad = { region: '', account: '12', userAgent: 7 } as unknown as CallerInput
    const message = failure(() => resolveCaller(bad, TEST_ACCOUNT, TEST_REGION)).message
    expect(message).toContain("caller region '' is not an AWS Region where KMS is available")
    expect(message).toContain("caller account '12' is not a 12-digit AWS account id")
    expect(message).toContain('caller userAgent must be a string, got 7')
  })
})

describe('KmsCore.caller', () => {
  it('treats null like no caller, and resolves the default caller once', () => {
    const { core } = coreHarness()
    const none = core.caller(undefined)
    expect(core.caller(null)).toBe(none)
    expect(none).toMatchObject({ account: TEST_ACCOUNT, region: TEST_REGION })
  })

  it('answers a caller that is not an object with a ValidationException, not a TypeError', () => {
    const { core, call } = coreHarness()
    for (const bad of ['us-east-1', 42, ['a']]) {
      expect(failure(() => core.caller(bad as unknown as CallerInput))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('caller must be an object'),
      })
    }
    expect(failure(() => call('CreateKey', {}, { region: 'mars-1' }))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("caller region 'mars-1'"),
    })
  })

  it('refuses a default Region where KMS is not offered', () => {
    expect(
      () =>
        new KmsCore({
          operations: OPERATION_TABLE,
          clock: new VirtualClock(),
          defaultAccount: TEST_ACCOUNT,
          defaultRegion: 'local',
        }),
    ).toThrow(new RangeError("defaultRegion 'local' is not an AWS Region where KMS is available"))
  })
})
