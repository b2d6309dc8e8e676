import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured, non-TTY output (as in CI: no progress bars, no colour). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await main(args, { stdout, stderr, env });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** A runCli that keeps everything its runs printed, for checks across runs (no private key ever shown). */
export function recordingCli(): {
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  printed(): string;
} {
  const printed: string[] = [];
  return {
    async run(args, env) {
      const result = await runCli(args, env);
      printed.push(result.stdout, result.stderr);
      return result;
    },
    printed: () => printed.join(''),
  };
}
