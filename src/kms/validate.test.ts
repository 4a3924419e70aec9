import { describe, expect, it } from 'vitest'
import { validateInput, validationProblems } from './validate.ts'

describe('model-driven validation', () => {
  it('reports AWS-format messages, every problem at once', () => {
    expect(() => validateInput('GenerateRandom', { NumberOfBytes: 1025 })).toThrow(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    )
    const problems = validationProblems('GenerateDataKey', { NumberOfBytes: 0, KeySpec: 'AES_512' })
    expect(problems).toEqual([
      "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    ])
  })

  it('never echoes sensitive values and names nested list members 1-based', () => {
    expect(() => validateInput('Encrypt', { KeyId: 'k', Plaintext: new Uint8Array(4097) })).toThrow(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    )
    const problems = validationProblems('CreateKey', { Tags: [{ TagKey: 'a'.repeat(129), TagValue: 'v' }] })
    expect(problems[0]).toContain(
      "at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128",
    )
  })

  it('names members of the wrong type instead of crashing', () => {
    const problems = validationProblems('Encrypt', { KeyId: 42, Plaintext: 'not bytes', EncryptionContext: { a: 1 } })
    expect(problems).toHaveLength(3)
    expect(problems.join('\n')).toMatch(/keyId.*string/)
    expect(problems.join('\n')).toMatch(/plaintext.*Uint8Array/)
    expect(problems.join('\n')).toMatch(/encryptionContext\.a.*string/)
    expect(validationProblems('Encrypt', null)).toEqual(['Input of Encrypt must be an object'])
  })

  it('accepts valid input and ignores members not in the model', () => {
    expect(validationProblems('Encrypt', { KeyId: 'alias/x', Plaintext: new Uint8Array(1), Extra: true })).toEqual([])
  })
})
