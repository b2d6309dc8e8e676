import type { Writable } from 'node:stream';

/** What a command may touch of the outside world; tests pass in-memory streams. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export type OutputFormat = 'text' | 'json';

/** Progress bars and colour are for people at a terminal: never under CI, `--format json` or a pipe. */
export function isInteractive(io: CliIo, format: string): boolean {
  return io.stderr.isTTY === true && format !== 'json' && !io.env.CI;
}

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && io.env.NO_COLOR === undefined && !io.env.CI;
}
