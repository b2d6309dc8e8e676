/**
 * A parser for the small subset of Python literals that NPY headers use: dicts, tuples, lists, quoted
 * strings, integers, True/False/None. Errors carry the character position for the caller to turn into an
 * offset.
 */

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export class PyLiteralError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export function parsePyLiteral(text: string): PyValue {
  let at = 0;
  const fail = (problem: string): PyLiteralError => new PyLiteralError(problem, at);
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[at] !== ch)
      throw fail(`expected '${ch}' but found ${text[at] === undefined ? 'the end' : `'${text[at]}'`}`);
    at++;
  };
  // Items separated by commas, an optional trailing comma, up to `close`.
  const sequence = (close: string, item: () => void): void => {
    for (;;) {
      skipSpace();
      if (text[at] === close) break;
      item();
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== close) throw fail(`expected ',' or '${close}'`);
    }
    at++;
  };
  const value = (): PyValue => {
    skipSpace();
    const ch = text[at];
    if (ch === '{') {
      at++;
      const dict: { [key: string]: PyValue } = {};
      sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') throw fail('dict keys must be strings');
        expect(':');
        dict[key] = value();
      });
      return dict;
    }
    if (ch === '(' || ch === '[') {
      at++;
      const items: PyValue[] = [];
      sequence(ch === '(' ? ')' : ']', () => items.push(value()));
      return items;
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, at + 1);
      if (end < 0) throw fail('unterminated string');
      const s = text.slice(at + 1, end);
      if (s.includes('\\')) throw fail('escaped characters in strings are not supported');
      at = end + 1;
      return s;
    }
    const word = /^(?:True|False|None|[+-]?\d+L?)/.exec(text.slice(at))?.[0];
    if (word === undefined) throw fail(`unexpected ${ch === undefined ? 'end of header' : `'${ch}'`}`);
    at += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    return Number(word.replace('L', '')); // Python 2 wrote long integers as 3L
  };
  const result = value();
  skipSpace();
  if (at !== text.length) throw fail('unexpected text after the literal');
  return result;
}
