import { Command, CommanderError } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerCommands } from './commands/index.js';
import { createContext } from './context.js';
import { type CliIo, processIo } from './io.js';

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 findings at or above --fail-on, 2 usage, input or
 * internal error. Every failure becomes one line on stderr, never a stack trace (set ANTIDOTE_DEBUG=1 for one).
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('antidote')
    .description('Attack-test, detect, prevent and monitor model poisoning')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  registerCommands(
    program,
    createContext(io, (code) => {
      exitCode = Math.max(exitCode, code);
    }),
  );
  applyExitOverride(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportFailure(error, io);
  }
}

function applyExitOverride(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride();
    sub.configureOutput(command.configureOutput());
    sub.showHelpAfterError('(run with --help for usage)');
    applyExitOverride(sub);
  }
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; help and version are successful exits.
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    return ok ? 0 : 2;
  }
  if (error instanceof InputError || error instanceof UsageError) {
    io.stderr.write(`antidote: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`antidote: internal error: ${message}\n`);
  if (io.env.ANTIDOTE_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return 2;
}
