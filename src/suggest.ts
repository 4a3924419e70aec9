/**
 * "Did you mean" suggestions for names given by users (Regions, quota pools, profiles,
 * mitigations, flags): the candidate closest in edit distance, when it is close enough.
 * A leaf module, shared by every layer that validates names.
 */
import { at } from './util/index.ts'

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = at(row, 0)
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = at(row, j)
      row[j] = Math.min(at(row, j) + 1, at(row, j - 1) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return at(row, b.length)
}

/**
 * The candidate closest to `name` (case-insensitive), or `undefined` when none is within
 * `maxDistance` edits.
 * @param maxDistance @default max(3, a quarter of the name's length)
 */
export function closestName(
  name: string,
  candidates: Iterable<string>,
  maxDistance = Math.max(3, Math.floor(name.length / 4)),
): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  const lower = name.toLowerCase()
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = c
    }
  }
  return bestDistance <= maxDistance ? best : undefined
}
