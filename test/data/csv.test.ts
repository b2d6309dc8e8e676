import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCsv, parseCsv, writeCsv } from '../../src/data/csv.js';
import { expectInputError, tabularDataset, tabularFields, tempDir } from './helpers.js';

const dir = tempDir();

describe('CSV round trip', () => {
  const specs = [
    {
      rows: 40,
      numeric: 3,
      categorical: 1,
      labelIndex: 99,
      classNames: ['ant', 'bee', 'cat, the', 'dog "d"'],
    },
    { rows: 25, numeric: 5, categorical: 0, labelIndex: 0 },
    { rows: 60, numeric: 1, categorical: 3, labelIndex: 2, classNames: ['x', 'y'] },
    { rows: 12, numeric: 0, categorical: 2, labelIndex: 1 },
  ];
  for (const [k, spec] of specs.entries()) {
    for (const seed of [1, 2, 3]) {
      it(`write → parse gives the same dataset (spec ${k}, seed ${seed})`, () => {
        const original = tabularDataset(seed * 10 + k, spec);
        const text = writeCsv(original);
        const parsed = parseCsv(text, 'round.csv', { label: 'target' });
        expect(tabularFields(parsed)).toEqual(tabularFields(original));
        expect(Array.from(parsed.lines!)).toEqual(Array.from({ length: spec.rows }, (_, i) => i + 2));
        expect(writeCsv(parsed)).toBe(text);
      });
    }
  }

  it('reads .csv.gz transparently and records the source', () => {
    const original = tabularDataset(7, { rows: 30, numeric: 2, categorical: 1, labelIndex: 3 });
    const path = join(dir, 'table.csv.gz');
    writeFileSync(path, gzipSync(writeCsv(original)));
    const loaded = loadCsv(path, { label: 'target' });
    expect(tabularFields(loaded)).toEqual(tabularFields(original));
    expect(loaded.source).toMatchObject({ uri: path, format: 'csv' });
    expect(loaded.source!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('CSV parsing', () => {
  it('encodes a worked example: categorical one-hot, class names sorted, source lines', () => {
    const text = 'size,colour,label\n1.5,red,dog\n\n2,"blue",cat\n"3",red,"dog"\n';
    const d = parseCsv(text, 'pets.csv');
    expect(d.featureNames).toEqual(['size', 'colour=blue', 'colour=red']);
    expect(Array.from(d.x.data)).toEqual([1.5, 0, 1, 2, 1, 0, 3, 0, 1]);
    expect(d.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(d.encodings).toEqual([{ column: 'colour', categories: ['blue', 'red'], firstFeature: 1 }]);
    expect(Array.from(d.lines!)).toEqual([2, 4, 5]);
    expect(d.labelColumn).toEqual({ name: 'label', index: 2 });
  });

  it('counts lines through quoted newlines, CRLF and a BOM', () => {
    const text = '\ufeffa,nöte,label\r\n1,"twö 🐍\r\nlines",0\r\n\r\n2,x,1\r\n3,"\n\ny",0';
    const d = parseCsv(text, 'notes.csv');
    expect(Array.from(d.lines!)).toEqual([2, 5, 6]);
    expect(d.featureNames).toEqual(['a', 'nöte=twö 🐍\r\nlines', 'nöte=x', 'nöte=y']); // cells are trimmed
    expect(Array.from(parseCsv(new TextEncoder().encode(text), 'notes.csv').lines!)).toEqual([2, 5, 6]);
  });

  it('keeps integer labels as values: numClasses = max + 1', () => {
    const d = parseCsv('f,label\n0.5,4\n1,0\n2,2.0\n');
    expect(Array.from(d.y)).toEqual([4, 0, 2]);
    expect(d.numClasses).toBe(5);
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4']);
  });

  it('takes the label column by name or index, else "label", else the last column', () => {
    const text = 'a,label,b\n1,0,2\n3,1,4\n';
    expect(parseCsv(text).featureNames).toEqual(['a', 'b']);
    expect(parseCsv(text, 'f.csv', { label: 'b' }).featureNames).toEqual(['a', 'label']);
    expect(parseCsv(text, 'f.csv', { label: 0 }).featureNames).toEqual(['label', 'b']);
    expect(parseCsv('a,b,c\n1,2,0\n').featureNames).toEqual(['a', 'b']);
  });

  it('reads headerless files with numbered columns, and other delimiters', () => {
    const d = parseCsv('1,2,0\n3,4,1\n', 'h.csv', { header: false });
    expect(d.featureNames).toEqual(['0', '1']);
    expect(Array.from(d.y)).toEqual([0, 1]);
    expect(
      Array.from(parseCsv('a;label\n1,5;0\n', 's.csv', { delimiter: ';', categorical: ['a'] }).x.data),
    ).toEqual([1]);
  });

  it('one-hot encodes numeric codes listed in `categorical`', () => {
    const d = parseCsv('zip,label\n10,0\n20,1\n10,1\n', 'z.csv', { categorical: ['zip'] });
    expect(d.featureNames).toEqual(['zip=10', 'zip=20']);
    expect(Array.from(d.x.data)).toEqual([1, 0, 0, 1, 1, 0]);
  });
});

describe('CSV missing values', () => {
  const text = 'a,b,label\n1,2,x\nNA,3,y\n4,?,x\n5,6,\n7,8,y\n';

  it('rejects them by default, naming the first and counting all', () => {
    expectInputError(
      () => parseCsv(text, 'm.csv'),
      /missing value "NA"; 3 missing cell\(s\) in 3 row\(s\) \(a: 1, b: 1, label: 1\)/,
      {
        file: 'm.csv',
        row: 2,
        field: 'a',
      },
    );
  });

  it('drops incomplete rows on request and records their lines', () => {
    const d = parseCsv(text, 'm.csv', { missing: 'drop-rows' });
    expect(Array.from(d.x.data)).toEqual([1, 2, 7, 8]);
    expect(Array.from(d.lines!)).toEqual([2, 6]);
    expect(Array.from(d.droppedLines!)).toEqual([3, 4, 5]);
  });

  it('keeps them as NaN for inspection (rows without a label are dropped)', () => {
    const d = parseCsv(text, 'm.csv', { missing: 'keep' });
    expect(Array.from(d.x.data)).toEqual([1, 2, Number.NaN, 3, 4, Number.NaN, 7, 8]);
    expect(Array.from(d.droppedLines!)).toEqual([5]);
  });

  it('treats every marker as missing, in any case', () => {
    for (const marker of ['', 'NA', 'n/a', 'NaN', 'nan', '-nan', 'NULL', '<NA>', '#N/A', '?']) {
      const d = parseCsv(`a,label\n"${marker}",0\n1,1\n`, 'm.csv', { missing: 'keep' });
      expect(Number.isNaN(d.x.data[0])).toBe(true);
    }
  });

  it('marks a missing categorical cell as NaN across its one-hot features', () => {
    const d = parseCsv('c,label\nred,0\n,1\nblue,0\n', 'm.csv', { missing: 'keep' });
    expect(Array.from(d.x.data)).toEqual([0, 1, Number.NaN, Number.NaN, 1, 0]);
  });
});

describe('CSV bad input', () => {
  const cases: [string, string, RegExp, object][] = [
    ['ragged row', 'a,b,label\n1,2,0\n3,0\n', /has 2 fields, the header has 3 \(line 3\)/, { row: 2 }],
    ['long row', 'a,label\n1,0\n3,0,9\n', /has 3 fields, the header has 2/, { row: 2 }],
    [
      'stray text',
      'a,label\n1,0\n2,1\nabc,0\n3,1\n',
      /not a number: "abc".*3 of 4 values are numbers/,
      { row: 3, field: 'a' },
    ],
    ['infinity', 'a,label\n1,0\n-Inf,1\n', /not a finite number: "-Inf"/, { row: 2, field: 'a' }],
    ['overflow', 'a,label\n1,0\n1e999,1\n', /not a finite number: "1e999"/, { row: 2, field: 'a' }],
    ['negative label', 'a,label\n1,0\n2,-1\n', /label "-1" is negative/, { row: 2, field: 'label' }],
    [
      'fractional label',
      'a,label\n1,0.5\n2,1\n',
      /label "0.5" is not an integer class/,
      { row: 1, field: 'label' },
    ],
    [
      'numbers among names',
      'a,label\n1,cat\n2,3\n3,dog\n',
      /label "3" \(row 2\) is a number but other labels are class names, e\.g\. "cat" \(row 1\)/,
      { row: 2, field: 'label' },
    ],
    ['infinite label', 'a,label\n1,inf\n', /label "inf" is not a finite number/, { row: 1 }],
    ['huge label', 'a,label\n1,1000000\n', /more than 100000 classes/, { row: 1 }],
    ['empty file', '', /empty file/, {}],
    ['blank file', '\n\n', /empty file/, {}],
    ['header only', 'a,b,label\n', /header row but no data rows/, {}],
    ['unclosed quote', 'a,label\n1,"0\n', /malformed CSV: Quote Not Closed/, {}],
    ['unnamed column', ',a,label\n0,1,2\n', /header column 1 has no name/, {}],
    ['duplicate column', 'a,a,label\n0,1,2\n', /names column "a" twice/, { field: 'a' }],
    ['missing label column', 'a,b\n1,2\n', /no label column "target" \(columns: a, b\)/, { field: 'target' }],
  ];
  for (const [name, text, pattern, location] of cases) {
    it(`rejects: ${name}`, () => {
      const options = name === 'missing label column' ? { label: 'target' } : {};
      expectInputError(() => parseCsv(text, 'bad.csv', options), pattern, { file: 'bad.csv', ...location });
    });
  }

  it('rejects identifier-like text columns with too many categories to one-hot encode', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => `user-${i},${i % 2}`).join('\n');
    expectInputError(
      () => parseCsv(`id,label\n${rows}\n`, 'ids.csv'),
      /1001 distinct text values: too many/,
      {
        file: 'ids.csv',
        field: 'id',
      },
    );
  });

  it('rejects a label index out of range and unknown categorical columns', () => {
    expectInputError(() => parseCsv('a,b\n1,2\n', 'bad.csv', { label: 2 }), /index 2 is out of range/);
    expectInputError(
      () => parseCsv('a,b\n1,2\n', 'bad.csv', { categorical: ['z'] }),
      /"z" is not a feature column/,
    );
  });

  it('rejects binary and non-UTF-8 input', () => {
    expectInputError(() => parseCsv(Uint8Array.of(0x61, 0x2c, 0, 0x0a), 'bin.csv'), /NUL byte/, {
      offset: 2,
    });
    expectInputError(() => parseCsv(Uint8Array.of(0x61, 0xff, 0x0a), 'latin.csv'), /not valid UTF-8/);
  });

  it('rejects files that do not exist or are empty', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expectInputError(() => loadCsv(empty), /file is empty/, { file: empty });
    expectInputError(() => loadCsv(join(dir, 'nope.csv')), /no such file/);
    const emptyGz = join(dir, 'empty.csv.gz');
    writeFileSync(emptyGz, gzipSync(''));
    expectInputError(() => loadCsv(emptyGz), /empty once decompressed/);
    const corrupt = join(dir, 'corrupt.csv.gz');
    writeFileSync(corrupt, gzipSync('a,label\n1,0\n').subarray(0, 12));
    expectInputError(() => loadCsv(corrupt), /corrupt gzip/);
  });
});
