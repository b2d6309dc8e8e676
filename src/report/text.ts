/** The text rendering: verdict, inputs, per-detector summary and the top findings, for a terminal. */
import { describeTarget, formatSeconds, ruleCounts, severityCounts } from './describe.js';
import { scanSections } from './sections.js';
import type { Report } from './types.js';

export interface TextOptions {
  /** Findings listed (default 20). */
  top?: number;
}

export function renderText(report: Report, opts: TextOptions = {}): string {
  const top = opts.top ?? 20;
  const sections = scanSections(report.sections);
  const lines: string[] = [];
  const counts = severityCounts(report);
  lines.push(
    `antidote ${report.tool.version} · ${report.run.command} · seed ${report.run.seed}`,
    `verdict: ${report.verdict.toUpperCase()}${sections.verdict ? ` (${sections.verdict.reason})` : ''}`,
    `findings: ${report.findings.length}${counts.length > 0 ? ` (${counts.map((c) => `${c.count} ${c.severity}`).join(', ')})` : ''}`,
  );
  for (const subject of report.subjects) {
    lines.push(`${subject.role ?? 'input'}: ${subject.name} sha256:${subject.sha256.slice(0, 16)}…`);
  }
  if (sections.detectors !== undefined) {
    lines.push('', 'detectors:');
    for (const [name, d] of Object.entries(sections.detectors)) {
      lines.push(
        `  ${name.padEnd(12)} ${String(d.flagged).padStart(6)} flagged  ${String(d.findings).padStart(6)} findings  ${formatSeconds(d.seconds)}`,
      );
    }
  }
  const rules = ruleCounts(report);
  if (rules.length > 0) {
    lines.push('', 'rules:');
    for (const r of rules)
      lines.push(`  ${r.ruleId.padEnd(34)} ${String(r.count).padStart(6)}  worst ${r.worst}`);
  }
  if (report.findings.length > 0) {
    lines.push('', `top ${Math.min(top, report.findings.length)} findings:`);
    for (const f of report.findings.slice(0, top)) {
      lines.push(`  [${f.severity}] ${f.ruleId} ${describeTarget(f.target)}: ${f.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
