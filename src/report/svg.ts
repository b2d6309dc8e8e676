/** Small inline SVG charts for the HTML report: a histogram and a grouped bar chart. Text is escaped. */
import { escapeHtml } from './escape.js';

const WIDTH = 420;
const HEIGHT = 160;
const PAD = { left: 44, right: 8, top: 12, bottom: 28 };

/** Bars of `counts` over [0, 1] with a log-scaled count axis (most scores sit near 0). */
export function histogramSvg(title: string, counts: readonly number[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.log10(1 + Math.max(1, ...counts));
  const barW = plotW / counts.length;
  const bars = counts
    .map((c, b) => {
      const h = (plotH * Math.log10(1 + c)) / top;
      return `<rect x="${(PAD.left + b * barW + 1).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a78b5"><title>${(b / counts.length).toFixed(2)}–${((b + 1) / counts.length).toFixed(2)}: ${c}</title></rect>`;
    })
    .join('');
  return svg(
    title,
    `${bars}${axes(plotW, plotH)}` +
      `<text x="${PAD.left}" y="${HEIGHT - 8}" class="tick">0</text>` +
      `<text x="${PAD.left + plotW}" y="${HEIGHT - 8}" class="tick" text-anchor="end">1 (score)</text>` +
      `<text x="${PAD.left - 4}" y="${PAD.top + 8}" class="tick" text-anchor="end">${Math.max(...counts)}</text>`,
  );
}

/** Grouped bars per category: one colour per series (e.g. samples, flagged, reference). */
export function groupedBarsSvg(
  title: string,
  categories: readonly string[],
  series: readonly { name: string; values: readonly number[]; color: string }[],
): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW - 2) / series.length;
  const bars = categories
    .map((name, c) => {
      const x0 = PAD.left + c * groupW + 1;
      const group = series
        .map((s, k) => {
          const h = (plotH * s.values[c]) / max;
          return `<rect x="${(x0 + k * barW).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${Math.max(0.5, barW - 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(name)} · ${escapeHtml(s.name)}: ${s.values[c]}</title></rect>`;
        })
        .join('');
      const label =
        categories.length <= 20
          ? `<text x="${(x0 + groupW / 2).toFixed(1)}" y="${HEIGHT - 14}" class="tick" text-anchor="middle">${escapeHtml(name.slice(0, 8))}</text>`
          : '';
      return group + label;
    })
    .join('');
  const legend = series
    .map(
      (s, k) =>
        `<rect x="${WIDTH - 110}" y="${4 + k * 12}" width="8" height="8" fill="${s.color}"/><text x="${WIDTH - 98}" y="${12 + k * 12}" class="tick">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return svg(
    title,
    `${bars}${axes(plotW, plotH)}<text x="${PAD.left - 4}" y="${PAD.top + 8}" class="tick" text-anchor="end">${max}</text>${legend}`,
  );
}

function axes(plotW: number, plotH: number): string {
  const y = PAD.top + plotH;
  return `<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="#555"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${y}" stroke="#555"/>`;
}

function svg(title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${body}</svg>`;
}
