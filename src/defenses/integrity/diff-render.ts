/** The weight diff as text, Markdown or JSON. JSON is the whole WeightDiff; the others show what changed. */
import type { TensorDiff, WeightDiff } from './weight-diff.js';

export type DiffFormat = 'text' | 'json' | 'md';

export const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'json', 'md'];

export function renderWeightDiff(diff: WeightDiff, format: DiffFormat): string {
  if (format === 'json') return JSON.stringify(diff, null, 2);
  const rows = diff.tensors.filter((t) => t.status !== 'unchanged').map(tensorRow);
  const header = ['tensor', 'status', 'changed', 'of', 'max |Δ|', 'rel. L2', 'bits s/e/m', 'kind'];
  const headline = summaryLine(diff);
  const metadata = diff.metadata.map(
    (m) => `metadata "${m.key}": ${m.a === undefined ? 'added' : m.b === undefined ? 'removed' : 'changed'}`,
  );
  const examples = diff.tensors.filter((t) => t.elements.length > 0).map(exampleLine);
  if (format === 'md') {
    const table =
      rows.length === 0
        ? []
        : [
            `| ${header.join(' | ')} |`,
            `|${header.map((_, i) => (i >= 2 && i <= 5 ? ' ---: ' : ' --- ')).join('|')}|`,
            ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
          ];
    return [
      `## Weight diff: \`${diff.a.path}\` → \`${diff.b.path}\``,
      '',
      headline,
      ...(table.length > 0 ? ['', ...table] : []),
      ...(metadata.length > 0 ? ['', ...metadata.map((m) => `- ${m}`)] : []),
      ...(examples.length > 0 ? ['', '### Changed elements', '', ...examples.map((e) => `- ${e}`)] : []),
    ].join('\n');
  }
  return [
    `${diff.a.path} → ${diff.b.path}`,
    headline,
    ...(rows.length > 0 ? ['', alignedTable([header, ...rows])] : []),
    ...metadata,
    ...(examples.length > 0
      ? ['', 'changed elements (first of each tensor):', ...examples.map((e) => `  ${e}`)]
      : []),
  ].join('\n');
}

function summaryLine(diff: WeightDiff): string {
  if (diff.identical) return `identical: ${diff.summary.tensors} tensors, ${diff.summary.elements} elements`;
  const s = diff.summary;
  const parts = [
    `${s.changedElements} of ${s.elements} elements changed in ${s.changedTensors} of ${s.tensors} tensors`,
  ];
  if (s.classification !== null) parts.push(`looks like: ${s.classification}`);
  if (s.changedElements > 0)
    parts.push(
      `bits flipped: ${s.bitFlips.sign} sign, ${s.bitFlips.exponent} exponent, ${s.bitFlips.mantissa} mantissa`,
    );
  for (const [count, what] of [
    [s.added, 'added'],
    [s.removed, 'removed'],
    [s.reshaped, 'reshaped'],
    [s.dtypeChanged, 'changed dtype'],
  ] as const) {
    if (count > 0) parts.push(`${count} tensor${count === 1 ? '' : 's'} ${what}`);
  }
  return `DIFFERENT: ${parts.join('; ')}`;
}

function tensorRow(t: TensorDiff): string[] {
  const shape = (s: number[]): string => `[${s.join(', ')}]`;
  const status =
    t.after !== undefined && t.status !== 'added'
      ? `${t.status} ${t.dtype}${shape(t.shape)} → ${t.after.dtype}${shape(t.after.shape)}`
      : t.status;
  return [
    t.name,
    status,
    String(t.changed),
    String(t.size),
    t.maxAbsDelta === null ? '-' : t.maxAbsDelta.toPrecision(3),
    t.relativeL2 === null ? '-' : t.relativeL2.toPrecision(3),
    t.changed === 0 ? '-' : `${t.bitFlips.sign}/${t.bitFlips.exponent}/${t.bitFlips.mantissa}`,
    t.classification ?? '-',
  ];
}

function exampleLine(t: TensorDiff): string {
  const shown = t.elements
    .slice(0, 5)
    .map((e) => `[${e.index}] ${e.before}→${e.after} (bits ${e.bits.join(',')})`)
    .join(', ');
  const more = t.changed - Math.min(5, t.elements.length);
  return `${t.name}: ${shown}${more > 0 ? `, and ${more} more` : ''}`;
}

function alignedTable(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows
    .map((r) =>
      r
        .map((c, j) => (j >= 2 && j <= 5 ? c.padStart(widths[j]) : c.padEnd(widths[j])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
