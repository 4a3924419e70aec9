/**
 * Number and text formatting shared by the renderers. Every formatter is total: a value that
 * is not a finite number (a division by zero upstream, a missing field) prints as an en dash,
 * never as `NaN`, `undefined` or `Infinity`, because reports are read by people.
 */

/** What a non-finite value prints as. */
export const MISSING = '–'

/** True for a finite number. */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x)
}

/** `a / b`, or `fallback` when the quotient is not finite (b = 0). */
export function safeDiv(a: number, b: number, fallback = 0): number {
  const q = a / b
  return Number.isFinite(q) ? q : fallback
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** An integer count with thousands separators: `12,345`. */
export function fmtInt(x: number | undefined): string {
  return isFiniteNumber(x) ? intFmt.format(Math.round(x)) : MISSING
}

/** A number with up to `digits` significant digits, thousands separators for large values. */
export function fmtNum(x: number | undefined, digits = 3): string {
  if (!isFiniteNumber(x)) return MISSING
  if (x === 0) return '0'
  const abs = Math.abs(x)
  if (abs >= 10 ** digits) return intFmt.format(Math.round(x))
  return new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits }).format(x)
}

/** A rate per second: `12,000/s`. */
export function fmtRate(x: number | undefined): string {
  return isFiniteNumber(x) ? `${fmtNum(x)}/s` : MISSING
}

/** A fraction as a percentage (0.1234 → `12.3%`); tiny non-zero values keep a digit: `<0.01%`. */
export function fmtPct(fraction: number | undefined, digits = 1): string {
  if (!isFiniteNumber(fraction)) return MISSING
  const pct = fraction * 100
  if (pct === 0) return '0%'
  const floor = 10 ** -Math.max(digits, 2)
  if (Math.abs(pct) < floor) return `<${floor}%`
  const abs = Math.abs(pct)
  const d = abs >= 10 ? digits : abs >= 1 ? digits + 1 : Math.max(digits + 1, 2)
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: d }).format(pct)}%`
}

/** Milliseconds with sensible precision: `0.12 ms`, `8.4 ms`, `1,234 ms`. */
export function fmtMs(ms: number | undefined): string {
  if (!isFiniteNumber(ms)) return MISSING
  if (ms === 0) return '0 ms'
  if (ms >= 1000) return `${intFmt.format(Math.round(ms))} ms`
  return `${fmtNum(ms, 3)} ms`
}

/** US dollars: `$94,608`, `$12.34`, `$0.0031`. */
export function fmtUsd(x: number | undefined): string {
  if (!isFiniteNumber(x)) return MISSING
  const abs = Math.abs(x)
  const sign = x < 0 ? '-' : ''
  if (abs === 0) return '$0'
  if (abs >= 1000) return `${sign}$${intFmt.format(Math.round(abs))}`
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`
  return `${sign}$${new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 }).format(abs)}`
}

/** Seconds as a short duration: `45 s`, `5 min`, `2.5 h`, `3 d`. */
export function fmtSeconds(s: number | undefined): string {
  if (!isFiniteNumber(s)) return MISSING
  if (s < 120) return `${fmtNum(s, 3)} s`
  if (s < 2 * 3600) return `${fmtNum(s / 60, 3)} min`
  if (s < 2 * 86400) return `${fmtNum(s / 3600, 3)} h`
  return `${fmtNum(s / 86400, 3)} d`
}

/** Bytes with binary units: `512 B`, `1.5 MiB`. */
export function fmtBytes(b: number | undefined): string {
  if (!isFiniteNumber(b)) return MISSING
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']
  let v = b
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${fmtNum(v, 3)} ${units[i] ?? 'B'}`
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  )
}

/**
 * Escapes text for a Markdown table cell or inline text: pipes (which end a cell), line
 * breaks, and the characters that start emphasis, code, links or HTML.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_{}[\]<>|#])/g, '\\$1')
}

/**
 * True for a limit that means "no limit": not finite, or at least `Number.MAX_SAFE_INTEGER`
 * (the value unbounded options such as the data-key cache's byte limit use).
 */
export function isUnbounded(x: number | undefined): boolean {
  return typeof x === 'number' && (x === Number.POSITIVE_INFINITY || x >= Number.MAX_SAFE_INTEGER)
}

/** A limit: `none` when unbounded, else the number with an optional unit suffix (`10,000/s`). */
export function fmtLimit(x: number | undefined, suffix = ''): string {
  if (isUnbounded(x)) return 'none'
  return isFiniteNumber(x) ? `${fmtNum(x)}${suffix}` : MISSING
}

/**
 * A count and its noun, singular for exactly one: `1 KMS call`, `2 KMS calls`, `0 seconds`.
 * `pluralWord` is for irregular plurals.
 * @default pluralWord `${word}s`
 */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${fmtInt(n)} ${Math.round(n) === 1 ? word : pluralWord}`
}
