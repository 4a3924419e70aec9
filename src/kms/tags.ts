/**
 * Tag validation shared by CreateKey, ReplicateKey and TagResource
 * (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html). Messages are
 * AWS's (LocalStack's AWS-recorded snapshot).
 */
import type { ConditionValues } from './context.ts'
import { TagException } from './errors.ts'
import type { Tag } from './model.generated.ts'

/** Maximum tags per key. */
export const MAX_TAGS_PER_KEY = 50

/** Checks tags given in one request and returns them as a map; throws TagException. */
export function tagsFromInput(tags: readonly Tag[] | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const t of tags ?? []) {
    // Reserved in any letter case: AWS refuses `AWS:x` too (LocalStack snapshot, `uppercase_prefix`).
    if (isReservedTagKey(t.TagKey)) throw new TagException('Tags beginning with aws: are reserved')
    if (out.has(t.TagKey)) throw new TagException('Duplicate tag keys')
    out.set(t.TagKey, t.TagValue)
  }
  if (out.size > MAX_TAGS_PER_KEY) throw new TagException('Too many tags')
  return out
}

/** True for tag keys AWS reserves for itself (`aws:` prefix, case-insensitive). */
export function isReservedTagKey(tagKey: string): boolean {
  return tagKey.slice(0, 4).toLowerCase() === 'aws:'
}

/**
 * IAM condition values of the tags a request adds (`aws:RequestTag/<key>`, `aws:TagKeys`),
 * for tag-based access control (https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html).
 */
export function requestTagConditions(tags: ReadonlyMap<string, string>): ConditionValues {
  const out: Record<string, string | readonly string[]> = { 'aws:TagKeys': [...tags.keys()] }
  for (const [k, v] of tags) out[`aws:RequestTag/${k}`] = v
  return out
}
