// The report layer's public API: the Report type, its sections, and the renderers.
export { describeTarget } from './describe.js';
export { escapeHtml } from './escape.js';
export { type HtmlOptions, renderHtml } from './html.js';
export { type MarkdownOptions, renderMarkdown } from './markdown.js';
export { crc32, encodeGrayscalePng } from './png.js';
export { REPORT_FORMATS, type ReportFormat, renderReport } from './render.js';
export { describeRule } from './rules.js';
export { renderSarif, SARIF_SCHEMA } from './sarif.js';
export type { ClassCounts, ScanSections, ScoreHistogram, SourceRow, Thumbnail } from './sections.js';
export { renderText, type TextOptions } from './text.js';
export {
  type Finding,
  type FindingTarget,
  type Report,
  SEVERITIES,
  type Severity,
  severityRank,
} from './types.js';
