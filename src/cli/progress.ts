import type { CliIo } from './io.js';
import { isInteractive } from './io.js';

export interface Progress {
  update(done: number, total: number, detail?: string): void;
  done(): void;
}

const silent: Progress = { update() {}, done() {} };

/**
 * A one-line progress bar on stderr, redrawn in place at most every 100 ms. Silent unless stderr is a TTY,
 * the format is not JSON and CI is unset, so logs and machine-readable output stay clean.
 */
export function createProgress(io: CliIo, label: string, format: string): Progress {
  if (!isInteractive(io, format)) return silent;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 24;
      const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : 0;
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      io.stderr.write(`\r${label} [${bar}] ${done}/${total}${detail ? ` ${detail}` : ''}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr.write('\r\x1b[K');
    },
  };
}
