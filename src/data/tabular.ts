/**
 * Turns a table of cells (from CSV or JSONL) into a Dataset. The rules, shared by both formats:
 *
 * - Missing values are the empty cell, JSON null and the markers NA, N/A, NaN, -NaN, null, <NA>, #N/A and ?
 *   (any case). `missing: 'error'` (default) rejects them, naming the first and counting all; `'drop-rows'`
 *   skips rows that have any (recorded in `droppedLines`); `'keep'` leaves NaN in the features for inspection
 *   (rows without a label are still skipped, as a sample needs a class).
 * - A feature column is numeric when at least half of its non-missing values are numbers; any other value in
 *   it is then an error (a stray typo must not silently become a category). Otherwise, or when named in
 *   `categorical`, it is categorical and one-hot encoded over its sorted distinct values (`color=red`);
 *   more than 1,000 distinct values is an error (an identifier or free text would explode into features).
 * - inf, -Infinity and overflowing numbers are errors wherever a number is expected.
 * - Labels are all non-negative integers (numClasses = max + 1; 1.0 counts as 1) or all class names (sorted,
 *   numbered 0 … k-1). Negative or fractional numbers, or numbers mixed with names, are errors.
 */
import { InputError } from '../errors.js';
import type { CategoricalEncoding, Dataset } from './dataset.js';

/** A cell as read: text (CSV, JSON strings), a JSON number or boolean (true = 1), or null when absent. */
export type Cell = string | number | boolean | null;

export interface Table {
  file: string;
  columns: string[];
  /** Every row has one cell per column. */
  rows: Cell[][];
  /** 1-based source line where each row starts. */
  lines: Int32Array;
  /** How each row is numbered in messages (CSV: data row after the header; JSONL: line). */
  rowNumbers: Int32Array;
}

export type MissingPolicy = 'error' | 'drop-rows' | 'keep';

export interface TabularOptions {
  /** The label column: a name, or a 0-based column index. Default: a column named "label", else the last. */
  label?: string | number;
  /** What to do with missing values (default 'error'). */
  missing?: MissingPolicy;
  /** Columns to one-hot encode even if their values are numbers (e.g. integer category codes). */
  categorical?: string[];
}

const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', '-nan', 'null', '<na>', '#n/a', '?']);
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i;
/** More distinct values than this in a text column is an identifier or free text, not a category. */
const MAX_CATEGORIES = 1000;
/** More classes than this means the label column is almost certainly not a class label. */
const MAX_CLASSES = 100_000;

enum Kind {
  Number = 0,
  Missing = 1,
  Text = 2,
  NonFinite = 3,
}

export function tableToDataset(table: Table, options: TabularOptions = {}): Dataset {
  const { file, columns, rows } = table;
  if (rows.length === 0) throw new InputError('no data rows', { file });
  const labelIndex = resolveLabelColumn(columns, options.label, file);
  const cells = classifyCells(table);
  const kept = keptRows(table, cells, labelIndex, options.missing ?? 'error');
  if (kept.length === 0) {
    throw new InputError('no rows left after dropping rows with missing values', { file });
  }

  const featureColumns = columns.map((_, c) => c).filter((c) => c !== labelIndex);
  const forced = new Set(options.categorical ?? []);
  for (const name of forced) {
    if (!columns.includes(name) || name === columns[labelIndex]) {
      throw new InputError(`categorical column "${name}" is not a feature column of this file`, { file });
    }
  }
  const plans = featureColumns.map((c) =>
    forced.has(columns[c]) || isMostlyText(cells, kept, c) ? categoricalPlan(table, cells, kept, c) : null,
  );
  featureColumns.forEach((c, i) => {
    if (plans[i] === null) checkNumericColumn(table, cells, kept, c);
  });

  const featureNames: string[] = [];
  const encodings: CategoricalEncoding[] = [];
  featureColumns.forEach((c, i) => {
    const categories = plans[i]?.categories;
    if (categories === undefined) {
      featureNames.push(columns[c]);
    } else {
      encodings.push({ column: columns[c], categories, firstFeature: featureNames.length });
      for (const category of categories) featureNames.push(`${columns[c]}=${category}`);
    }
  });

  const d = featureNames.length;
  const x = new Float32Array(kept.length * d);
  kept.forEach((r, k) => {
    let j = k * d;
    featureColumns.forEach((c, i) => {
      const plan = plans[i];
      const at = r * columns.length + c;
      if (plan === null) {
        x[j++] = cells.kinds[at] === Kind.Missing ? Number.NaN : cells.values[at];
      } else {
        const hot = cells.kinds[at] === Kind.Missing ? -1 : plan.index.get(textOf(rows[r][c]))!;
        for (let q = 0; q < plan.categories.length; q++) x[j++] = hot < 0 ? Number.NaN : q === hot ? 1 : 0;
      }
    });
  });

  const labels = encodeLabels(table, cells, kept, labelIndex);
  const dataset: Dataset = {
    x: { shape: [kept.length, d], data: x },
    y: labels.y,
    numClasses: labels.classNames.length,
    classNames: labels.classNames,
    featureNames,
    lines: Int32Array.from(kept, (r) => table.lines[r]),
    labelColumn: { name: columns[labelIndex], index: labelIndex },
  };
  if (encodings.length > 0) dataset.encodings = encodings;
  if (kept.length < rows.length) {
    const keep = new Set(kept);
    dataset.droppedLines = table.lines.filter((_, r) => !keep.has(r));
  }
  return dataset;
}

function resolveLabelColumn(columns: string[], label: string | number | undefined, file: string): number {
  if (typeof label === 'number') {
    if (!Number.isInteger(label) || label < 0 || label >= columns.length) {
      throw new InputError(`label column index ${label} is out of range (0 … ${columns.length - 1})`, {
        file,
      });
    }
    return label;
  }
  const name = label ?? 'label';
  const index = columns.indexOf(name);
  if (index >= 0) return index;
  if (label === undefined) return columns.length - 1;
  throw new InputError(`no label column "${name}" (columns: ${columns.join(', ')})`, { file, field: name });
}

interface ClassifiedCells {
  width: number;
  kinds: Uint8Array;
  /** The numeric value of Number cells, row-major. */
  values: Float64Array;
}

function classifyCells(table: Table): ClassifiedCells {
  const width = table.columns.length;
  const kinds = new Uint8Array(table.rows.length * width);
  const values = new Float64Array(table.rows.length * width);
  table.rows.forEach((row, r) => {
    for (let c = 0; c < width; c++) {
      const at = r * width + c;
      const cell = row[c];
      if (cell === null) {
        kinds[at] = Kind.Missing;
      } else if (typeof cell === 'number' || typeof cell === 'boolean') {
        values[at] = Number(cell);
        kinds[at] = Number.isFinite(values[at]) ? Kind.Number : Kind.NonFinite;
      } else {
        const text = cell.trim();
        if (MISSING_MARKERS.has(text.toLowerCase())) {
          kinds[at] = Kind.Missing;
        } else if (NUMBER.test(text)) {
          values[at] = Number(text);
          kinds[at] = Number.isFinite(values[at]) ? Kind.Number : Kind.NonFinite;
        } else {
          kinds[at] = INFINITY.test(text) ? Kind.NonFinite : Kind.Text;
        }
      }
    }
  });
  return { width, kinds, values };
}

function keptRows(table: Table, cells: ClassifiedCells, labelIndex: number, policy: MissingPolicy): number[] {
  const width = table.columns.length;
  const perColumn = new Array<number>(width).fill(0);
  const rowHasMissing = new Uint8Array(table.rows.length);
  let first = -1;
  for (let at = 0; at < cells.kinds.length; at++) {
    if (cells.kinds[at] !== Kind.Missing) continue;
    perColumn[at % width]++;
    rowHasMissing[Math.floor(at / width)] = 1;
    if (first < 0) first = at;
  }
  const all = [...table.rows.keys()];
  if (first < 0) return all;
  if (policy === 'error') {
    const r = Math.floor(first / width);
    const c = first % width;
    const total = perColumn.reduce((a, b) => a + b, 0);
    const byColumn = perColumn.flatMap((n, col) => (n > 0 ? [`${table.columns[col]}: ${n}`] : [])).join(', ');
    throw new InputError(
      `missing value ${JSON.stringify(table.rows[r][c])}; ${total} missing cell(s) in ` +
        `${rowHasMissing.reduce((a, b) => a + b, 0)} row(s) (${byColumn}). ` +
        `Drop those rows with missing: 'drop-rows', or count them with inspect`,
      { file: table.file, row: table.rowNumbers[r], field: table.columns[c] },
    );
  }
  if (policy === 'drop-rows') return all.filter((r) => rowHasMissing[r] === 0);
  return all.filter((r) => cells.kinds[r * width + labelIndex] !== Kind.Missing);
}

function isMostlyText(cells: ClassifiedCells, kept: number[], c: number): boolean {
  const { width } = cells;
  let text = 0;
  let numbers = 0;
  for (const r of kept) {
    const kind = cells.kinds[r * width + c];
    if (kind === Kind.Text) text++;
    else if (kind !== Kind.Missing) numbers++;
  }
  return text > numbers;
}

interface CategoricalPlan {
  /** Sorted distinct values: the one-hot feature order. */
  categories: string[];
  index: Map<string, number>;
}

function categoricalPlan(table: Table, cells: ClassifiedCells, kept: number[], c: number): CategoricalPlan {
  const distinct = new Set<string>();
  for (const r of kept) {
    if (cells.kinds[r * cells.width + c] !== Kind.Missing) distinct.add(textOf(table.rows[r][c]));
  }
  if (distinct.size > MAX_CATEGORIES) {
    throw new InputError(
      `${distinct.size} distinct text values: too many to one-hot encode (limit ${MAX_CATEGORIES}); ` +
        'is this an identifier or free-text column? Remove it from the file',
      { file: table.file, field: table.columns[c] },
    );
  }
  const categories = [...distinct].sort();
  return { categories, index: new Map(categories.map((category, q) => [category, q])) };
}

function checkNumericColumn(table: Table, cells: ClassifiedCells, kept: number[], c: number): void {
  let firstBad = -1;
  let text = 0;
  let numbers = 0;
  for (const r of kept) {
    const kind = cells.kinds[r * cells.width + c];
    if (kind === Kind.NonFinite) {
      throw new InputError(`not a finite number: ${JSON.stringify(table.rows[r][c])}`, {
        file: table.file,
        row: table.rowNumbers[r],
        field: table.columns[c],
      });
    }
    if (kind === Kind.Text) {
      text++;
      if (firstBad < 0) firstBad = r;
    } else if (kind === Kind.Number) numbers++;
  }
  if (firstBad >= 0) {
    throw new InputError(
      `not a number: ${JSON.stringify(table.rows[firstBad][c])} (the column is numeric: ${numbers} of ` +
        `${numbers + text} values are numbers; ${text} are not). Fix the cell(s), or list the column in ` +
        `categorical`,
      { file: table.file, row: table.rowNumbers[firstBad], field: table.columns[c] },
    );
  }
}

function encodeLabels(
  table: Table,
  cells: ClassifiedCells,
  kept: number[],
  labelIndex: number,
): { y: Int32Array; classNames: string[] } {
  const at = (r: number): number => r * cells.width + labelIndex;
  const fail = (problem: string, r: number): InputError =>
    new InputError(problem, { file: table.file, row: table.rowNumbers[r], field: table.columns[labelIndex] });
  const firstName = kept.find((r) => cells.kinds[at(r)] === Kind.Text);
  const firstNumber = kept.find((r) => cells.kinds[at(r)] !== Kind.Text);
  if (firstName !== undefined && firstNumber !== undefined) {
    const shown = (r: number): string =>
      `${JSON.stringify(table.rows[r][labelIndex])} (row ${table.rowNumbers[r]})`;
    throw fail(
      `label ${shown(firstNumber)} is a number but other labels are class names, e.g. ${shown(firstName)}; ` +
        'labels must be all class names or all non-negative integers',
      firstNumber,
    );
  }
  const y = new Int32Array(kept.length);
  if (firstName !== undefined) {
    const names = [...new Set(kept.map((r) => textOf(table.rows[r][labelIndex])))].sort();
    const index = new Map(names.map((name, i) => [name, i]));
    kept.forEach((r, k) => {
      y[k] = index.get(textOf(table.rows[r][labelIndex]))!;
    });
    return { y, classNames: names };
  }
  let max = 0;
  kept.forEach((r, k) => {
    const value = cells.values[at(r)];
    const raw = JSON.stringify(table.rows[r][labelIndex]);
    if (cells.kinds[at(r)] === Kind.NonFinite) throw fail(`label ${raw} is not a finite number`, r);
    if (!Number.isInteger(value))
      throw fail(`label ${raw} is not an integer class (regression is not supported)`, r);
    if (value < 0) throw fail(`label ${raw} is negative; integer labels must be ≥ 0`, r);
    if (value >= MAX_CLASSES) {
      throw fail(`label ${raw} would make more than ${MAX_CLASSES} classes; is this the label column?`, r);
    }
    y[k] = value;
    max = Math.max(max, value);
  });
  return { y, classNames: Array.from({ length: max + 1 }, (_, c) => String(c)) };
}

function textOf(cell: Cell): string {
  return String(cell).trim();
}
