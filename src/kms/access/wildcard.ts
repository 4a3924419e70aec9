/**
 * IAM wildcards: `*` matches any run of characters (including none), `?` exactly one
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
 * Patterns are compiled once, when their policy is compiled.
 */

/** A compiled pattern: `test(s)` says whether `s` matches. */
export interface Wildcard {
  readonly pattern: string
  test(s: string): boolean
}

/** True when `pattern` contains a wildcard character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}

/**
 * Compiles an IAM wildcard pattern. Plain patterns compare by string equality (the common
 * case, and the fastest); `ignoreCase` serves Action names, which IAM matches without case.
 */
export function compileWildcard(pattern: string, ignoreCase = false): Wildcard {
  const p = ignoreCase ? pattern.toLowerCase() : pattern
  if (!hasWildcard(p)) {
    return ignoreCase ? { pattern, test: (s) => s.toLowerCase() === p } : { pattern, test: (s) => s === p }
  }
  if (p === '*') return { pattern, test: () => true }
  let source = '^'
  for (const ch of p) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
  }
  const re = new RegExp(`${source}$`, ignoreCase ? 'is' : 's')
  return { pattern, test: (s) => re.test(s) }
}
