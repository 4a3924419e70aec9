/**
 * Key ids, ARNs and alias names (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id).
 */
import { randomUUID, randomBytes } from 'node:crypto'
import { partitionOf } from '../regions.ts'

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MRK_RE = /^mrk-[0-9a-f]{32}$/
const ACCOUNT_RE = /^\d{12}$/

/** A new single-Region key id (UUID) or multi-Region key id (`mrk-` + 32 hex). */
export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID()
}

/** True for a well-formed key id (UUID or `mrk-` id). */
export function isKeyId(s: string): boolean {
  return UUID_RE.test(s) || MRK_RE.test(s)
}

/**
 * {@link isKeyId} remembering the last well-formed id it saw: load runs name the same few keys
 * on every call, and a string compare costs a fraction of the two regular expressions (which
 * were most of resolving a KeyId). One per core.
 */
export class KeyIdCheck {
  #last: string | undefined

  /** Same answer as {@link isKeyId}. */
  isKeyId(s: string): boolean {
    if (s === this.#last) return true
    if (!isKeyId(s)) return false
    this.#last = s
    return true
  }
}

/** True for a 12-digit AWS account id. */
export function isAccountId(s: string): boolean {
  return ACCOUNT_RE.test(s)
}

/** `arn:<partition>:kms:<region>:<account>:key/<id>` */
export function keyArn(region: string, account: string, keyId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${account}:key/${keyId}`
}

/** `arn:<partition>:kms:<region>:<account>:alias/<name>` (`aliasName` includes the `alias/` prefix). */
export function aliasArn(region: string, account: string, aliasName: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${account}:${aliasName}`
}

/** A parsed KMS ARN. */
export interface KmsArn {
  partition: string
  region: string
  account: string
  /** `key` or `alias` */
  resourceType: 'key' | 'alias'
  /** key id, or alias name including `alias/` */
  resource: string
}

/** Parses a KMS key or alias ARN; `undefined` when `s` is not one. */
export function parseKmsArn(s: string): KmsArn | undefined {
  if (!s.startsWith('arn:')) return undefined
  const parts = s.split(':')
  if (parts.length < 6 || parts[2] !== 'kms') return undefined
  const [, partition, , region, account] = parts as [string, string, string, string, string]
  const rest = parts.slice(5).join(':')
  if (rest.startsWith('key/')) return { partition, region, account, resourceType: 'key', resource: rest.slice(4) }
  if (rest.startsWith('alias/')) return { partition, region, account, resourceType: 'alias', resource: rest }
  return undefined
}

/** True for names reserved for AWS managed keys (`alias/aws/...`). */
export function isReservedAliasName(name: string): boolean {
  return name.startsWith('alias/aws/')
}

/** The IAM root principal of an account. */
export function rootArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:root`
}
