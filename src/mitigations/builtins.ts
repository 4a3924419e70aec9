/**
 * Registers the built-in mitigations by name, so a scenario can name one declaratively
 * (`{ name: 'data-key-cache', maxAge: '5m' }`) instead of calling its factory. Loaded by the
 * package entry point. The client retry layer is not here: variants set it with `retry`.
 */
import { registerMitigation, type MitigationFactory } from '../load/index.ts'
import { accountSharding } from './account-sharding.ts'
import { dataKeyCache } from './data-key-cache.ts'
import { dataKeyPool } from './data-key-pool.ts'
import { hierarchicalKeyring } from './hierarchical-keyring.ts'
import { multiRegion } from './multi-region.ts'
import { quotaIncrease } from './quota-increase.ts'
import { s3BucketKeys } from './s3-bucket-keys.ts'
import { singleFlight } from './single-flight.ts'
import { stormTrackingCache } from './storm-tracking-cache.ts'

// Options are validated by each factory (bad ones become problems with their paths).
const BUILT_INS: Record<string, MitigationFactory> = {
  'account-sharding': (o) => accountSharding(o as never),
  'data-key-cache': (o) => dataKeyCache(o as never),
  'data-key-pool': (o) => dataKeyPool(o as never),
  'hierarchical-keyring': (o) => hierarchicalKeyring(o as never),
  'multi-region': (o) => multiRegion(o as never),
  'quota-increase': (o) => quotaIncrease(o as never),
  's3-bucket-keys': (o) => s3BucketKeys(o as never),
  'single-flight': (o) => singleFlight(o as never),
  'storm-tracking-cache': (o) => stormTrackingCache(o as never),
}

for (const [name, factory] of Object.entries(BUILT_INS)) registerMitigation(name, factory)

/** Names of the built-in mitigations. */
export const BUILT_IN_MITIGATIONS: readonly string[] = Object.keys(BUILT_INS)
