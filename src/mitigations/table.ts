/**
 * The built-in mitigations as a read-only table, so a scenario can name one declaratively
 * (`{ name: 'data-key-cache', maxAge: '5m' }`) instead of calling its factory. The CLI, the
 * bench and the package entry point pass it to `defineScenario` / scenario loading; nothing
 * registers on import. The client retry layer is not here: variants set it with `retry`.
 */
import { mitigationTable, type MitigationTable } from '../load/index.ts'
import { accountSharding } from './account-sharding.ts'
import { dataKeyCache } from './data-key-cache.ts'
import { dataKeyPool } from './data-key-pool.ts'
import { hierarchicalKeyring } from './hierarchical-keyring.ts'
import { multiRegion } from './multi-region.ts'
import { quotaIncrease } from './quota-increase.ts'
import { s3BucketKeys } from './s3-bucket-keys.ts'
import { singleFlight } from './single-flight.ts'
import { stormTrackingCache } from './storm-tracking-cache.ts'

/** kms-bench's mitigations by name (each factory validates its options; bad ones become problems with their paths). */
export const BUILT_IN_MITIGATIONS: MitigationTable = mitigationTable({
  'account-sharding': accountSharding,
  'data-key-cache': dataKeyCache,
  'data-key-pool': dataKeyPool,
  'hierarchical-keyring': hierarchicalKeyring,
  'multi-region': multiRegion,
  'quota-increase': quotaIncrease,
  's3-bucket-keys': s3BucketKeys,
  'single-flight': singleFlight,
  'storm-tracking-cache': stormTrackingCache,
})
