import {
  constants,
  createCipheriv,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
} from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AlgorithmSpec, WrappingKeySpec } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const HOUR = 3600_000
const DAY = 24 * HOUR

/** Wraps `material` exactly as the AWS docs tell a client to (importing-keys-encrypt-key-material.html). */
function wrap(publicKeyDer: Uint8Array, algorithm: AlgorithmSpec, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' })
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256'
  const rsa = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data)
  if (algorithm.startsWith('RSAES_OAEP')) return rsa(material)
  const kek = randomBytes(32)
  const c = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'))
  return Buffer.concat([rsa(kek), c.update(material), c.final()])
}

function setup(spec = 'SYMMETRIC_DEFAULT', usage?: string) {
  const h = coreHarness()
  const md = h.call('CreateKey', {
    Origin: 'EXTERNAL',
    KeySpec: spec as never,
    ...(usage !== undefined ? { KeyUsage: usage as never } : {}),
  }).KeyMetadata as { KeyId: string; Arn: string }
  const params = (
    WrappingAlgorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256',
    WrappingKeySpec: WrappingKeySpec = 'RSA_2048',
  ) => h.call('GetParametersForImport', { KeyId: md.KeyId, WrappingAlgorithm, WrappingKeySpec })
  const importWith = (
    material: Buffer,
    extra: Record<string, unknown> = {},
    algorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256',
  ) => {
    const p = params(algorithm)
    return h.call('ImportKeyMaterial', {
      KeyId: md.KeyId,
      ImportToken: p.ImportToken as Uint8Array,
      EncryptedKeyMaterial: wrap(p.PublicKey as Uint8Array, algorithm, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ...extra,
    })
  }
  return { ...h, md, params, importWith }
}

describe('imported key material', () => {
  it('GetParametersForImport: a fresh RSA wrapping key per call, valid 24 h; refused for AWS_KMS keys', () => {
    const { call, clock, md, params, newKey } = setup()
    const a = params()
    const b = params()
    expect(a.KeyId).toBe(md.Arn)
    expect(Buffer.from(a.PublicKey as Uint8Array).equals(Buffer.from(b.PublicKey as Uint8Array))).toBe(false)
    expect(a.ParametersValidTo?.getTime()).toBe(clock.now() + DAY)
    const e = failure(() =>
      call('GetParametersForImport', {
        KeyId: newKey(),
        WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
        WrappingKeySpec: 'RSA_2048',
      }),
    )
    expect(e.name).toBe('UnsupportedOperationException')
    expect(e.message).toMatch(
      /^arn:aws:kms:us-east-1:111122223333:key\/\S+ origin is AWS_KMS which is not valid for this operation\.$/,
    )
  })

  it.each([
    ['RSAES_OAEP_SHA_1', 'RSA_2048'],
    ['RSAES_OAEP_SHA_256', 'RSA_2048'],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072'],
    ['RSAES_OAEP_SHA_256', 'RSA_4096'],
  ] as const)('imports symmetric material wrapped with %s / %s and uses it', (algorithm, wrappingSpec) => {
    const { call, md, params } = setup()
    const material = randomBytes(32)
    const p = params(algorithm, wrappingSpec)
    const out = call('ImportKeyMaterial', {
      KeyId: md.KeyId,
      ImportToken: p.ImportToken as Uint8Array,
      EncryptedKeyMaterial: wrap(p.PublicKey as Uint8Array, algorithm, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    })
    expect(out.KeyId).toBe(md.Arn)
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/)
    const d = call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata
    expect(d).toMatchObject({ KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    expect(d?.CurrentKeyMaterialId).toBe(out.KeyMaterialId)
    const ct = call('Encrypt', { KeyId: md.KeyId, Plaintext: Buffer.from('hi') }).CiphertextBlob as Uint8Array
    expect(Buffer.from(call('Decrypt', { CiphertextBlob: ct }).Plaintext as Uint8Array).toString()).toBe('hi')
  })

  it('the material id depends on the key and the material; other material is refused once imported', () => {
    const a = setup()
    const b = setup()
    const material = randomBytes(32)
    expect(a.importWith(material).KeyMaterialId).not.toBe(b.importWith(material).KeyMaterialId) // id depends on the key id
    const wrong = randomBytes(32)
    const e = failure(() => a.importWith(wrong))
    expect(e.name).toBe('IncorrectKeyMaterialException')
  })

  it('validates ExpirationModel / ValidTo with the recorded message', () => {
    const { importWith, clock } = setup()
    const m = randomBytes(32)
    const e = failure(() => importWith(m, { ExpirationModel: undefined }))
    expect([e.name, e.message]).toEqual([
      'ValidationException',
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    ])
    expect(
      failure(() =>
        importWith(m, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.now() + 366 * DAY) }),
      ).name,
    ).toBe('ValidationException')
  })

  it('expires in clock time back to PendingImport, then takes the same material only', () => {
    const { call, clock, md, importWith, core } = setup()
    const material = randomBytes(32)
    const validTo = new Date(clock.now() + 2 * HOUR)
    importWith(material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo })
    expect(call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    })
    const ct = call('Encrypt', { KeyId: md.KeyId, Plaintext: Buffer.from('x') }).CiphertextBlob as Uint8Array
    clock.advance(2 * HOUR - 1)
    expect(call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata?.KeyState).toBe('Enabled')
    clock.advance(1)
    const after = call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata
    expect(after).toMatchObject({ KeyState: 'PendingImport', Enabled: false })
    expect(after?.ExpirationModel).toBeUndefined()
    expect(core.audit.events().some((ev) => ev.eventName === 'DeleteExpiredKeyMaterial')).toBe(true)
    const e = failure(() => call('Decrypt', { CiphertextBlob: ct }))
    expect([e.name, e.message]).toEqual(['KMSInvalidStateException', `${md.Arn} is pending import.`])
    expect(failure(() => importWith(randomBytes(32))).name).toBe('IncorrectKeyMaterialException')
    importWith(material)
    expect(Buffer.from(call('Decrypt', { CiphertextBlob: ct }).Plaintext as Uint8Array).toString()).toBe('x')
  })

  it('DeleteImportedKeyMaterial returns the key to PendingImport, keeping its material id (snapshot)', () => {
    const { call, md, importWith } = setup()
    const id = importWith(randomBytes(32)).KeyMaterialId
    expect(call('DeleteImportedKeyMaterial', { KeyId: md.Arn })).toEqual({ KeyId: md.Arn, KeyMaterialId: id })
    const d = call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata
    expect(d).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: id })
    const e = failure(() => call('Encrypt', { KeyId: md.KeyId, Plaintext: Buffer.from('x') }))
    expect(e.message).toBe(`${md.Arn} is pending import.`)
  })

  it('rejects tokens of another key, expired tokens and undecryptable material', () => {
    const a = setup()
    const b = setup()
    const pa = a.params()
    const material = randomBytes(32)
    const onB = failure(() =>
      b.call('ImportKeyMaterial', {
        KeyId: b.md.KeyId,
        ImportToken: pa.ImportToken as Uint8Array,
        EncryptedKeyMaterial: wrap(pa.PublicKey as Uint8Array, 'RSAES_OAEP_SHA_256', material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    )
    expect(onB.name).toBe('InvalidImportTokenException')
    const garbled = failure(() =>
      a.call('ImportKeyMaterial', {
        KeyId: a.md.KeyId,
        ImportToken: pa.ImportToken as Uint8Array,
        EncryptedKeyMaterial: randomBytes(256),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    )
    expect(garbled.name).toBe('InvalidCiphertextException')
    a.clock.advance(DAY)
    const expired = failure(() =>
      a.call('ImportKeyMaterial', {
        KeyId: a.md.KeyId,
        ImportToken: pa.ImportToken as Uint8Array,
        EncryptedKeyMaterial: wrap(pa.PublicKey as Uint8Array, 'RSAES_OAEP_SHA_256', material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    )
    expect(expired.name).toBe('ExpiredImportTokenException')
  })

  it('imports HMAC and asymmetric (ECC, RSA) material; wrong sizes and key types are refused', () => {
    const hmac = setup('HMAC_256', 'GENERATE_VERIFY_MAC')
    expect(failure(() => hmac.importWith(randomBytes(31))).name).toBe('IncorrectKeyMaterialException')
    const secret = randomBytes(40)
    hmac.importWith(secret)
    const mac = hmac.call('GenerateMac', {
      KeyId: hmac.md.KeyId,
      Message: Buffer.from('m'),
      MacAlgorithm: 'HMAC_SHA_256',
    })
    expect(Buffer.from(mac.Mac as Uint8Array).equals(createHmac('sha256', secret).update('m').digest())).toBe(true)

    const ecc = setup('ECC_NIST_P256', 'SIGN_VERIFY')
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' })
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    })
    expect(failure(() => ecc.importWith(other, {}, 'RSA_AES_KEY_WRAP_SHA_256')).name).toBe(
      'IncorrectKeyMaterialException',
    )
    ecc.importWith(der, {}, 'RSA_AES_KEY_WRAP_SHA_256')
    expect(
      Buffer.from(ecc.call('GetPublicKey', { KeyId: ecc.md.KeyId }).PublicKey as Uint8Array).equals(
        pair.publicKey.export({ type: 'spki', format: 'der' }),
      ),
    ).toBe(true)
    const sig = ecc.call('Sign', { KeyId: ecc.md.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })
    expect(
      ecc.call('Verify', {
        KeyId: ecc.md.KeyId,
        Message: Buffer.from('m'),
        Signature: sig.Signature as Uint8Array,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }).SignatureValid,
    ).toBe(true)
    ecc.call('DeleteImportedKeyMaterial', { KeyId: ecc.md.KeyId })
    const d = ecc.call('DescribeKey', { KeyId: ecc.md.KeyId }).KeyMetadata
    expect(d?.KeyState).toBe('PendingImport')
    expect(d?.CurrentKeyMaterialId).toBeUndefined()
  })

  it('NEW_KEY_MATERIAL waits for RotateKeyOnDemand; a second one is refused with the recorded text', () => {
    const { call, md, importWith } = setup()
    const first = importWith(randomBytes(32)).KeyMaterialId
    const ct = call('Encrypt', { KeyId: md.KeyId, Plaintext: Buffer.from('old') }).CiphertextBlob as Uint8Array
    const e0 = failure(() => call('RotateKeyOnDemand', { KeyId: md.KeyId }))
    expect(e0.message).toBe(`No available key material pending rotation for the key: ${md.Arn}.`)
    const second = importWith(randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }).KeyMaterialId as string
    expect(call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata?.CurrentKeyMaterialId).toBe(first)
    const e = failure(() => importWith(randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }))
    expect(e.name).toBe('KMSInvalidStateException')
    expect(e.message).toMatch(new RegExp(`because another key material \\(id: ${second}\\) is pending rotation\\.$`))
    expect(call('RotateKeyOnDemand', { KeyId: md.KeyId })).toEqual({ KeyId: md.Arn })
    expect(call('DescribeKey', { KeyId: md.KeyId }).KeyMetadata?.CurrentKeyMaterialId).toBe(second)
    expect(Buffer.from(call('Decrypt', { CiphertextBlob: ct }).Plaintext as Uint8Array).toString()).toBe('old')
  })

  it('PendingImport rows of the key-state table', () => {
    const { call, md } = setup()
    const k = md.KeyId
    for (const op of ['EnableKey', 'DisableKey'] as const)
      expect(failure(() => call(op, { KeyId: k })).message).toBe(`${md.Arn} is pending import.`)
    expect(failure(() => call('EnableKeyRotation', { KeyId: k })).name).toBe('UnsupportedOperationException')
    expect(
      failure(() =>
        call('CreateGrant', { KeyId: k, GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Encrypt'] }),
      ).message,
    ).toBe(`${md.Arn} is pending import.`)
    call('TagResource', { KeyId: k, Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    call('CreateAlias', { AliasName: 'alias/imp', TargetKeyId: k })
    expect(call('ScheduleKeyDeletion', { KeyId: k, PendingWindowInDays: 7 }).KeyState).toBe('PendingDeletion')
  })

  it('multi-Region: a replica of an EXTERNAL primary waits in PendingImport for its own import of the same material', () => {
    const { call, clock } = coreHarness()
    const east = { region: 'us-east-1' }
    const west = { region: 'eu-west-1' }
    const primary = call('CreateKey', { Origin: 'EXTERNAL', MultiRegion: true }, east).KeyMetadata as {
      KeyId: string
      Arn: string
    }
    const importInto = (caller: { region: string }, material: Buffer, extra: Record<string, unknown> = {}) => {
      const p = call(
        'GetParametersForImport',
        { KeyId: primary.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
        caller,
      )
      return call(
        'ImportKeyMaterial',
        {
          KeyId: primary.KeyId,
          ImportToken: p.ImportToken as Uint8Array,
          EncryptedKeyMaterial: wrap(p.PublicKey as Uint8Array, 'RSAES_OAEP_SHA_256', material),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          ...extra,
        },
        caller,
      )
    }
    const material = randomBytes(32)
    const id = importInto(east, material).KeyMaterialId
    const ct = call('Encrypt', { KeyId: primary.KeyId, Plaintext: new Uint8Array([5]) }, east)
      .CiphertextBlob as Uint8Array
    const replica = call('ReplicateKey', { KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }, east)
      .ReplicaKeyMetadata as { Arn: string }
    clock.advance(1)
    const state = () => call('DescribeKey', { KeyId: primary.KeyId }, west).KeyMetadata
    expect(state()).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL', Enabled: false })
    const e = failure(() => call('Decrypt', { CiphertextBlob: ct }, west))
    expect([e.name, e.message]).toEqual(['KMSInvalidStateException', `${replica.Arn} is pending import.`])
    // Only the same material (multi-region-keys-import.html), with its own expiry.
    expect(failure(() => importInto(west, randomBytes(32))).name).toBe('IncorrectKeyMaterialException')
    const validTo = new Date(clock.now() + 2 * DAY)
    expect(
      importInto(west, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }).KeyMaterialId,
    ).toBe(id)
    expect(state()).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo })
    expect(call('DescribeKey', { KeyId: primary.KeyId }, east).KeyMetadata?.ExpirationModel).toBe(
      'KEY_MATERIAL_DOES_NOT_EXPIRE',
    )
    expect([...(call('Decrypt', { CiphertextBlob: ct }, west).Plaintext as Uint8Array)]).toEqual([5])
    // Deleting the primary's material leaves the replica's alone; the replica's expiry is its own.
    call('DeleteImportedKeyMaterial', { KeyId: primary.KeyId }, east)
    expect(call('DescribeKey', { KeyId: primary.KeyId }, east).KeyMetadata?.KeyState).toBe('PendingImport')
    expect([...(call('Decrypt', { CiphertextBlob: ct }, west).Plaintext as Uint8Array)]).toEqual([5])
    clock.advance(2 * DAY)
    expect(state()?.KeyState).toBe('PendingImport')
  })
})
