/**
 * How a quota pool appears in Service Quotas: the quota's name (as in the Service Quotas
 * console and the table of https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html),
 * its quota code where AWS documents it, and the AWS CLI commands of an increase request.
 *
 * AWS documents one KMS quota code: `L-2AC98190` for "Cryptographic operations (RSA) request
 * rate" (https://docs.aws.amazon.com/kms/latest/developerguide/increase-quota.html). For the
 * others the documented way is to look the code up by name with `list-service-quotas`, which
 * is what the generated command does. Custom key store quotas are not adjustable and not in
 * Service Quotas.
 */
import { API_POOL_PREFIX, CUSTOM_KEY_STORE_POOL, HOT_KEY_POOL, KEY_PAIR_POOL_PREFIX } from '../quota/index.ts'

/** Quota codes AWS documents. */
const DOCUMENTED_CODES: Readonly<Record<string, string>> = {
  'Cryptographic operations (RSA) request rate': 'L-2AC98190',
}

const SHARED_NAMES: Readonly<Record<string, string>> = {
  symmetric: 'Cryptographic operations (symmetric) request rate',
  rsa: 'Cryptographic operations (RSA) request rate',
  ecc: 'Cryptographic operations (ECC and SM2) request rate',
  'ml-dsa': 'Cryptographic operations (ML-DSA) request rate',
}

/** A pool as Service Quotas knows it. */
export interface ServiceQuota {
  /** the quota name in the Service Quotas console, e.g. `Cryptographic operations (symmetric) request rate` */
  readonly name: string
  /** the quota code when AWS documents it (else look it up by name) */
  readonly code: string | undefined
  /** false for quotas Service Quotas cannot raise */
  readonly adjustable: boolean
}

/** The Service Quotas quota of a pool; `undefined` for pools that are not AWS quotas (hot-key throttling). */
export function serviceQuotaOf(pool: string): ServiceQuota | undefined {
  const shared = SHARED_NAMES[pool]
  if (shared !== undefined) return { name: shared, code: DOCUMENTED_CODES[shared], adjustable: true }
  if (pool.startsWith(API_POOL_PREFIX)) {
    const name = `${pool.slice(API_POOL_PREFIX.length)} request rate`
    return { name, code: DOCUMENTED_CODES[name], adjustable: true }
  }
  if (pool.startsWith(KEY_PAIR_POOL_PREFIX)) {
    const spec = pool.slice(KEY_PAIR_POOL_PREFIX.length)
    return {
      name: `GenerateDataKeyPair (${spec === 'SM2' ? 'SM2 — China Regions only' : spec}) request rate`,
      code: undefined,
      adjustable: true,
    }
  }
  if (pool === CUSTOM_KEY_STORE_POOL || pool.startsWith(`${CUSTOM_KEY_STORE_POOL}:`))
    return { name: 'Custom key store request quota', code: undefined, adjustable: false }
  if (pool === HOT_KEY_POOL) return undefined
  return undefined
}

/**
 * The AWS CLI commands that request `desiredValue` for a pool in a Region: with the
 * documented quota code, or first looking the code up by the quota's name.
 */
export function increaseCommand(quota: ServiceQuota, region: string, desiredValue: number): string {
  const request = (code: string): string =>
    `aws service-quotas request-service-quota-increase --service-code kms --quota-code ${code} --desired-value ${desiredValue} --region ${region}`
  if (quota.code !== undefined) return request(quota.code)
  const lookup = `aws service-quotas list-service-quotas --service-code kms --region ${region} --query "Quotas[?QuotaName=='${quota.name}'].QuotaCode" --output text`
  return `${request(`"$(${lookup})"`)}`
}
