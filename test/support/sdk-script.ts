/**
 * One script of KMS calls through the real `@aws-sdk/client-kms`, run against any endpoint
 * (ours, moto's server): each step records whether it behaved as real KMS does (success with
 * the right shape, or the right error class). Used to keep our client-facing behaviour at
 * least as compatible as moto's, and as a broad smoke test of the endpoint.
 */
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisabledException,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  InvalidCiphertextException,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms'

/** The outcome of one step. */
export interface StepOutcome {
  readonly step: string
  /** True when the endpoint behaved as real KMS does. */
  readonly pass: boolean
  /** What happened, for the comparison table. */
  readonly detail: string
}

/** A KMS client for a local endpoint: fixed credentials and Region, no retries unless asked. */
export function localClient(
  endpoint: string,
  options: { region?: string; accessKeyId?: string; secretAccessKey?: string; maxAttempts?: number } = {},
): KMSClient {
  return new KMSClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: {
      accessKeyId: options.accessKeyId ?? 'testing',
      secretAccessKey: options.secretAccessKey ?? 'testing',
    },
    maxAttempts: options.maxAttempts ?? 1,
  })
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const same = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && Buffer.from(a).equals(Buffer.from(b))

/** Runs the script against `kms`; never throws (a failing step is recorded). */
export async function runSdkScript(kms: KMSClient, tag: string): Promise<StepOutcome[]> {
  const out: StepOutcome[] = []
  const ctx: {
    keyId?: string
    arn?: string
    other?: string
    ct?: Uint8Array
    rsa?: string
    hmac?: string
    grantId?: string
  } = {}
  async function step(name: string, f: () => Promise<boolean | string>): Promise<void> {
    try {
      const r = await f()
      out.push({ step: name, pass: r === true, detail: r === true ? 'ok' : r === false ? 'wrong result' : r })
    } catch (e) {
      out.push({ step: name, pass: false, detail: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 160) })
    }
  }
  async function expectError(
    name: string,
    cls: abstract new (...args: never[]) => Error,
    errorName: string,
    f: () => Promise<unknown>,
  ): Promise<void> {
    await step(name, async () => {
      try {
        await f()
        return `succeeded, expected ${errorName}`
      } catch (e) {
        if (e instanceof cls && (e as Error).name === errorName) return true
        return `${(e as Error).name} (${e instanceof cls ? 'right class' : 'not the SDK class'}): ${(e as Error).message}`.slice(
          0,
          160,
        )
      }
    })
  }
  async function expectErrorName(name: string, errorName: string, f: () => Promise<unknown>): Promise<void> {
    await step(name, async () => {
      try {
        await f()
        return `succeeded, expected ${errorName}`
      } catch (e) {
        return (e as Error).name === errorName ? true : `${(e as Error).name}: ${(e as Error).message}`.slice(0, 160)
      }
    })
  }

  await step('CreateKey', async () => {
    const r = await kms.send(new CreateKeyCommand({ Description: `script ${tag}` }))
    ctx.keyId = r.KeyMetadata?.KeyId
    ctx.arn = r.KeyMetadata?.Arn
    return (
      r.KeyMetadata?.KeyState === 'Enabled' &&
      r.KeyMetadata.CreationDate instanceof Date &&
      r.KeyMetadata.Arn?.endsWith(`key/${ctx.keyId}`) === true
    )
  })
  await step(
    'DescribeKey by id',
    async () => (await kms.send(new DescribeKeyCommand({ KeyId: ctx.keyId }))).KeyMetadata?.Arn === ctx.arn,
  )
  await step(
    'DescribeKey by ARN',
    async () => (await kms.send(new DescribeKeyCommand({ KeyId: ctx.arn }))).KeyMetadata?.KeyId === ctx.keyId,
  )
  await step('CreateAlias', async () => {
    await kms.send(new CreateAliasCommand({ AliasName: `alias/script-${tag}`, TargetKeyId: ctx.keyId }))
    return true
  })
  await step(
    'DescribeKey by alias',
    async () =>
      (await kms.send(new DescribeKeyCommand({ KeyId: `alias/script-${tag}` }))).KeyMetadata?.KeyId === ctx.keyId,
  )
  await step('ListAliases', async () =>
    ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).some(
      (a) => a.AliasName === `alias/script-${tag}` && a.TargetKeyId === ctx.keyId,
    ),
  )
  await step('Encrypt with encryption context', async () => {
    const r = await kms.send(
      new EncryptCommand({
        KeyId: `alias/script-${tag}`,
        Plaintext: enc('hello'),
        EncryptionContext: { purpose: 'test' },
      }),
    )
    ctx.ct = r.CiphertextBlob
    return r.CiphertextBlob instanceof Uint8Array && r.KeyId === ctx.arn
  })
  await step('Decrypt', async () => {
    const r = await kms.send(new DecryptCommand({ CiphertextBlob: ctx.ct, EncryptionContext: { purpose: 'test' } }))
    return same(r.Plaintext, enc('hello')) && r.KeyId === ctx.arn
  })
  await expectError('Decrypt with the wrong context', InvalidCiphertextException, 'InvalidCiphertextException', () =>
    kms.send(new DecryptCommand({ CiphertextBlob: ctx.ct, EncryptionContext: { purpose: 'other' } })),
  )
  await step('GenerateDataKey + Decrypt', async () => {
    const r = await kms.send(new GenerateDataKeyCommand({ KeyId: ctx.keyId, KeySpec: 'AES_256' }))
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob }))
    return r.Plaintext?.length === 32 && same(d.Plaintext, r.Plaintext as Uint8Array)
  })
  await step('GenerateDataKeyWithoutPlaintext', async () => {
    const r = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: ctx.keyId, NumberOfBytes: 16 }))
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob }))
    return d.Plaintext?.length === 16
  })
  await step(
    'GenerateRandom',
    async () => (await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))).Plaintext?.length === 64,
  )
  await step('ReEncrypt to another key', async () => {
    ctx.other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId
    const r = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: ctx.ct,
        SourceEncryptionContext: { purpose: 'test' },
        DestinationKeyId: ctx.other,
      }),
    )
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob }))
    return same(d.Plaintext, enc('hello')) && d.KeyId?.endsWith(ctx.other ?? '?') === true
  })
  await expectError('DescribeKey of a missing key', NotFoundException, 'NotFoundException', () =>
    kms.send(new DescribeKeyCommand({ KeyId: '00000000-1111-2222-3333-444444444444' })),
  )
  await expectError('DescribeKey of a missing alias', NotFoundException, 'NotFoundException', () =>
    kms.send(new DescribeKeyCommand({ KeyId: 'alias/does-not-exist' })),
  )
  await step('DisableKey', async () => {
    await kms.send(new DisableKeyCommand({ KeyId: ctx.keyId }))
    return (await kms.send(new DescribeKeyCommand({ KeyId: ctx.keyId }))).KeyMetadata?.KeyState === 'Disabled'
  })
  await expectError('Encrypt under a disabled key', DisabledException, 'DisabledException', () =>
    kms.send(new EncryptCommand({ KeyId: ctx.keyId, Plaintext: enc('x') })),
  )
  await step('EnableKey', async () => {
    await kms.send(new EnableKeyCommand({ KeyId: ctx.keyId }))
    return (await kms.send(new DescribeKeyCommand({ KeyId: ctx.keyId }))).KeyMetadata?.Enabled === true
  })
  await step('TagResource / ListResourceTags / UntagResource', async () => {
    await kms.send(
      new TagResourceCommand({
        KeyId: ctx.keyId,
        Tags: [
          { TagKey: 'team', TagValue: 'pay' },
          { TagKey: 'env', TagValue: 'test' },
        ],
      }),
    )
    await kms.send(new UntagResourceCommand({ KeyId: ctx.keyId, TagKeys: ['env'] }))
    const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: ctx.keyId }))).Tags ?? []
    return tags.length === 1 && tags[0]?.TagKey === 'team' && tags[0]?.TagValue === 'pay'
  })
  await step('EnableKeyRotation / GetKeyRotationStatus', async () => {
    await kms.send(new EnableKeyRotationCommand({ KeyId: ctx.keyId }))
    return (await kms.send(new GetKeyRotationStatusCommand({ KeyId: ctx.keyId }))).KeyRotationEnabled === true
  })
  await step('UpdateKeyDescription', async () => {
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: ctx.keyId, Description: 'changed' }))
    return (await kms.send(new DescribeKeyCommand({ KeyId: ctx.keyId }))).KeyMetadata?.Description === 'changed'
  })
  await step('GetKeyPolicy / PutKeyPolicy', async () => {
    const p = (await kms.send(new GetKeyPolicyCommand({ KeyId: ctx.keyId, PolicyName: 'default' }))).Policy
    const doc = JSON.parse(p ?? '{}') as { Statement?: unknown[] }
    if (!Array.isArray(doc.Statement)) return 'default policy is not a policy document'
    const account = ctx.arn?.split(':')[4]
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'root',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    })
    await kms.send(new PutKeyPolicyCommand({ KeyId: ctx.keyId, PolicyName: 'default', Policy: policy }))
    return (
      JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: ctx.keyId, PolicyName: 'default' }))).Policy ?? '{}')
        .Statement[0].Sid === 'root'
    )
  })
  await step('ListKeys', async () =>
    ((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? []).some((k) => k.KeyId === ctx.keyId),
  )
  await step('CreateGrant / ListGrants / RevokeGrant', async () => {
    const account = ctx.arn?.split(':')[4]
    const g = await kms.send(
      new CreateGrantCommand({
        KeyId: ctx.keyId,
        GranteePrincipal: `arn:aws:iam::${account}:role/app`,
        Operations: ['Encrypt', 'Decrypt'],
      }),
    )
    ctx.grantId = g.GrantId
    const listed = ((await kms.send(new ListGrantsCommand({ KeyId: ctx.keyId }))).Grants ?? []).some(
      (x) => x.GrantId === g.GrantId,
    )
    await kms.send(new RevokeGrantCommand({ KeyId: ctx.keyId, GrantId: g.GrantId }))
    const gone = !((await kms.send(new ListGrantsCommand({ KeyId: ctx.keyId }))).Grants ?? []).some(
      (x) => x.GrantId === g.GrantId,
    )
    return typeof g.GrantToken === 'string' && listed && gone
  })
  await step('RSA Sign / Verify / GetPublicKey', async () => {
    ctx.rsa = (
      await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))
    ).KeyMetadata?.KeyId
    const s = await kms.send(
      new SignCommand({ KeyId: ctx.rsa, Message: enc('msg'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
    )
    const v = await kms.send(
      new VerifyCommand({
        KeyId: ctx.rsa,
        Message: enc('msg'),
        Signature: s.Signature,
        SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      }),
    )
    const pk = await kms.send(new GetPublicKeyCommand({ KeyId: ctx.rsa }))
    return v.SignatureValid === true && (pk.PublicKey?.length ?? 0) > 200
  })
  await step('HMAC GenerateMac / VerifyMac', async () => {
    ctx.hmac = (
      await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))
    ).KeyMetadata?.KeyId
    const m = await kms.send(
      new GenerateMacCommand({ KeyId: ctx.hmac, Message: enc('msg'), MacAlgorithm: 'HMAC_SHA_256' }),
    )
    const v = await kms.send(
      new VerifyMacCommand({ KeyId: ctx.hmac, Message: enc('msg'), Mac: m.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    )
    return v.MacValid === true
  })
  await step('ScheduleKeyDeletion / CancelKeyDeletion', async () => {
    const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: ctx.other, PendingWindowInDays: 7 }))
    const pending =
      (await kms.send(new DescribeKeyCommand({ KeyId: ctx.other }))).KeyMetadata?.KeyState === 'PendingDeletion'
    await kms.send(new CancelKeyDeletionCommand({ KeyId: ctx.other }))
    const state = (await kms.send(new DescribeKeyCommand({ KeyId: ctx.other }))).KeyMetadata?.KeyState
    return s.DeletionDate instanceof Date && pending && state === 'Disabled'
  })
  await expectErrorName('GenerateDataKey with NumberOfBytes over 1024', 'ValidationException', () =>
    kms.send(new GenerateDataKeyCommand({ KeyId: ctx.keyId, NumberOfBytes: 2000 })),
  )
  await expectErrorName('ScheduleKeyDeletion with a 3-day window', 'ValidationException', () =>
    kms.send(new ScheduleKeyDeletionCommand({ KeyId: ctx.keyId, PendingWindowInDays: 3 })),
  )
  return out
}

/** A Markdown-ish table of two runs side by side. */
export function comparisonTable(
  a: readonly StepOutcome[],
  b: readonly StepOutcome[],
  nameA: string,
  nameB: string,
): string {
  const lines = [`| step | ${nameA} | ${nameB} |`, '| --- | --- | --- |']
  for (const s of a) {
    const o = b.find((x) => x.step === s.step)
    lines.push(
      `| ${s.step} | ${s.pass ? 'pass' : `FAIL ${s.detail}`} | ${o === undefined ? '-' : o.pass ? 'pass' : `FAIL ${o.detail}`} |`,
    )
  }
  return lines.join('\n')
}
