/**
 * DynamoDB with a customer managed key: the KMS calls follow the connections, not the requests.
 *
 * Sources: "Encryption at rest: how it works", table key caching
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html):
 * "DynamoDB caches the plaintext table keys for each connection in memory. If DynamoDB gets a
 * request for the cached table key after five minutes of inactivity, it sends a new request to
 * AWS KMS to decrypt the table key"; the KMS guide's DynamoDB page
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html): the Decrypt is
 * made as the principal accessing the table, `invokedBy` `dynamodb.amazonaws.com`, with context
 * `aws:dynamodb:tableName` and `aws:dynamodb:subscriberId`. What teams hit: aws/aws-sdk-go-v2#2129
 * (one client used from 25 goroutines: 25 connections, close to 25 Decrypts every 5 minutes
 * instead of 1) and awslabs/fhir-works-on-aws-deployment#639 (an SDK without keep-alive: a new
 * connection and a Decrypt per request, "~3k USD" a month of KMS at about 5 requests/s).
 *
 * The workload: 40 hosts of a Go service reading and writing one table at 500 requests/s for
 * 10 minutes (300,000 requests). Hand-worked: one connection per host keeps one table key each,
 * never idle for 5 minutes: 40 Decrypts. 25 connections per host (the goroutines of #2129):
 * 40 × 25 = 1,000. The same with the older wording (the key refreshed every 5 minutes on an
 * active connection): 2,000 in 10 minutes. No keep-alive: 300,000, one per request, 500/s, a
 * twentieth of ca-central-1's 10,000/s quota and about $3,900 a month of KMS requests for one
 * table's traffic.
 *
 * Run: npx kms-bench run scenarios/dynamodb-cmk.ts
 */
import { defineScenario } from 'kms-bench'

/** The service's DynamoDB requests with a given client configuration. */
const requests = (
  connections: number,
  options: { keepAlive?: boolean; tableKeyRefresh?: 'inactivity' | 'periodic' } = {},
) => [{ kind: 'dynamodb' as const, key: 'table-key', table: 'orders', connections, ...options }]

export default defineScenario({
  name: 'dynamodb-cmk',
  description: 'DynamoDB encrypted under a customer managed key: table-key Decrypts per connection',
  region: 'ca-central-1',
  duration: '10m',
  seed: 43,
  keys: [{ name: 'table-key', alias: 'alias/orders-table' }],
  principals: ['arn:aws:iam::111122223333:role/orders-service'],
  fleet: { hosts: 40 },
  arrivals: { shape: 'constant', rate: 500 },
  requests: requests(1),
  variants: [
    { name: 'one-connection', description: 'one keep-alive connection per host' },
    {
      name: 'goroutines-25',
      description: 'one client used from 25 goroutines: 25 connections per host (aws/aws-sdk-go-v2#2129)',
      requests: requests(25),
    },
    {
      name: 'goroutines-25-periodic',
      description: '25 connections, table key refreshed every 5 minutes while active (older AWS wording)',
      requests: requests(25, { tableKeyRefresh: 'periodic' }),
    },
    {
      name: 'no-keep-alive',
      description: 'a new connection per request (awslabs/fhir-works-on-aws-deployment#639)',
      requests: requests(1, { keepAlive: false }),
    },
  ],
})
