/**
 * CSV datasets (RFC 4180 via csv-parse): a header row, then one sample per record. Column typing, labels and
 * missing values follow the rules in tabular.ts. `.csv.gz` is decompressed transparently by loadCsv.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './files.js';
import { type Cell, type TabularOptions, tableToDataset } from './tabular.js';
import { datasetToTable, formatFloat32, type OutputCell } from './tabular-write.js';
import { decodeText } from './text.js';

export interface CsvOptions extends TabularOptions {
  /** Whether the first record names the columns (default true); without one, columns are named 0, 1, … */
  header?: boolean;
  /** Field delimiter (default ','). */
  delimiter?: string;
}

export function parseCsv(input: string | Uint8Array, file = '<csv>', options: CsvOptions = {}): Dataset {
  const records = parseRecords(decodeText(input, file), file, options.delimiter ?? ',');
  if (records.length === 0) throw new InputError('empty file: no header row and no data', { file });
  const hasHeader = options.header ?? true;
  const columns = hasHeader
    ? headerColumns(records[0].record, file)
    : records[0].record.map((_, c) => String(c));
  const body = hasHeader ? records.slice(1) : records;
  if (body.length === 0) throw new InputError('the file has a header row but no data rows', { file });
  const rows: Cell[][] = body.map(({ record, line }, i) => {
    if (record.length !== columns.length) {
      throw new InputError(`has ${record.length} fields, the header has ${columns.length} (line ${line})`, {
        file,
        row: i + 1,
      });
    }
    return record;
  });
  return tableToDataset(
    {
      file,
      columns,
      rows,
      lines: Int32Array.from(body, (r) => r.line),
      rowNumbers: Int32Array.from(body, (_, i) => i + 1),
    },
    options,
  );
}

/** Loads a .csv or .csv.gz file (or TSV, with delimiter '\t'); records its SHA-256 in `source`. */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  const { bytes, sha256 } = readDataFile(path);
  const format = options.delimiter === '\t' ? 'tsv' : 'csv';
  return { ...parseCsv(bytes, path, options), source: { uri: path, sha256, format } };
}

/**
 * The dataset as CSV text with a header: the source's column order and names, categorical values and class
 * names restored, missing features as empty cells, floats in their shortest exact float32 form.
 */
export function writeCsv(dataset: Dataset, options: { delimiter?: string } = {}): string {
  const delimiter = options.delimiter ?? ',';
  const { columns, rows } = datasetToTable(dataset);
  const line = (cells: OutputCell[]): string => cells.map((cell) => quote(cell, delimiter)).join(delimiter);
  return `${[line(columns), ...rows.map(line)].join('\n')}\n`;
}

interface ParsedRecord {
  record: string[];
  /** 1-based line where the record starts. */
  line: number;
}

function parseRecords(text: string, file: string, delimiter: string): ParsedRecord[] {
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) throw new InputError(`malformed CSV: ${error.message}`, { file });
    throw error;
  }
  // info.bytes is the UTF-8 offset just past each record (terminator included). A record starts at the first
  // byte after the previous one that is not a line break (skipped empty lines); its line is one more than the
  // line breaks before that byte. (info.lines miscounts CRLF inside quoted fields, so it is not used.)
  const utf8 = new TextEncoder().encode(text);
  let end = 0;
  let breaks = 0;
  return parsed.map(({ record, info }) => {
    let start = end;
    while (start < info.bytes && (utf8[start] === 0x0a || utf8[start] === 0x0d)) start++;
    breaks += countLineBreaks(utf8, end, start);
    const line = breaks + 1;
    breaks += countLineBreaks(utf8, start, info.bytes);
    end = info.bytes;
    return { record, line };
  });
}

/** Line breaks (LF, CRLF or a lone CR) in bytes[from, to). */
function countLineBreaks(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) count++;
  }
  return count;
}

function headerColumns(header: string[], file: string): string[] {
  const columns = header.map((name) => name.trim());
  const seen = new Map<string, number>();
  columns.forEach((name, c) => {
    if (name === '') {
      throw new InputError(
        `header column ${c + 1} has no name (a saved DataFrame index? write it with index=False)`,
        { file },
      );
    }
    if (seen.has(name)) {
      throw new InputError(
        `header names column "${name}" twice (columns ${seen.get(name)! + 1} and ${c + 1})`,
        {
          file,
          field: name,
        },
      );
    }
    seen.set(name, c);
  });
  return columns;
}

function quote(cell: OutputCell, delimiter: string): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return formatFloat32(cell);
  const needsQuotes = cell.includes(delimiter) || /["\r\n]/.test(cell) || cell !== cell.trim() || cell === '';
  return needsQuotes ? `"${cell.replaceAll('"', '""')}"` : cell;
}
