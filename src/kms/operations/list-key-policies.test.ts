import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import type { CallerInput } from '../caller.ts'
import { KmsCore } from '../core.ts'
import type { OperationInputs, OperationName } from '../model.generated.ts'

function setup() {
  const clock = new VirtualClock()
  const core = new KmsCore({ clock, defaultAccount: '111122223333', defaultRegion: 'us-east-1' })
  const call = <Op extends OperationName>(op: Op, input: OperationInputs[Op], caller?: CallerInput) => core.invoke(op, input, core.caller(caller))
  const newKey = (input: OperationInputs['CreateKey'] = {}, caller?: CallerInput): string => call('CreateKey', input, caller).KeyMetadata?.KeyId as string
  return { clock, core, call, newKey }
}

function failure(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

describe('ListKeyPolicies', () => {
  it('lists the single policy name, default', () => {
    const { call, newKey } = setup()
    const keyId = newKey()
    expect(call('ListKeyPolicies', { KeyId: keyId })).toEqual({ PolicyNames: ['default'], Truncated: false })
    expect(call('ListKeyPolicies', { KeyId: keyId, Limit: 1 })).toEqual({ PolicyNames: ['default'], Truncated: false })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(call('ListKeyPolicies', { KeyId: keyId }).PolicyNames).toEqual(['default'])
    expect(call('ListKeyPolicies', { KeyId: 'alias/aws/s3' }).PolicyNames).toEqual(['default'])
  })

  it('reports unknown keys, bad markers and bad input', () => {
    const { call, newKey } = setup()
    expect(failure(() => call('ListKeyPolicies', { KeyId: 'alias/none' })).name).toBe('NotFoundException')
    expect(failure(() => call('ListKeyPolicies', { KeyId: newKey(), Marker: 'x' })).name).toBe('InvalidMarkerException')
    expect(failure(() => call('ListKeyPolicies', { KeyId: newKey(), Limit: 0 })).name).toBe('ValidationException')
  })
})
