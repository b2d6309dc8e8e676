import { writeFileSync } from 'node:fs';
import type { CliIo } from './io.js';

/** Handed to every command's action: its I/O and a way to set the process exit code. */
export interface CommandContext {
  io: CliIo;
  /** 0 ok, 1 findings at or above --fail-on, 2 usage/input/internal error. */
  setExitCode(code: number): void;
  /** Writes a command's result: to `output` when given (atomically enough for a report), else stdout. */
  emit(text: string, output?: string): void;
}

export function createContext(io: CliIo, onExitCode: (code: number) => void): CommandContext {
  return {
    io,
    setExitCode: onExitCode,
    emit(text, output) {
      const body = text.endsWith('\n') ? text : `${text}\n`;
      if (output === undefined || output === '-') io.stdout.write(body);
      else writeFileSync(output, body);
    },
  };
}
