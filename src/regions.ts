import { closestName } from './suggest.ts'

/**
 * AWS Regions and partitions. A leaf module shared by `kms/` (ARNs) and `quota/`
 * (per-Region profiles), so that a typo in a Region name is caught everywhere the same way.
 *
 * Source: https://docs.aws.amazon.com/general/latest/gr/kms.html (KMS endpoints per Region).
 */

/** Regions where KMS is offered, by partition. */
export const REGIONS = {
  aws: [
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-south-1',
    'eu-south-2',
    'eu-north-1',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
    'sa-east-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
} as const

/** An AWS partition name. */
export type Partition = keyof typeof REGIONS

const regionToPartition = new Map<string, Partition>()
for (const [partition, regions] of Object.entries(REGIONS) as [Partition, readonly string[]][]) {
  for (const r of regions) regionToPartition.set(r, partition)
}

/** True when `region` is a known KMS Region. */
export function isKnownRegion(region: string): boolean {
  return regionToPartition.has(region)
}

/** The partition a Region belongs to (`aws` for unknown Regions, as most tools assume). */
export function partitionOf(region: string): Partition {
  return regionToPartition.get(region) ?? 'aws'
}

/** The known Region closest in spelling to `region`, for "did you mean" hints. */
export function suggestRegion(region: string): string | undefined {
  return closestName(region, regionToPartition.keys(), 3)
}
