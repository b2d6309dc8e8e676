import { InputError } from '../errors.js';

/** Decodes a text file as UTF-8, refusing binary data and invalid UTF-8 with a clear message. */
export function decodeText(input: string | Uint8Array, file: string): string {
  if (typeof input === 'string') return input;
  const nul = input.indexOf(0);
  if (nul >= 0)
    throw new InputError('contains a NUL byte: this looks like a binary file, not text', {
      file,
      offset: nul,
    });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new InputError('is not valid UTF-8 text', { file });
  }
}
