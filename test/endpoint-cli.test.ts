/**
 * The real `bin/kms-bench.mjs serve` child process, driven by the AWS SDK for JavaScript,
 * boto3 and the AWS CLI from the machine's Python (the boto3/CLI parts skip, saying why,
 * where python3/boto3 or `aws` is missing).
 */
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  KMSServiceException,
  NotFoundException,
} from '@aws-sdk/client-kms'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pythonUnavailableReason } from './support/moto.ts'
import { localClient } from './support/sdk-script.ts'
import { startServeChild, type ServeChild } from './support/serve-child.ts'

const run = promisify(execFile)
const pythonReason = pythonUnavailableReason()
const awsCliReason = (() => {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8', timeout: 60_000 })
  return r.error !== undefined || r.status !== 0
    ? `the AWS CLI (aws) is not available: ${r.error?.message ?? r.stderr}`
    : undefined
})()
if (pythonReason !== undefined) console.warn(`endpoint-cli: boto3 tests skipped: ${pythonReason}`)
if (awsCliReason !== undefined) console.warn(`endpoint-cli: AWS CLI tests skipped: ${awsCliReason}`)

let dir: string
let server: ServeChild

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-cli-'))
  await writeFile(
    join(dir, 'seed.json'),
    JSON.stringify({ keys: [{ aliases: ['alias/seeded'], description: 'seeded at start', account: '123456789012' }] }),
  )
  server = await startServeChild([
    '--account',
    '123456789012',
    '--quota',
    'symmetric=3',
    '--audit',
    join(dir, 'audit.jsonl'),
    '--seed',
    join(dir, 'seed.json'),
  ])
})
afterAll(async () => {
  await server?.stop('SIGKILL').catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

describe('kms-bench serve child process with the JavaScript SDK', () => {
  it('serves seeded keys and modeled errors as SDK classes', async () => {
    const kms = localClient(server.url)
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/seeded' }))).KeyMetadata).toMatchObject({
      Description: 'seeded at start',
      AWSAccountId: '123456789012',
    })
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' }))).rejects.toBeInstanceOf(NotFoundException)
    kms.destroy()
  })

  it('throttles at the --quota and the SDK retries with its standard strategy', async () => {
    const kms = new KMSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    })
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, () =>
        kms.send(new EncryptCommand({ KeyId: 'alias/seeded', Plaintext: Buffer.from('x') })),
      ),
    )
    kms.destroy()
    const ok = results.filter((r) => r.status === 'fulfilled')
    expect(ok.some((r) => (r.value.$metadata.attempts ?? 1) > 1)).toBe(true)
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(KMSServiceException)
        expect((r.reason as Error).name).toBe('ThrottlingException')
      }
    }
  })
})

describe.skipIf(pythonReason !== undefined)('kms-bench serve child process with boto3', () => {
  it('runs a boto3 script: keys, crypto, aliases, errors as ClientError codes, moto-style reset', async () => {
    const script = `
import json, sys, urllib.request
import boto3
from botocore.exceptions import ClientError
url = sys.argv[1]
kms = boto3.client('kms', endpoint_url=url, region_name='eu-west-1', aws_access_key_id='testing', aws_secret_access_key='testing')
out = {}
key = kms.create_key(Description='from boto3', Tags=[{'TagKey': 'lang', 'TagValue': 'python'}])['KeyMetadata']
out['arn'] = key['Arn']
out['creation_is_datetime'] = type(key['CreationDate']).__name__
kms.create_alias(AliasName='alias/boto3', TargetKeyId=key['KeyId'])
ct = kms.encrypt(KeyId='alias/boto3', Plaintext=b'hello boto3', EncryptionContext={'app': 'test'})['CiphertextBlob']
out['plaintext'] = kms.decrypt(CiphertextBlob=ct, EncryptionContext={'app': 'test'})['Plaintext'].decode()
dk = kms.generate_data_key(KeyId=key['KeyId'], KeySpec='AES_256')
out['data_key_len'] = len(dk['Plaintext'])
out['aliases'] = [a['AliasName'] for a in kms.list_aliases()['Aliases'] if not a['AliasName'].startswith('alias/aws/')]
out['tags'] = kms.list_resource_tags(KeyId=key['KeyId'])['Tags']
try:
    kms.describe_key(KeyId='alias/missing')
except ClientError as e:
    out['missing'] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
try:
    kms.decrypt(CiphertextBlob=ct, EncryptionContext={'app': 'other'})
except kms.exceptions.InvalidCiphertextException as e:
    out['wrong_context'] = e.response['Error']['Code']
req = urllib.request.Request(url + '/moto-api/reset', method='POST')
out['reset'] = json.loads(urllib.request.urlopen(req).read())
out['after_reset'] = len(kms.list_keys()['Keys'])
print(json.dumps(out))
`
    await writeFile(join(dir, 'boto3_script.py'), script)
    // A separate server: the moto-style reset at the end clears everything.
    const own = await startServeChild([])
    try {
      const { stdout } = await run('python3', [join(dir, 'boto3_script.py'), own.url], { timeout: 60_000 })
      const out = JSON.parse(stdout) as Record<string, unknown>
      expect(out['arn']).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//)
      expect(out['creation_is_datetime']).toBe('datetime')
      expect(out['plaintext']).toBe('hello boto3')
      expect(out['data_key_len']).toBe(32)
      expect(out['aliases']).toEqual(['alias/boto3'])
      expect(out['tags']).toEqual([{ TagKey: 'lang', TagValue: 'python' }])
      expect(out['missing']).toEqual(['NotFoundException', 400])
      expect(out['wrong_context']).toBe('InvalidCiphertextException')
      expect(out['reset']).toEqual({ status: 'ok' })
      expect(out['after_reset']).toBe(0)
    } finally {
      expect(await own.stop()).toBe(0)
    }
  })
})

describe.skipIf(awsCliReason !== undefined)('kms-bench serve child process with the AWS CLI', () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  }

  it('works with --endpoint-url and with AWS_ENDPOINT_URL_KMS', async () => {
    const created = await run(
      'aws',
      ['kms', 'create-key', '--description', 'from the cli', '--endpoint-url', server.url, '--output', 'json'],
      { env, timeout: 60_000 },
    )
    const key = (JSON.parse(created.stdout) as { KeyMetadata: { KeyId: string; Arn: string } }).KeyMetadata
    expect(key.Arn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//)
    await writeFile(join(dir, 'plain.txt'), 'hello cli')
    const enc = await run(
      'aws',
      ['kms', 'encrypt', '--key-id', key.KeyId, '--plaintext', `fileb://${join(dir, 'plain.txt')}`, '--output', 'json'],
      {
        env: { ...env, AWS_ENDPOINT_URL_KMS: server.url },
        timeout: 60_000,
      },
    )
    const blob = (JSON.parse(enc.stdout) as { CiphertextBlob: string }).CiphertextBlob
    await writeFile(join(dir, 'ct.bin'), Buffer.from(blob, 'base64'))
    const dec = await run(
      'aws',
      [
        'kms',
        'decrypt',
        '--ciphertext-blob',
        `fileb://${join(dir, 'ct.bin')}`,
        '--endpoint-url',
        server.url,
        '--output',
        'json',
      ],
      { env, timeout: 60_000 },
    )
    expect(Buffer.from((JSON.parse(dec.stdout) as { Plaintext: string }).Plaintext, 'base64').toString()).toBe(
      'hello cli',
    )
  })

  it('reports errors with their code and a non-zero exit', async () => {
    const err = await run('aws', ['kms', 'describe-key', '--key-id', 'alias/missing', '--endpoint-url', server.url], {
      env,
      timeout: 60_000,
    }).catch((e: { code: number; stderr: string }) => e)
    expect((err as { code: number }).code).not.toBe(0)
    expect((err as { stderr: string }).stderr).toContain('(NotFoundException)')
  })
})

describe('kms-bench serve child process shutdown', () => {
  it('exits 0 on SIGTERM and has written the audit log as JSON lines', async () => {
    const kms = localClient(server.url)
    await kms.send(new CreateKeyCommand({}))
    kms.destroy()
    expect(await server.stop('SIGTERM')).toBe(0)
    const events = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventName: string; errorCode?: string; recipientAccountId: string })
    expect(events.some((e) => e.eventName === 'CreateKey' && e.errorCode === undefined)).toBe(true)
    expect(events.some((e) => e.errorCode === 'ThrottlingException')).toBe(true)
    expect(events.every((e) => e.recipientAccountId === '123456789012')).toBe(true)
  })
})
