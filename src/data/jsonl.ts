/**
 * JSON Lines datasets: one object per line. Scalar fields become columns; a field holding an array of
 * numbers (e.g. "x": [0.1, 0.7, …]) becomes the features x[0], x[1], … Typing, labels and missing values
 * (null, absent fields) follow tabular.ts; the label field defaults to "label". Blank lines are skipped.
 */
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './files.js';
import { type Cell, type TabularOptions, tableToDataset } from './tabular.js';
import { datasetToTable, formatFloat32 } from './tabular-write.js';
import { decodeText } from './text.js';

const ARRAY_FEATURE = /^(.+)\[(\d+)\]$/;

export function parseJsonl(
  input: string | Uint8Array,
  file = '<jsonl>',
  options: TabularOptions = {},
): Dataset {
  const text = decodeText(input, file);
  const columns: string[] = [];
  const columnIndex = new Map<string, number>();
  const arrayLengths = new Map<string, { length: number; line: number }>();
  const records: Map<number, Cell>[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    const record = new Map<number, Cell>();
    const put = (name: string, cell: Cell): void => {
      let c = columnIndex.get(name);
      if (c === undefined) {
        c = columns.push(name) - 1;
        columnIndex.set(name, c);
      }
      record.set(c, cell);
    };
    for (const [key, value] of Object.entries(parseObject(raw, file, line))) {
      if (Array.isArray(value)) {
        checkArrayLength(arrayLengths, key, value.length, file, line);
        value.forEach((v, k) => {
          put(`${key}[${k}]`, scalarCell(v, `${key}[${k}]`, file, line));
        });
      } else {
        put(key, scalarCell(value, key, file, line));
      }
    }
    records.push(record);
    lines.push(line);
  });
  if (records.length === 0) throw new InputError('no JSON objects in the file', { file });
  const lineNumbers = Int32Array.from(lines);
  return tableToDataset(
    {
      file,
      columns,
      rows: records.map((record) => columns.map((_, c) => record.get(c) ?? null)),
      lines: lineNumbers,
      rowNumbers: lineNumbers,
    },
    { ...options, label: options.label ?? 'label' },
  );
}

/** Loads a .jsonl or .jsonl.gz file; records its SHA-256 in `source`. */
export function loadJsonl(path: string, options: TabularOptions = {}): Dataset {
  const { bytes, sha256 } = readDataFile(path);
  return { ...parseJsonl(bytes, path, options), source: { uri: path, sha256, format: 'jsonl' } };
}

/**
 * The dataset as JSON Lines in the source's layout: features named `x[0]`, `x[1]`, … (or unnamed) are
 * written as one array field, other features as fields of their own; missing features as null.
 */
export function writeJsonl(dataset: Dataset): string {
  const arrayField = featureArrayName(dataset);
  const { columns, rows } = datasetToTable(dataset);
  const label = dataset.labelColumn?.name ?? 'label';
  const out = rows.map((row) => {
    const fields: string[] = [];
    const features: string[] = [];
    row.forEach((cell, c) => {
      const value = typeof cell === 'number' ? formatFloat32(cell) : JSON.stringify(cell);
      if (arrayField !== undefined && columns[c] !== label) features.push(value);
      else fields.push(`${JSON.stringify(columns[c])}:${value}`);
    });
    if (arrayField !== undefined) fields.unshift(`${JSON.stringify(arrayField)}:[${features.join(',')}]`);
    return `{${fields.join(',')}}`;
  });
  return `${out.join('\n')}\n`;
}

function parseObject(raw: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file, row: line });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('expected a JSON object per line', { file, row: line });
  }
  return value as Record<string, unknown>;
}

function scalarCell(value: unknown, field: string, file: string, line: number): Cell {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  throw new InputError(`nested ${Array.isArray(value) ? 'array' : 'object'} values are not supported`, {
    file,
    row: line,
    field,
  });
}

function checkArrayLength(
  seen: Map<string, { length: number; line: number }>,
  key: string,
  length: number,
  file: string,
  line: number,
): void {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, { length, line });
  else if (first.length !== length) {
    throw new InputError(`array has ${length} values but had ${first.length} on line ${first.line}`, {
      file,
      row: line,
      field: key,
    });
  }
}

/** The array field name when every feature is `name[j]` in order (or features are unnamed: "x"). */
function featureArrayName(dataset: Dataset): string | undefined {
  const names = dataset.featureNames;
  if (names === undefined) return 'x';
  if (names.length === 0 || (dataset.encodings?.length ?? 0) > 0) return undefined;
  const prefix = ARRAY_FEATURE.exec(names[0])?.[1];
  if (prefix === undefined) return undefined;
  return names.every((name, j) => name === `${prefix}[${j}]`) ? prefix : undefined;
}
