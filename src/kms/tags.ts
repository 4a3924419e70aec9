/**
 * Tag validation shared by CreateKey, ReplicateKey and TagResource
 * (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html). Messages are
 * AWS's (LocalStack's AWS-recorded snapshot).
 */
import { TagException } from './errors.ts'
import type { Tag } from './model.generated.ts'

/** Maximum tags per key. */
export const MAX_TAGS_PER_KEY = 50

/** Checks tags given in one request and returns them as a map; throws TagException. */
export function tagsFromInput(tags: readonly Tag[] | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const t of tags ?? []) {
    if (t.TagKey.startsWith('aws:')) throw new TagException('Tags beginning with aws: are reserved')
    if (out.has(t.TagKey)) throw new TagException('Duplicate tag keys')
    out.set(t.TagKey, t.TagValue)
  }
  if (out.size > MAX_TAGS_PER_KEY) throw new TagException('Too many tags')
  return out
}
