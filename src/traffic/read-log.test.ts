import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { CloudTrailFormatError } from './cloudtrail-event.ts'
import { readTrailFile } from './read-log.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'

// The documented GenerateDataKey example (ct-generatedatakey), trimmed.
const record = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventVersion: '1.11',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice', accountId: '111122223333' },
  eventTime: '2025-05-20T20:46:16Z',
  eventSource: 'kms.amazonaws.com',
  eventName: 'GenerateDataKey',
  awsRegion: 'us-east-1',
  requestParameters: {
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keySpec: 'AES_256',
    encryptionContext: { Project: 'Alpha' },
  },
  resources: [{ ARN: KEY, accountId: '111122223333' }],
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
  ...over,
})

describe('readTrailFile', () => {
  it('reads S3-delivered files, gzipped or not, and keeps only KMS API calls', () => {
    const doc = JSON.stringify({
      Records: [
        record(),
        record({ eventSource: 's3.amazonaws.com', eventName: 'PutObject' }),
        record({
          eventType: 'AwsServiceEvent',
          eventName: 'RotateKey',
          userIdentity: { accountId: '111122223333', invokedBy: 'AWS Internal' },
        }),
        record({ errorCode: 'ThrottlingException', eventName: 'Decrypt' }),
      ],
    })
    for (const bytes of [enc(doc), gzipSync(doc)]) {
      const r = readTrailFile(bytes, 'f.json')
      expect(r.otherServices).toBe(1)
      expect(r.serviceEvents).toBe(1)
      expect(r.events.map((e) => [e.operation, e.throttled, e.keyArn, e.second])).toEqual([
        ['GenerateDataKey', false, KEY, Date.parse('2025-05-20T20:46:16Z') / 1000],
        ['Decrypt', true, KEY, Date.parse('2025-05-20T20:46:16Z') / 1000],
      ])
      // The context is kept as a fingerprint only.
      expect(JSON.stringify(r.events)).not.toContain('Alpha')
    }
  })

  it('builds the key ARN from a bare key id and names the S3 caller', () => {
    const r = readTrailFile(
      enc(
        JSON.stringify([
          record({
            resources: undefined,
            userIdentity: {
              type: 'AssumedRole',
              arn: 'arn:aws:sts::111122223333:assumed-role/app/s',
              accountId: '111122223333',
              invokedBy: 's3.amazonaws.com',
            },
          }),
        ]),
      ),
      'a.json',
    )
    expect(r.events[0]?.keyArn).toBe(KEY)
    expect(r.events[0]?.invokedBy).toBe('s3.amazonaws.com')
  })

  it('reads Athena CSV with struct columns and CloudTrail Lake CSV with flattened columns', () => {
    const athena = [
      'eventversion,useridentity,eventtime,eventsource,eventname,awsregion,errorcode,requestparameters,resources,recipientaccountid',
      `1.11,"{type=AssumedRole, principalid=AROA:fn, arn=arn:aws:sts::444455556666:assumed-role/consumer/fn, accountid=444455556666, invokedby=null, sessioncontext={attributes={mfaauthenticated=false}}}",2025-05-20T20:46:17Z,kms.amazonaws.com,Decrypt,us-east-1,ThrottlingException,"{""encryptionContext"":{""a"":""b""}}","[{arn=${KEY}, accountid=111122223333, type=AWS::KMS::Key}]",111122223333`,
    ].join('\n')
    const a = readTrailFile(enc(athena), 'athena.csv')
    expect(a.events).toHaveLength(1)
    expect(a.events[0]).toMatchObject({ operation: 'Decrypt', account: '444455556666', keyArn: KEY, throttled: true })
    const lake = [
      'eventTime,eventSource,eventName,awsRegion,userIdentity.arn,userIdentity.accountId,userIdentity.invokedBy,requestParameters,errorCode',
      `2025-05-20 20:46:18.000,kms.amazonaws.com,GenerateDataKey,eu-west-1,arn:aws:iam::111122223333:user/Bob,111122223333,s3.amazonaws.com,"{""keyId"":""${KEY.replace('us-east-1', 'eu-west-1')}""}",`,
    ].join('\n')
    const l = readTrailFile(enc(lake), 'lake.csv')
    expect(l.events[0]).toMatchObject({
      operation: 'GenerateDataKey',
      region: 'eu-west-1',
      invokedBy: 's3.amazonaws.com',
      throttled: false,
    })
  })

  it('names the file and record of malformed input', () => {
    const bad = (text: string, name: string): string => {
      try {
        readTrailFile(enc(text), name)
      } catch (e) {
        expect(e).toBeInstanceOf(CloudTrailFormatError)
        return (e as Error).message
      }
      throw new Error('no error')
    }
    expect(bad('{"Records": [{"eventSource":"kms.amazonaws.com","eventName":"Decrypt"}]}', 'x.json')).toBe(
      'x.json: Records[0]: has no awsRegion',
    )
    expect(bad(JSON.stringify({ Records: [record({ eventTime: 'yesterday' })] }), 'y.json')).toContain(
      "y.json: Records[0]: eventTime 'yesterday' is not an ISO 8601 time",
    )
    expect(bad('{"foo": 1}', 'z.json')).toContain('z.json: has no "Records" array')
    expect(bad('{"Records": [', 'w.json')).toContain('w.json: is not valid JSON')
    expect(bad('a,b\n1,2\n', 'q.csv')).toContain('q.csv: is neither a CloudTrail JSON log nor a CSV')
    expect(() => readTrailFile(new Uint8Array([0x1f, 0x8b, 1, 2]), 'g.json.gz')).toThrow(
      /g.json.gz: is not a valid gzip file/,
    )
  })
})
