/**
 * The names AWS services give the resources whose keys they protect, and the encryption contexts
 * they call KMS with: SQS queues, DynamoDB tables, Secrets Manager secrets, Lambda functions,
 * EBS volumes (the kind-*.ts files of those services cite the AWS pages). The request kinds and
 * the fixtures made before the run (workload.ts `planFixtures`) both use them.
 */

/** A key's Region and account (where the resources are). */
interface Place {
  readonly region: string
  readonly account: string
}

/** The ARN of queue `q` of an SQS request (queue i is `<queue>-<i>` when there are several). */
export function sqsQueueArn(r: { queue: string; queues: number }, q: number, key: Place): string {
  return `arn:aws:sqs:${key.region}:${key.account}:${r.queues === 1 ? r.queue : `${r.queue}-${q}`}`
}

/** SQS's encryption context for queue `q`: `{"aws:sqs:arn": ARN}`. */
export function sqsContext(r: { queue: string; queues: number }, q: number, key: Place): Record<string, string> {
  return { 'aws:sqs:arn': sqsQueueArn(r, q, key) }
}

/** The name of table `t` of a DynamoDB request (table i is `<table>-<i>` when there are several). */
export function dynamodbTableName(r: { table: string; tables: number }, t: number): string {
  return r.tables === 1 ? r.table : `${r.table}-${t}`
}

/** DynamoDB's encryption context for table `t`: its name and the account (`subscriberId`). */
export function dynamodbContext(r: { table: string; tables: number }, t: number, key: Place): Record<string, string> {
  return { 'aws:dynamodb:tableName': dynamodbTableName(r, t), 'aws:dynamodb:subscriberId': key.account }
}

/** The encryption context Secrets Manager uses for secret `i`'s current version (ARN with its 6-character suffix). */
export function secretContext(r: { secret: string; secrets: number }, i: number, key: Place): Record<string, string> {
  const name = r.secrets === 1 ? r.secret : `${r.secret}-${i}`
  let h = 2166136261
  for (let j = 0; j < name.length; j++) h = Math.imul(h ^ name.charCodeAt(j), 16777619) >>> 0
  const suffix = h.toString(36).padStart(6, 'a').slice(-6)
  return {
    SecretARN: `arn:aws:secretsmanager:${key.region}:${key.account}:secret:${name}-${suffix}`,
    SecretVersionId: `${h.toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
  }
}

/** The encryption context of a Lambda function's environment variables. */
export function lambdaContext(fn: string, key: Place): Record<string, string> {
  return { 'aws:lambda:FunctionArn': `arn:aws:lambda:${key.region}:${key.account}:function:${fn}` }
}

/** The volume id of existing volume `i`, or of the `i`-th volume created in the run (`fresh`). */
export function ebsVolumeId(i: number, fresh = false): string {
  return `vol-${fresh ? '1' : '0'}${i.toString(16).padStart(16, '0')}`
}
