/**
 * Reports: pure renderers from a run's summary (or a capacity plan) to text, the comparison of
 * two runs, the regression gates and the ranking of variants. The CLI, bench and the public API
 * import them from here.
 */
export {
  type CompareLabels,
  type CompareOptions,
  type CompareRenderOptions,
  type Comparison,
  compareSummaries,
  ComparisonError,
  type DiffRow,
  describeRules,
  renderComparisonMarkdown,
  type RuleOutcome,
  type VariantComparison,
} from './compare.ts'
export { progressFigures, variantConsoleLine } from './console.ts'
export {
  type BencherMetric,
  type BencherMetricFormat,
  bencherMetrics,
  type CustomBenchmarkEntry,
  customSmallerIsBetter,
  renderBencherJson,
  renderCustomSmallerIsBetterJson,
} from './exports.ts'
export { escapeHtml } from './format.ts'
export { exactGate, type GateOutcome, statisticalGate } from './gates.ts'
export { type HgrmOptions, renderHgrm, renderVariantHgrm, variantFileNames } from './hgrm.ts'
export { type HtmlOptions, renderHtml } from './html.ts'
export { renderJunitXml } from './junit.ts'
export { type MarkdownOptions, renderMarkdown } from './markdown.ts'
export { renderPlanHtml } from './plan-html.ts'
export { renderPlanMarkdown } from './plan-markdown.ts'
export { planVerdict } from './plan-tables.ts'
export { RANKING_METHOD, type RankedVariant, type Ranking, type RankTier, rankVariants } from './rank.ts'
export { LIVE_FIELDS, renderLiveLine } from './live.ts'
export { renderTimelineCsv } from './timeline-csv.ts'
