import { describe, expect, it } from 'vitest'
import { OPERATION_NAMES, OPERATIONS, SHAPES } from '../kms/model.generated.ts'
import { BUILT_IN_PROFILES } from './profiles.ts'
import { isPoolName, OPERATION_CHARGES, poolNameProblem, sharedPoolOfKeySpec } from './pools.ts'

describe('pools', () => {
  it('charges every operation of the KMS model somewhere', () => {
    const missing = OPERATION_NAMES.filter((op) => !OPERATION_CHARGES.has(op))
    // ML-KEM (from the installed SDK's newer API): kms-bench answers UnsupportedOperationException
    // (no ML-KEM in node:crypto) and the shared reference quota table names no pool for them.
    expect(missing).toEqual(['Decapsulate', 'Encapsulate'])
  })

  it("knows which key parameter each per-API operation names (checked against the model's shapes)", () => {
    for (const op of OPERATION_NAMES) {
      const charge = OPERATION_CHARGES.get(op)
      if (charge?.kind !== 'api') continue
      const members = SHAPES[OPERATIONS[op].input]?.members ?? {}
      const expected = 'KeyId' in members ? 'KeyId' : 'TargetKeyId' in members ? 'TargetKeyId' : undefined
      expect(charge.keyParam, op).toBe(expected)
    }
  })

  it('maps key specs to the shared pools (HMAC is symmetric, SM2 shares ECC)', () => {
    expect(
      ['SYMMETRIC_DEFAULT', 'HMAC_256', 'RSA_3072', 'ECC_NIST_P384', 'ECC_SECG_P256K1', 'SM2', 'ML_DSA_65'].map(
        sharedPoolOfKeySpec,
      ),
    ).toEqual(['symmetric', 'symmetric', 'rsa', 'ecc', 'ecc', 'ecc', 'ml-dsa'])
    expect(sharedPoolOfKeySpec('FOO')).toBeUndefined()
  })

  it('every pool of every built-in profile is a valid pool name', () => {
    for (const p of BUILT_IN_PROFILES.values()) {
      for (const pool of Object.keys(p.defaults)) expect(isPoolName(pool), `${p.name} ${pool}`).toBe(true)
      for (const table of Object.values(p.regions))
        for (const pool of Object.keys(table)) expect(isPoolName(pool), `${p.name} ${pool}`).toBe(true)
    }
  })

  it('explains why a shared-pool operation has no api: pool', () => {
    expect(poolNameProblem('api:Decrypt')).toContain('shared pool of its key type')
    expect(poolNameProblem('api:GenerateDataKeyPair')).toContain("'key-pair:<KeyPairSpec>'")
    expect(poolNameProblem('custom-key-store:')).toMatch(/unknown quota pool/)
    expect(poolNameProblem('custom-key-store:cks-1')).toBeUndefined()
  })
})
