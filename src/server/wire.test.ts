import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATION_NAMES, OPERATIONS, SHAPES } from '../kms/model.generated.ts'
import { decodeInput, decodeRequest, encodeOutput, encodeResponse } from './wire.ts'

function serializationError(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect((e as Error).name).toBe('SerializationException')
    return (e as Error).message
  }
  throw new Error('no error')
}

describe('decodeRequest', () => {
  it('turns base64 blobs into bytes and keeps strings, maps and lists', () => {
    const input = decodeRequest(
      'Encrypt',
      JSON.stringify({
        KeyId: 'alias/app',
        Plaintext: Buffer.from('hello').toString('base64'),
        EncryptionContext: { tenant: 'a' },
        GrantTokens: ['t1'],
      }),
    )
    expect(input.KeyId).toBe('alias/app')
    expect(input.Plaintext).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(input.Plaintext).toString()).toBe('hello')
    expect(input.EncryptionContext).toEqual({ tenant: 'a' })
    expect(input.GrantTokens).toEqual(['t1'])
  })

  it('reads an empty body as {} and ignores unknown members and nulls', () => {
    expect(decodeRequest('ListKeys', '')).toEqual({})
    expect(decodeRequest('ListKeys', new Uint8Array(0))).toEqual({})
    expect(decodeRequest('ListKeys', ' \r\n')).toEqual({})
    expect(decodeRequest('ListKeys', new Uint8Array(Buffer.from(' {"Limit": 5} ')))).toEqual({ Limit: 5 })
    expect(decodeRequest('DescribeKey', '{"KeyId":"k","Bogus":1,"GrantTokens":null}')).toEqual({ KeyId: 'k' })
  })

  it('converts timestamps from epoch seconds, fractions included', () => {
    const input = decodeInput('ImportKeyMaterial', {
      KeyId: 'k',
      ImportToken: 'AA==',
      EncryptedKeyMaterial: 'AA==',
      ValidTo: 1700000000.5,
    })
    expect(input.ValidTo).toEqual(new Date(1700000000500))
  })

  it('decodes nested structures in lists (Tags)', () => {
    const input = decodeInput('CreateKey', { Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    expect(input.Tags).toEqual([{ TagKey: 'a', TagValue: 'b' }])
    expect(serializationError(() => decodeInput('CreateKey', { Tags: [{ TagKey: 1 }] }))).toContain('Tags[0].TagKey')
  })

  it('accepts as base64 exactly the strings of RFC 4648 §4 with padding', () => {
    // The form the decoder checked before (groups of four, then a padded group).
    const strict = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
    const accepts = (s: string): boolean => {
      try {
        decodeInput('Encrypt', { KeyId: 'k', Plaintext: s })
        return true
      } catch {
        return false
      }
    }
    const chars = fc.constantFrom(...'AZaz09+/=-_ %\n\u0141'.split(''))
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (cs) => {
        const s = cs.join('')
        expect(accepts(s)).toBe(strict.test(s))
      }),
      { numRuns: 5000 },
    )
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => accepts(Buffer.from(b).toString('base64'))))
    for (const s of ['', 'AA==', 'AAA=', 'AAAA', 'A===', 'AA=A', '=AAA', 'AAAAA===', 'AAA', '-_AA', 'AAAA\n'])
      expect(accepts(s), s).toBe(strict.test(s))
  })

  it('answers SerializationException naming the problem', () => {
    expect(serializationError(() => decodeRequest('Encrypt', '{"KeyId":'))).toContain('not valid JSON')
    expect(serializationError(() => decodeRequest('Encrypt', '[1,2]'))).toContain('must be a JSON object, not an array')
    expect(serializationError(() => decodeRequest('Encrypt', 'null'))).toContain('not null')
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 5 }))).toBe(
      "Expected a string at 'KeyId' but found a number",
    )
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 'k', Plaintext: 'not base64!' }))).toBe(
      "Value at 'Plaintext' is not valid base64",
    )
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 'k', Plaintext: 12 }))).toContain(
      'base64-encoded string',
    )
    expect(serializationError(() => decodeInput('GenerateRandom', { NumberOfBytes: '32' }))).toContain(
      "a number at 'NumberOfBytes'",
    )
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 'k', EncryptionContext: ['a'] }))).toContain(
      "a map (JSON object) at 'EncryptionContext'",
    )
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 'k', EncryptionContext: { a: 1 } }))).toContain(
      "'EncryptionContext.a'",
    )
    expect(serializationError(() => decodeInput('Encrypt', { KeyId: 'k', DryRun: 'yes' }))).toContain('a boolean')
    expect(serializationError(() => decodeInput('CreateKey', { Tags: {} }))).toContain('a list')
  })

  it('never lets a map key reach the prototype', () => {
    const input = decodeRequest('Encrypt', '{"KeyId":"k","EncryptionContext":{"__proto__":"x","constructor":"y"}}')
    const ec = input.EncryptionContext as Record<string, string>
    expect(Object.keys(ec)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(ec)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['x']).toBeUndefined()
  })

  it('has a decoder and an encoder for every operation of the model', () => {
    for (const op of OPERATION_NAMES) {
      expect(decodeInput(op, {})).toEqual({})
      expect(encodeOutput(op, {} as never)).toEqual({})
    }
  })
})

describe('encodeOutput', () => {
  it('writes blobs as base64 and dates as epoch seconds, through lists and structures', () => {
    const json = encodeOutput('ListAliases', {
      Aliases: [{ AliasName: 'alias/a', CreationDate: new Date(1646160362664), TargetKeyId: 'k' }],
      Truncated: false,
    }) as { Aliases: Record<string, unknown>[] }
    expect(json.Aliases[0]).toEqual({ AliasName: 'alias/a', CreationDate: 1646160362.664, TargetKeyId: 'k' })
    const enc = JSON.parse(
      encodeResponse('Encrypt', {
        CiphertextBlob: new Uint8Array([1, 2, 3]),
        KeyId: 'arn',
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      }),
    ) as Record<string, unknown>
    expect(enc).toEqual({ CiphertextBlob: 'AQID', KeyId: 'arn', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
  })

  it('drops undefined members and members the model does not have', () => {
    const json = encodeOutput('DescribeKey', {
      KeyMetadata: { KeyId: 'k', Description: undefined, Secret: 'x' },
    } as never)
    expect(json).toEqual({ KeyMetadata: { KeyId: 'k' } })
  })

  it('encodes a Buffer slice of a larger pool exactly', () => {
    const pool = Buffer.from('xxhelloxx')
    const slice = pool.subarray(2, 7)
    expect(encodeOutput('GenerateRandom', { Plaintext: slice })).toEqual({
      Plaintext: Buffer.from('hello').toString('base64'),
    })
    expect(encodeOutput('GenerateRandom', { Plaintext: new Uint8Array(slice) })).toEqual({
      Plaintext: Buffer.from('hello').toString('base64'),
    })
  })
})

describe('encodeResponse', () => {
  /** A value for a shape: mostly what the model says, sometimes null, undefined, the wrong type, or odd keys. */
  function sample(shapeName: string, rand: () => number, depth: number): unknown {
    const r = rand()
    if (r < 0.05) return undefined
    if (r < 0.08) return null
    if (r < 0.1) return rand() < 0.5 ? 7 : 'wrong type'
    const shape = SHAPES[shapeName]
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
    switch (shape?.type) {
      case 'structure': {
        const out: Record<string, unknown> = {}
        for (const name of Object.keys(shape.members ?? {}))
          if (depth < 4 && rand() < 0.7) out[name] = sample(shape.members?.[name]?.target ?? '', rand, depth + 1)
        if (rand() < 0.2) out['NotInTheModel'] = 'x'
        return out
      }
      case 'blob': {
        const pool = Buffer.from(Array.from({ length: 40 }, () => Math.floor(rand() * 256)))
        const slice = pool.subarray(Math.floor(rand() * 10), 10 + Math.floor(rand() * 30))
        return rand() < 0.5 ? slice : new Uint8Array(slice)
      }
      case 'timestamp':
        return new Date(Math.floor(rand() * 2e12))
      case 'list':
        return depth < 4
          ? Array.from({ length: Math.floor(rand() * 3) }, () => sample(shape.member ?? '', rand, depth + 1))
          : []
      case 'map': {
        const out: Record<string, unknown> = {}
        for (let i = 0; i < Math.floor(rand() * 3); i++) {
          const k = pick(['a', 'tenant', '__proto__', 'constructor', 'é"\\\n', '1', ''])
          const v = sample(shape.value ?? '', rand, depth + 1)
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
        }
        return out
      }
      case 'integer':
      case 'long':
        return pick([0, 1, -3, 2 ** 40, 1.5])
      case 'boolean':
        return rand() < 0.5
      case 'enum':
        return pick(shape.enum ?? ['x'])
      default:
        return pick(['k', 'arn:aws:kms:us-east-1:111122223333:key/x', 'quote " and \\ and \u2028 and é', ''])
    }
  }

  it('writes exactly JSON.stringify(encodeOutput(...)), for every operation and odd values', () => {
    let seed = 17
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    let compared = 0
    for (const op of OPERATION_NAMES) {
      for (let i = 0; i < 30; i++) {
        const output = sample(OPERATIONS[op].output, rand, 0) as never
        expect(encodeResponse(op, output)).toBe(JSON.stringify(encodeOutput(op, output)))
        compared++
      }
    }
    expect(compared).toBeGreaterThan(1000)
  })
})
