/** Small text-rendering helpers shared by the commands' text output. */

/** Aligned columns; the first row is the header. Numbers are right-aligned. */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = cells[0].map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  return cells
    .map((r, i) =>
      r
        .map((c, j) => (typeof rows[i][j] === 'number' ? c.padStart(widths[j]) : c.padEnd(widths[j])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 1 ? v.toFixed(3) : v.toFixed(4);
}

export function percent(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
