/**
 * A multi-tenant service moving from per-message data keys (or the caching CMM) to the AWS KMS
 * Hierarchical keyring.
 *
 * Sources: the AWS Database Encryption SDK guide, "Hierarchical keyrings"
 * (https://docs.aws.amazon.com/database-encryption-sdk/latest/devguide/use-hierarchical-keyring.html);
 * awslabs/aws-encryption-sdk-specification `framework/aws-kms/aws-kms-hierarchical-keyring.md`
 * and `framework/branch-key-store.md` (per cache miss one DynamoDB GetItem + one KMS Decrypt;
 * a branch key costs 2 × GenerateDataKeyWithoutPlaintext + 1 × ReEncrypt + TransactWriteItems);
 * the caching CMM (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/data-key-caching.html).
 *
 * 40 hosts write and read 4 KiB records of 200 tenants (Zipf 1.1: a few tenants are most of the
 * traffic) at 12,000 requests/s in eu-west-3 (symmetric quota 10,000/s): with a data key per
 * message the quota is exceeded. The caching CMM needs an entry per host, tenant and direction
 * and keeps one data key for up to 5 minutes and 1,000 messages; the hierarchical keyring keeps
 * one branch key per tenant (a 15-minute TTL, its cache of 1,000 entries per host) and makes a new
 * data key per message locally: far fewer KMS calls, each data key protects one message, and
 * the DynamoDB reads of the branch key store are counted and priced beside the KMS calls.
 *
 * Variants: a data key per message; the caching CMM (5 min, 1,000 messages); the hierarchical
 * keyring with a branch key per tenant.
 *
 * Run: npx kms-bench run scenarios/hierarchical-keyring.ts
 */
import { dataKeyCache, defineScenario, hierarchicalKeyring } from 'kms-bench'

export default defineScenario({
  name: 'hierarchical-keyring',
  description: 'multi-tenant envelope encryption: per-message data keys vs caching CMM vs hierarchical keyring',
  region: 'eu-west-3',
  duration: '2m',
  seed: 31,
  keys: [{ name: 'records', alias: 'alias/records' }],
  principals: ['arn:aws:iam::111122223333:role/records-api'],
  fleet: { hosts: 40 },
  tenants: { count: 200, distribution: { zipf: 1.1 } },
  arrivals: { shape: 'constant', rate: 12_000 },
  requests: [
    { kind: 'envelope-encrypt', key: 'records', payloadBytes: 4096, context: { tenant: '{tenant}' }, weight: 40 },
    { kind: 'envelope-decrypt', key: 'records', payloadBytes: 4096, context: { tenant: '{tenant}' }, weight: 60 },
  ],
  variants: [
    { name: 'no-cache', description: 'a GenerateDataKey per record written, a Decrypt per record read' },
    {
      name: 'caching-cmm',
      description: 'caching CMM: 5 min, 1,000 messages per data key',
      mitigations: [dataKeyCache({ maxAge: '5m', maxMessagesEncrypted: 1000 })],
    },
    {
      name: 'hierarchical',
      description: 'hierarchical keyring: a branch key per tenant, 15-min TTL',
      mitigations: [hierarchicalKeyring({ ttl: '15m', branchKeys: 200 })],
    },
  ],
})
