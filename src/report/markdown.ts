/** The Markdown rendering (GitHub-flavoured): verdict, inputs, detectors, rules and the top findings. */
import { describeTarget, formatSeconds, ruleCounts, severityCounts } from './describe.js';
import { describeRule } from './rules.js';
import { scanSections } from './sections.js';
import type { Report } from './types.js';

export interface MarkdownOptions {
  /** Findings listed (default 50). */
  top?: number;
}

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const top = opts.top ?? 50;
  const sections = scanSections(report.sections);
  const out: string[] = [];
  out.push(`# Antidote ${escapeText(report.run.command.split(' ')[0] ?? 'scan')} report`, '');
  out.push(
    `**Verdict: ${report.verdict.toUpperCase()}**${sections.verdict ? ` — ${escapeText(sections.verdict.reason)}` : ''}`,
    '',
  );
  const counts = severityCounts(report);
  out.push(
    `${report.findings.length} finding(s)${counts.length > 0 ? `: ${counts.map((c) => `${c.count} ${c.severity}`).join(', ')}` : ''}. ` +
      `Antidote ${escapeText(report.tool.version)}, seed ${report.run.seed}, run \`${report.run.id}\` at ${report.run.startedAt}.`,
    '',
  );
  out.push(`Command: \`${report.run.command.replaceAll('`', "'")}\``, '');
  if (report.subjects.length > 0) {
    out.push('## Inputs', '', row(['Role', 'File', 'SHA-256']), row(['---', '---', '---']));
    for (const s of report.subjects) out.push(row([s.role ?? 'input', s.name, `\`${s.sha256}\``]));
    out.push('');
  }
  if (sections.detectors !== undefined) {
    out.push(
      '## Detectors',
      '',
      row(['Detector', 'Flagged', 'Findings', 'Time']),
      row(['---', '---:', '---:', '---:']),
    );
    for (const [name, d] of Object.entries(sections.detectors)) {
      out.push(row([name, String(d.flagged), String(d.findings), formatSeconds(d.seconds)]));
    }
    out.push('');
  }
  const rules = ruleCounts(report);
  if (rules.length > 0) {
    out.push(
      '## Rules',
      '',
      row(['Rule', 'Findings', 'Worst', 'Meaning']),
      row(['---', '---:', '---', '---']),
    );
    for (const r of rules)
      out.push(row([`\`${r.ruleId}\``, String(r.count), r.worst, describeRule(r.ruleId)]));
    out.push('');
  }
  const suspicious = sections.sources?.filter((s) => s.suspicious) ?? [];
  if (suspicious.length > 0) {
    out.push(
      '## Suspicious sources',
      '',
      row(['Source', 'Samples', 'Flagged', 'Rate', 'Others', 'Adjusted p']),
    );
    out.push(row(['---', '---:', '---:', '---:', '---:', '---:']));
    for (const s of suspicious) {
      out.push(
        row([
          s.source,
          String(s.samples),
          String(s.flagged),
          pct(s.rate),
          pct(s.restRate),
          s.adjustedPValue.toExponential(2),
        ]),
      );
    }
    out.push('');
  }
  if (report.findings.length > 0) {
    const shown = Math.min(top, report.findings.length);
    out.push(`## Top ${shown} of ${report.findings.length} findings`, '');
    out.push(
      row(['#', 'Severity', 'Rule', 'Target', 'Score', 'Reason']),
      row(['---:', '---', '---', '---', '---:', '---']),
    );
    report.findings.slice(0, top).forEach((f, k) => {
      out.push(
        row([
          String(k + 1),
          f.severity,
          `\`${f.ruleId}\``,
          describeTarget(f.target),
          f.score.toPrecision(3),
          f.message,
        ]),
      );
    });
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** A table row; cells escaped so user text (file names, class names) cannot break the table or inject markup. */
function row(cells: string[]): string {
  return `| ${cells.map((c) => (c.startsWith('`') && c.endsWith('`') ? c.replaceAll('|', '\\|') : escapeText(c))).join(' | ')} |`;
}

function escapeText(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}
