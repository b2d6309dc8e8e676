import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { registerScanCommand } from '../../src/cli/commands/scan.js';
import { createContext } from '../../src/cli/context.js';
import { InputError, UsageError } from '../../src/errors.js';
import type { CliRun } from '../cli/run-cli.js';

/**
 * Runs `antidote scan ARGS` in-process with captured, non-TTY output, through a program holding only the
 * scan command and main.ts's error handling (one line on stderr, exit code 2).
 */
export async function runScanCli(args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  let code = 0;
  const io = { stdout, stderr, env: {} };
  const program = new Command('antidote')
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .exitOverride();
  registerScanCommand(
    program,
    createContext(io, (c) => {
      code = Math.max(code, c);
    }),
  );
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  try {
    await program.parseAsync(['scan', ...args], { from: 'user' });
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) {
      stderr.write(`antidote: ${error.message}\n`);
      code = 2;
    } else if (error instanceof CommanderError) code = 2;
    else throw error;
  }
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
